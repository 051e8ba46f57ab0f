import { RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { INTERNAL_PATHS_PRIORITY, type LoadBalancerSettings, PublicLoadBalancer } from '../../lib/constructs/load-balancer';
import { stackWithVpc } from './fixtures';
import { LOAD_BALANCER_SETTINGS as SETTINGS } from './settings';

function build(settings: Partial<LoadBalancerSettings> = {}, removalPolicy?: RemovalPolicy) {
  const { stack, vpc, key } = stackWithVpc();
  const lb = new PublicLoadBalancer(stack, 'LoadBalancer', {
    settings: { ...SETTINGS, ...settings },
    vpc,
    subnets: { subnetGroupName: 'public' },
    logsKey: key,
    namePrefix: 'App-dev',
    logGroupPolicy: removalPolicy ? { removalPolicy } : undefined,
  });
  return { lb, template: () => Template.fromStack(stack) };
}

describe('PublicLoadBalancer', () => {
  test('with a certificate: HTTPS, HTTP redirecting to it, WAF with its log group, retained log buckets', () => {
    // GIVEN / WHEN
    const { lb, template } = build();
    // THEN
    const t = template();
    expect(lb.https).toBe(true);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Protocol: 'HTTPS', Port: 443 });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
    });
    t.resourceCountIs('AWS::WAFv2::WebACL', 1);
    t.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: 'aws-waf-logs-App-dev', RetentionInDays: 90 });
    t.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
  });

  test('without a certificate or WAF: plain HTTP only; buckets removed as told', () => {
    const { lb, template } = build({ certificate: undefined, waf: false }, RemovalPolicy.DESTROY);
    const t = template();
    expect(lb.https).toBe(false);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    t.resourceCountIs('AWS::WAFv2::WebACL', 0);
    t.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete' });
  });

  test('internalPaths: one rule on the HTTPS listener at INTERNAL_PATHS_PRIORITY, answering 404 itself', () => {
    // GIVEN / WHEN
    const { template } = build({ internalPaths: ['/health/ready', '/admin/*'] });
    // THEN
    const t = template();
    const https = t.findResources('AWS::ElasticLoadBalancingV2::Listener', { Properties: { Protocol: 'HTTPS' } });
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 1);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      ListenerArn: { Ref: Object.keys(https)[0] },
      Priority: INTERNAL_PATHS_PRIORITY,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/health/ready', '/admin/*'] } }],
      Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
    });
  });

  test('internalPaths without a certificate: the rule is on the plain HTTP listener, the one that carries the services', () => {
    const { template } = build({ certificate: undefined, internalPaths: ['/metrics'] });
    const t = template();
    const http = t.findResources('AWS::ElasticLoadBalancingV2::Listener');
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', { ListenerArn: { Ref: Object.keys(http)[0] }, Priority: 1 });
  });

  test('internalPaths defaults to none: no rule, every path goes to the services', () => {
    build().template().resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
    build({ internalPaths: [] }).template().resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
  });

  test('fails on more internal paths than a rule evaluates, or one that is not a path', () => {
    const six = ['/a', '/b', '/c', '/d', '/e', '/f'];
    expect(() => build({ internalPaths: six })).toThrow(
      `PublicLoadBalancer Test/LoadBalancer: expected internalPaths of at most 5 path patterns, each starting with / (at most 128 characters, no spaces), got ${JSON.stringify(six)}`,
    );
    expect(() => build({ internalPaths: ['metrics'] })).toThrow(/expected internalPaths .* got \["metrics"\]/);
  });

  test('fails on a WAF rate limit below WAF’s minimum', () => {
    expect(() => build({ wafRateLimitPer5Minutes: 5 })).toThrow(
      "PublicLoadBalancer Test/LoadBalancer: expected wafRateLimitPer5Minutes of at least 10 (WAF's minimum), got 5",
    );
  });

  test('fails on an idle timeout the load balancer does not accept', () => {
    expect(() => build({ idleTimeoutSeconds: 5000 })).toThrow(
      'PublicLoadBalancer Test/LoadBalancer: expected idleTimeoutSeconds between 1 and 4000, got 5000',
    );
  });
});

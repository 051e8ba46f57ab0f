import { RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type LoadBalancerSettings, PublicLoadBalancer } from '../../lib/constructs/load-balancer';
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

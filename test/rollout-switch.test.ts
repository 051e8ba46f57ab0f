/**
 * Switching a service's deployment strategy (rolling → canary → rolling, and linear, blue-green) is an in-place
 * update: compared the way `cdk diff` compares (@aws-cdk/cloudformation-diff, whose per-property replacement data
 * comes from the CloudFormation resource specification), no resource is replaced, no load-balancer resource
 * (load balancer, listener, listener rule, target group) is added, removed or changed, and no stateful resource
 * is touched. Only the ECS service and the traffic-shifting resources beside it (its infrastructure role, a
 * request-count scaling policy) change.
 *
 * Why the listener rule must not change: CloudFormation rewrites a rule's actions whenever its template changes,
 * and would reset the weights ECS moved in the last deployment (aws/aws-cdk#36649).
 */
import { fullDiff, ResourceImpact, type TemplateDiff } from '@aws-cdk/cloudformation-diff';
import type { DeploymentStrategyName } from '../lib/rollout/strategies';
import { isStatefulType } from '../lib/stateful';
import { configOf, synth } from './support/synth';

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

function serviceTemplate(env: string, strategy: DeploymentStrategyName): Template {
  // The strategy alone changes: prod's pre-traffic hook is left out on every side (a rolling deployment has no
  // test-traffic stage, and validation refuses the pair). Adding a hook is its own change: it creates the test
  // listener and rule, and replaces nothing. `null` removes the key as an environment file would.
  const deployment = { strategy, preTrafficHook: null };
  const config = configOf(env, { services: { api: { deployment } } } as unknown as Parameters<typeof configOf>[1]);
  return synth(config).template('service').toJSON() as Template;
}

const LOAD_BALANCER_TYPES = [
  'AWS::ElasticLoadBalancingV2::LoadBalancer',
  'AWS::ElasticLoadBalancingV2::Listener',
  'AWS::ElasticLoadBalancingV2::ListenerRule',
  'AWS::ElasticLoadBalancingV2::TargetGroup',
];

interface Change {
  readonly logicalId: string;
  readonly type: string;
  readonly impact: ResourceImpact;
  readonly properties: readonly string[];
}

function changes(diff: TemplateDiff): Change[] {
  const out: Change[] = [];
  diff.resources.forEachDifference((logicalId, change) => {
    if (change.changeImpact === ResourceImpact.NO_CHANGE) return;
    out.push({
      logicalId,
      type: change.newResourceType ?? change.oldResourceType ?? '',
      impact: change.changeImpact,
      properties: Object.keys(change.propertyUpdates),
    });
  });
  return out;
}

describe.each(['dev', 'prod'])('switching the deployment strategy of %s api', (env) => {
  const rolling = serviceTemplate(env, 'rolling');
  const canary = serviceTemplate(env, 'canary');

  test.each<[string, Template, Template]>([
    ['rolling → canary', rolling, canary],
    ['canary → rolling', canary, rolling],
    ['rolling → linear', rolling, serviceTemplate(env, 'linear')],
    ['canary → blue-green', canary, serviceTemplate(env, 'blue-green')],
  ])('%s replaces nothing and leaves the load balancer, its rules and target groups untouched', (_name, before, after) => {
    // GIVEN the Service stack before and after the switch
    // WHEN they are compared as cdk diff compares them
    const all = changes(fullDiff(before, after));

    // THEN the ECS service is updated in place
    const service = all.filter((c) => c.type === 'AWS::ECS::Service');
    expect(service).toHaveLength(1);
    expect(service[0].impact).toBe(ResourceImpact.WILL_UPDATE);
    expect([...service[0].properties]).toEqual(expect.arrayContaining(['DeploymentConfiguration']));
    // AND nothing is replaced
    expect(all.filter((c) => c.impact === ResourceImpact.WILL_REPLACE || c.impact === ResourceImpact.MAY_REPLACE)).toEqual([]);
    // AND no load-balancer resource changes at all (the rule keeps the weights ECS set)
    expect(all.filter((c) => LOAD_BALANCER_TYPES.includes(c.type))).toEqual([]);
    // AND no stateful resource changes
    expect(all.filter((c) => isStatefulType(c.type))).toEqual([]);
    // AND only the traffic-shifting pieces beside the service come and go
    const others = all.filter((c) => c.type !== 'AWS::ECS::Service').map((c) => c.type);
    for (const type of others) expect(['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::ApplicationAutoScaling::ScalingPolicy']).toContain(type);
  });

  test('the canary service names the alternate target group, the production rule and its own role', () => {
    const services = Object.values(canary.Resources).filter((r) => r.Type === 'AWS::ECS::Service');
    const lb = (services[0].Properties!.LoadBalancers as { AdvancedConfiguration?: Record<string, unknown> }[])[0];
    expect(Object.keys(lb.AdvancedConfiguration ?? {}).sort()).toEqual(['AlternateTargetGroupArn', 'ProductionListenerRule', 'RoleArn']);
  });
});

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
 *
 * Each environment is synthesized twice for all four switches: api makes the first, and one more service with api's
 * settings makes each other one (as test/rollout.test.ts's variant does), the same services on both sides. The
 * checks that no load-balancer, stateful or other resource changes hold for the four switches at once.
 */
import { fullDiff, ResourceImpact, type TemplateDiff } from '@aws-cdk/cloudformation-diff';
import { pascal } from '../lib/outputs';
import type { DeploymentStrategyName } from '../lib/rollout/strategies';
import { isStatefulType } from '../lib/stateful';
import { withServicesLikeApi } from './support/fixtures';
import { synth } from './support/synth';

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

/** The switches, one service each: api, and services with api's settings named after their switch. */
const SWITCHES: readonly { service: string; from: DeploymentStrategyName; to: DeploymentStrategyName }[] = [
  { service: 'api', from: 'rolling', to: 'canary' },
  { service: 'canary-to-rolling', from: 'canary', to: 'rolling' },
  { service: 'rolling-to-linear', from: 'rolling', to: 'linear' },
  { service: 'canary-to-blue-green', from: 'canary', to: 'blue-green' },
];

/**
 * The Service stack with every switch's service on one side of it: api, and services with api's settings
 * (test/support/fixtures.ts). The strategy alone changes: the pre-traffic hook is left out everywhere (a rolling
 * deployment has no test-traffic stage, and validation refuses the pair; adding a hook is its own change: it creates
 * the test listener and rule, and replaces nothing).
 */
function serviceTemplate(env: string, side: 'from' | 'to'): Template {
  const [api, ...others] = SWITCHES;
  const config = withServicesLikeApi(
    env,
    Object.fromEntries(others.map((s) => [s.service, { strategy: s[side], preTrafficHook: undefined }])),
    // `null` removes api's hook, as an environment file would.
    { deployment: { strategy: api[side], preTrafficHook: null } },
  );
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

describe.each(['dev', 'prod'])('switching the deployment strategy of a service in %s', (env) => {
  const before = serviceTemplate(env, 'from');
  const after = serviceTemplate(env, 'to');
  // GIVEN the Service stack before and after the four switches, WHEN compared as cdk diff compares them
  const all = changes(fullDiff(before, after));

  test.each(SWITCHES)('$service: $from → $to updates its ECS service in place', ({ service }) => {
    const own = all.filter((c) => c.type === 'AWS::ECS::Service' && c.logicalId.startsWith(`${pascal(service)}Service`));
    expect(own).toHaveLength(1);
    expect(own[0].impact).toBe(ResourceImpact.WILL_UPDATE);
    expect([...own[0].properties]).toEqual(expect.arrayContaining(['DeploymentConfiguration']));
  });

  test('the switches replace nothing and leave the load balancer, its rules and target groups untouched', () => {
    // Every service switched, and nothing else
    expect(all.filter((c) => c.type === 'AWS::ECS::Service')).toHaveLength(SWITCHES.length);
    // AND nothing is replaced
    expect(all.filter((c) => c.impact === ResourceImpact.WILL_REPLACE || c.impact === ResourceImpact.MAY_REPLACE)).toEqual([]);
    // AND no load-balancer resource changes at all (the rule keeps the weights ECS set)
    expect(all.filter((c) => LOAD_BALANCER_TYPES.includes(c.type))).toEqual([]);
    // AND no stateful resource changes
    expect(all.filter((c) => isStatefulType(c.type))).toEqual([]);
    // AND only the traffic-shifting pieces beside the services come and go
    const others = all.filter((c) => c.type !== 'AWS::ECS::Service').map((c) => c.type);
    for (const type of others) expect(['AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::ApplicationAutoScaling::ScalingPolicy']).toContain(type);
  });

  test('the canary service names the alternate target group, the production rule and its own role', () => {
    const services = Object.entries(after.Resources).filter(([id, r]) => r.Type === 'AWS::ECS::Service' && id.startsWith('ApiService'));
    expect(services).toHaveLength(1);
    const lb = (services[0][1].Properties!.LoadBalancers as { AdvancedConfiguration?: Record<string, unknown> }[])[0];
    expect(Object.keys(lb.AdvancedConfiguration ?? {}).sort()).toEqual(['AlternateTargetGroupArn', 'ProductionListenerRule', 'RoleArn']);
  });
});

/**
 * The ECS infrastructure role of a traffic-shifting deployment, in a bare stack, its permissions evaluated the way
 * IAM evaluates them (./permissions.ts); and the FargateService props of each deployment strategy.
 */
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { LoadBalancerInfrastructureRole, deploymentStrategyProps } from '../../lib/constructs/traffic-shift';
import type { TrafficShiftSettings } from '../../lib/rollout/strategies';
import { ACCOUNT, REGION, stackWithVpc } from './fixtures';
import { Permissions, type Request } from './permissions';

/** A listener with a production and a test rule, both forwarding to two target groups, as WebService builds them. */
function listenerSetup() {
  const { stack, vpc } = stackWithVpc();
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true });
  const listener = alb.addListener('Http', { port: 80, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
  const testListener = alb.addListener('Test', {
    port: 9000,
    protocol: elbv2.ApplicationProtocol.HTTP,
    defaultAction: elbv2.ListenerAction.fixedResponse(404),
  });
  const targetGroup = (id: string) => new elbv2.ApplicationTargetGroup(stack, id, { vpc, port: 8080, targetType: elbv2.TargetType.IP });
  const blue = targetGroup('Blue');
  const green = targetGroup('Green');
  const forward = elbv2.ListenerAction.weightedForward([
    { targetGroup: blue, weight: 100 },
    { targetGroup: green, weight: 0 },
  ]);
  const conditions = [elbv2.ListenerCondition.pathPatterns(['/*'])];
  const rule = new elbv2.ApplicationListenerRule(stack, 'Rule', { listener, priority: 10, conditions, action: forward });
  const testRule = new elbv2.ApplicationListenerRule(stack, 'TestRule', {
    listener: testListener,
    priority: 10,
    conditions,
    action: forward,
  });
  // What the role must not reach: another service's target group and rule on the same listener.
  const other = targetGroup('Other');
  const otherRule = new elbv2.ApplicationListenerRule(stack, 'OtherRule', {
    listener,
    priority: 20,
    conditions: [elbv2.ListenerCondition.pathPatterns(['/other/*'])],
    action: elbv2.ListenerAction.forward([other]),
  });
  return { stack, blue, green, rule, testRule, other, otherRule };
}

describe('LoadBalancerInfrastructureRole', () => {
  test('only ECS may assume it', async () => {
    // GIVEN
    const { stack, blue, green, rule } = listenerSetup();
    // WHEN
    const role = new LoadBalancerInfrastructureRole(stack, 'Role', { targetGroups: [blue, green], rules: [rule] });
    // THEN
    expect(
      await new Permissions(stack).failuresOfTrust(role, [
        { service: 'ecs.amazonaws.com', expected: 'allow' },
        { service: 'ecs-tasks.amazonaws.com', expected: 'deny' },
        { service: 'lambda.amazonaws.com', expected: 'deny' },
      ]),
    ).toEqual([]);
  });

  test("registers tasks in the service's two target groups and moves the weights of its rules, and nothing else", async () => {
    // GIVEN
    const { stack, blue, green, rule, testRule, other, otherRule } = listenerSetup();
    // WHEN
    const role = new LoadBalancerInfrastructureRole(stack, 'Role', { targetGroups: [blue, green], rules: [rule, testRule] });
    // THEN
    const p = new Permissions(stack);
    const [blueArn, greenArn, otherArn] = [blue, green, other].map((tg) => p.ref(tg));
    const [ruleArn, testRuleArn, otherRuleArn] = [rule, testRule, otherRule].map((r) => p.ref(r));
    const allow = (action: string, on: string, resource: string): Request => ({ action, on, resource, expected: 'allow' });
    const deny = (action: string, on: string, resource: string): Request => ({ action, on, resource, expected: 'deny' });
    const loadBalancer = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/Test-lb/0123456789abcdef`;
    expect(
      await p.failuresOf(role, 'ECS infrastructure role', [
        allow('elasticloadbalancing:RegisterTargets', 'the blue target group', blueArn),
        allow('elasticloadbalancing:DeregisterTargets', 'the green target group', greenArn),
        allow('elasticloadbalancing:ModifyRule', 'the production rule', ruleArn),
        allow('elasticloadbalancing:ModifyRule', 'the test rule', testRuleArn),
        allow('elasticloadbalancing:DescribeTargetHealth', 'any target group (no resource-level permissions)', '*'),
        allow('elasticloadbalancing:DescribeRules', 'any rule (no resource-level permissions)', '*'),
        deny('elasticloadbalancing:RegisterTargets', "another service's target group", otherArn),
        deny('elasticloadbalancing:ModifyRule', "another service's rule", otherRuleArn),
        deny('elasticloadbalancing:DeleteRule', 'the production rule', ruleArn),
        deny('elasticloadbalancing:ModifyTargetGroup', 'the blue target group', blueArn),
        deny('elasticloadbalancing:DeleteLoadBalancer', 'the load balancer', loadBalancer),
      ]),
    ).toEqual([]);
  });

  test('without a test rule, the production rule is the only one it may change', async () => {
    const { stack, blue, green, rule, testRule } = listenerSetup();
    const role = new LoadBalancerInfrastructureRole(stack, 'Role', { targetGroups: [blue, green], rules: [rule] });
    const p = new Permissions(stack);
    expect(
      await p.failuresOf(role, 'ECS infrastructure role', [
        { action: 'elasticloadbalancing:ModifyRule', on: 'the production rule', resource: p.ref(rule), expected: 'allow' },
        { action: 'elasticloadbalancing:ModifyRule', on: 'the test rule', resource: p.ref(testRule), expected: 'deny' },
      ]),
    ).toEqual([]);
  });

  test('has no managed policy: the one AWS publishes allows every target group and rule of the account', () => {
    const { stack, blue, green, rule } = listenerSetup();
    new LoadBalancerInfrastructureRole(stack, 'Role', { targetGroups: [blue, green], rules: [rule] });
    // A template match; the permissions themselves are evaluated above.
    const [role] = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'));
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('fails without a target group or a listener rule, naming both, whose statements would have no resource', () => {
    // GIVEN
    const { stack } = listenerSetup();
    // WHEN / THEN
    expect(() => new LoadBalancerInfrastructureRole(stack, 'Role', { targetGroups: [], rules: [] })).toThrow(
      'LoadBalancerInfrastructureRole Test/Role: expected at least one target group to register tasks in, got none; ' +
        'expected at least one listener rule to move the weights of, got none',
    );
  });
});

describe('deploymentStrategyProps', () => {
  const SETTINGS: TrafficShiftSettings = {
    canary: { percent: 10, bakeMinutes: 5 },
    linear: { stepPercent: 25, stepMinutes: 3 },
    bakeMinutes: 15,
  };

  test('rolling sets nothing, so a rolling service keeps the props it had before traffic shifting existed', () => {
    expect(deploymentStrategyProps('rolling', SETTINGS)).toEqual({});
  });

  test('blue-green, canary and linear set the strategy, the bake time and their own steps', () => {
    expect(deploymentStrategyProps('blue-green', SETTINGS)).toEqual({
      deploymentStrategy: ecs.DeploymentStrategy.BLUE_GREEN,
      bakeTime: Duration.minutes(15),
    });
    expect(deploymentStrategyProps('canary', SETTINGS)).toEqual({
      deploymentStrategy: ecs.DeploymentStrategy.CANARY,
      bakeTime: Duration.minutes(15),
      canaryConfiguration: { stepPercent: 10, stepBakeTime: Duration.minutes(5) },
    });
    expect(deploymentStrategyProps('linear', SETTINGS)).toEqual({
      deploymentStrategy: ecs.DeploymentStrategy.LINEAR,
      bakeTime: Duration.minutes(15),
      linearConfiguration: { stepPercent: 25, stepBakeTime: Duration.minutes(3) },
    });
  });
});

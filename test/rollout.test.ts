/**
 * Every strategy in every environment: what ECS receives (strategy, steps, bake time, alternate target group),
 * and that the deployment alarms and the circuit breaker roll back whatever the strategy, while traffic shifts and
 * during the bake time alike (ECS watches `DeploymentConfiguration.Alarms` for the whole deployment, bake included).
 *
 * Each environment is synthesized once for all four strategies: api keeps its own, and the variant runs one more
 * service for each other strategy (`rollout-<strategy>`, api's settings on a path of their own), as a team mixing
 * strategies would. That is three syntheses instead of eleven (one per environment and strategy but api's own), and
 * it also proves that services on different strategies coexist in one stack: each keeps its own alternate target
 * group, listener rule, test listener rule, hook and alarms.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { listEnvironments } from '../config/load';
import type { AppConfig } from '../config/schema';
import { resolveStrategy } from '../config/schema/rollout';
import { pascal } from '../lib/outputs';
import { DEPLOYMENT_STRATEGIES, type DeploymentStrategyName } from '../lib/rollout/strategies';
import { withServicesLikeApi } from './support/fixtures';
import { configOf, synth } from './support/synth';

const ECS_STRATEGY: Record<DeploymentStrategyName, string | undefined> = {
  rolling: undefined,
  'blue-green': 'BLUE_GREEN',
  linear: 'LINEAR',
  canary: 'CANARY',
};

/** The strategy api deploys with in an environment: its own (canary in production unless it says otherwise). */
const ownStrategy = (env: string) => {
  const config = configOf(env);
  return resolveStrategy(config.services.api.deployment.strategy, config.environment.production);
};

/** The service that carries a strategy in an environment's variant: api for its own, `rollout-<strategy>` otherwise. */
const serviceFor = (env: string, strategy: DeploymentStrategyName) => (strategy === ownStrategy(env) ? 'api' : `rollout-${strategy}`);

/**
 * The environment with one more service for each strategy api does not deploy with (test/support/fixtures.ts: api's
 * settings on a path of its own, no database access). Outside dev a traffic-shifting service names api's pre-traffic
 * hook, as api does in prod and staging; a rolling one cannot have a hook, so it is checked without one.
 */
function strategiesVariant(env: string): AppConfig {
  const others = DEPLOYMENT_STRATEGIES.filter((strategy) => strategy !== ownStrategy(env));
  return withServicesLikeApi(
    env,
    Object.fromEntries(
      others.map((strategy) => [
        serviceFor(env, strategy),
        { strategy, preTrafficHook: strategy !== 'rolling' && env !== 'dev' ? { path: '/health/ready' } : undefined },
      ]),
    ),
  );
}

/** One resource of a template as a template of its own, for CDK's matchers. */
function only(template: Template, type: string, logicalIdPrefix: string): Template {
  const found = Object.entries(template.findResources(type)).filter(([id]) => id.startsWith(logicalIdPrefix));
  expect(found.map(([id]) => id)).toHaveLength(1);
  return Template.fromJSON({ Resources: Object.fromEntries(found) });
}

/** Each environment's variant, built once for its four strategies' cases. */
const VARIANTS = new Map(listEnvironments().map((env) => [env, strategiesVariant(env)]));

const cases = listEnvironments().flatMap((env) =>
  DEPLOYMENT_STRATEGIES.map((strategy) => [env, strategy] as [string, DeploymentStrategyName]),
);

describe.each(cases)('%s: a service deployed with %s', (env, strategy) => {
  const config = VARIANTS.get(env)!;
  const name = serviceFor(env, strategy);
  const prefix = `${pascal(name)}Service`;
  const template = synth(config).template('service');
  const service = () => only(template, 'AWS::ECS::Service', prefix);
  const d = config.services[name].deployment;

  test('ECS receives the strategy, its steps and its bake time', () => {
    const expected: Record<string, unknown> = { Strategy: ECS_STRATEGY[strategy] ?? Match.absent() };
    if (strategy !== 'rolling') expected.BakeTimeInMinutes = d.bakeMinutes;
    if (strategy === 'canary')
      expected.CanaryConfiguration = { CanaryPercent: d.canary.percent, CanaryBakeTimeInMinutes: d.canary.bakeMinutes };
    if (strategy === 'linear')
      expected.LinearConfiguration = { StepPercent: d.linear.stepPercent, StepBakeTimeInMinutes: d.linear.stepMinutes };
    service().hasResourceProperties('AWS::ECS::Service', { DeploymentConfiguration: Match.objectLike(expected) });
  });

  test('the deployment alarms and the circuit breaker roll back', () => {
    service().hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        Alarms: {
          AlarmNames: [`ScaledApp-${env}-${name}-deployment-5xx-rate`, `ScaledApp-${env}-${name}-deployment-p99-latency`],
          Enable: true,
          Rollback: true,
        },
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      }),
    });
  });

  test('the deployment alarms read both of its target groups', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { AlarmName: Match.stringLikeRegexp(`^ScaledApp-${env}-${name}-deployment-`) },
    });
    expect(Object.keys(alarms)).toHaveLength(2);
    for (const alarm of Object.values(alarms)) {
      const text = JSON.stringify(alarm);
      expect(text).toContain('MAX([');
      expect(text).toContain(`${prefix}TargetGroup`);
      expect(text).toContain(`${prefix}AlternateTargetGroup`);
      // No other service's target group.
      expect(text.match(/"(\w+?)(Alternate)?TargetGroup[0-9A-F]{8}"/g)?.every((id) => id.startsWith(`"${prefix}`))).toBe(true);
    }
  });

  test(
    strategy === 'rolling' ? 'has no alternate target configuration' : 'names its alternate target group, its production rule and its role',
    () => {
      const lb = {
        ContainerName: 'App',
        ContainerPort: config.services[name].port,
        TargetGroupArn: { Ref: Match.stringLikeRegexp(`^${prefix}TargetGroup`) },
      };
      service().hasResourceProperties('AWS::ECS::Service', {
        LoadBalancers: [
          strategy === 'rolling'
            ? Match.objectEquals(lb)
            : Match.objectLike({
                ...lb,
                AdvancedConfiguration: Match.objectLike({
                  AlternateTargetGroupArn: { Ref: Match.stringLikeRegexp(`^${prefix}AlternateTargetGroup`) },
                  ProductionListenerRule: { Ref: Match.stringLikeRegexp(`^${prefix}ListenerRule`) },
                  RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^${prefix}LoadBalancerRole`), 'Arn'] },
                }),
              }),
        ],
      });
    },
  );

  if (config.services[name].deployment.preTrafficHook)
    test('its pre-traffic hook runs at POST_TEST_TRAFFIC_SHIFT, through its own test listener rule', () => {
      service().hasResourceProperties('AWS::ECS::Service', {
        DeploymentConfiguration: Match.objectLike({
          LifecycleHooks: [Match.objectLike({ LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] })],
        }),
        LoadBalancers: [
          Match.objectLike({
            AdvancedConfiguration: Match.objectLike({ TestListenerRule: { Ref: Match.stringLikeRegexp(`^${prefix}TestListenerRule`) } }),
          }),
        ],
      });
    });
});

test('prod deploys api as a canary with the pre-traffic hook at POST_TEST_TRAFFIC_SHIFT, through the test listener rule', () => {
  const template = synth('prod').template('service');
  template.hasResourceProperties('AWS::ECS::Service', {
    DeploymentConfiguration: Match.objectLike({
      Strategy: 'CANARY',
      LifecycleHooks: [Match.objectLike({ LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] })],
    }),
    LoadBalancers: [
      Match.objectLike({
        AdvancedConfiguration: Match.objectLike({ TestListenerRule: { Ref: Match.stringLikeRegexp('^ApiServiceTestListenerRule') } }),
      }),
    ],
  });
  template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 9000, Protocol: 'HTTP' });
});

test('dev deploys api rolling, with no test listener and no hook', () => {
  const template = synth('dev').template('service');
  template.resourcePropertiesCountIs('AWS::ElasticLoadBalancingV2::Listener', { Port: 9000 }, 0);
  // Its one function is the schema migration's; none of a pre-traffic hook.
  const functions = Object.keys(template.findResources('AWS::Lambda::Function'));
  expect(functions.filter((id) => id.includes('PreTrafficHook'))).toEqual([]);
  expect(functions.filter((id) => id.includes('SchemaMigration'))).toHaveLength(1);
});

test('both target groups route with weighted random and anomaly mitigation', () => {
  const groups = synth('prod').template('service').findResources('AWS::ElasticLoadBalancingV2::TargetGroup');
  expect(Object.keys(groups)).toHaveLength(2);
  for (const group of Object.values(groups)) {
    expect(group.Properties.TargetGroupAttributes).toEqual(
      expect.arrayContaining([
        { Key: 'load_balancing.algorithm.type', Value: 'weighted_random' },
        { Key: 'load_balancing.algorithm.anomaly_mitigation', Value: 'on' },
      ]),
    );
  }
});

test('prod enables zonal shift and autoshift, with practice runs governed by the service-degraded alarms', () => {
  const prod = synth('prod');
  prod.template('service').hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
    LoadBalancerAttributes: Match.arrayWith([{ Key: 'zonal_shift.config.enabled', Value: 'true' }]),
  });
  prod.template('monitoring').hasResourceProperties('AWS::ARCZonalShift::ZonalAutoshiftConfiguration', {
    ZonalAutoshiftStatus: 'ENABLED',
    PracticeRunConfiguration: Match.objectLike({
      BlockingAlarms: [{ Type: 'CLOUDWATCH', AlarmIdentifier: Match.anyValue() }],
      OutcomeAlarms: [{ Type: 'CLOUDWATCH', AlarmIdentifier: Match.anyValue() }],
      BlockedWindows: Match.arrayWith(['Mon:05:00-Mon:10:00']),
    }),
  });
  synth('dev').template('monitoring').resourceCountIs('AWS::ARCZonalShift::ZonalAutoshiftConfiguration', 0);
});

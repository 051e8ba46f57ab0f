/**
 * Every strategy in every environment: what ECS receives (strategy, steps, bake time, alternate target group),
 * and that the deployment alarms and the circuit breaker roll back whatever the strategy, while traffic shifts and
 * during the bake time alike (ECS watches `DeploymentConfiguration.Alarms` for the whole deployment, bake included).
 */
import { Match } from 'aws-cdk-lib/assertions';
import { listEnvironments } from '../config/load';
import { DEPLOYMENT_STRATEGIES, type DeploymentStrategyName } from '../lib/rollout/strategies';
import { configOf, synth } from './support/synth';

const ECS_STRATEGY: Record<DeploymentStrategyName, string | undefined> = {
  rolling: undefined,
  'blue-green': 'BLUE_GREEN',
  linear: 'LINEAR',
  canary: 'CANARY',
};

const cases = listEnvironments().flatMap((env) =>
  DEPLOYMENT_STRATEGIES.map((strategy) => [env, strategy] as [string, DeploymentStrategyName]),
);

describe.each(cases)('%s api deployed with %s', (env, strategy) => {
  // prod and staging name a pre-traffic hook, which a rolling service refuses: rolling is checked without it.
  const hook = strategy === 'rolling' ? undefined : { path: '/health/ready' };
  const base = configOf(env);
  const config =
    strategy === 'rolling' && base.services.api.deployment.preTrafficHook
      ? {
          ...base,
          services: {
            ...base.services,
            api: { ...base.services.api, deployment: { ...base.services.api.deployment, strategy, preTrafficHook: undefined } },
          },
        }
      : configOf(env, { services: { api: { deployment: { strategy, ...(hook && env !== 'dev' ? { preTrafficHook: hook } : {}) } } } });
  const template = synth(config).template('service');
  const d = config.services.api.deployment;

  test('ECS receives the strategy, its steps and its bake time', () => {
    const expected: Record<string, unknown> = { Strategy: ECS_STRATEGY[strategy] ?? Match.absent() };
    if (strategy !== 'rolling') expected.BakeTimeInMinutes = d.bakeMinutes;
    if (strategy === 'canary')
      expected.CanaryConfiguration = { CanaryPercent: d.canary.percent, CanaryBakeTimeInMinutes: d.canary.bakeMinutes };
    if (strategy === 'linear')
      expected.LinearConfiguration = { StepPercent: d.linear.stepPercent, StepBakeTimeInMinutes: d.linear.stepMinutes };
    template.hasResourceProperties('AWS::ECS::Service', { DeploymentConfiguration: Match.objectLike(expected) });
  });

  test('the deployment alarms and the circuit breaker roll back', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        Alarms: {
          AlarmNames: [`ScaledApp-${env}-api-deployment-5xx-rate`, `ScaledApp-${env}-api-deployment-p99-latency`],
          Enable: true,
          Rollback: true,
        },
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      }),
    });
  });

  test('the deployment alarms read both target groups', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { AlarmName: Match.stringLikeRegexp(`^ScaledApp-${env}-api-deployment-`) },
    });
    expect(Object.keys(alarms)).toHaveLength(2);
    for (const alarm of Object.values(alarms)) {
      const text = JSON.stringify(alarm);
      expect(text).toContain('MAX([');
      expect(text).toContain('ApiServiceTargetGroup');
      expect(text).toContain('ApiServiceAlternateTargetGroup');
    }
  });

  test(
    strategy === 'rolling' ? 'has no alternate target configuration' : 'names the alternate target group, the production rule and its role',
    () => {
      const lb = { ContainerName: 'App', ContainerPort: 8080, TargetGroupArn: { Ref: Match.stringLikeRegexp('^ApiServiceTargetGroup') } };
      template.hasResourceProperties('AWS::ECS::Service', {
        LoadBalancers: [
          strategy === 'rolling'
            ? Match.objectEquals(lb)
            : Match.objectLike({
                ...lb,
                AdvancedConfiguration: Match.objectLike({
                  AlternateTargetGroupArn: { Ref: Match.stringLikeRegexp('^ApiServiceAlternateTargetGroup') },
                  ProductionListenerRule: { Ref: Match.stringLikeRegexp('^ApiServiceListenerRule') },
                  RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiServiceLoadBalancerRole'), 'Arn'] },
                }),
              }),
        ],
      });
    },
  );
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

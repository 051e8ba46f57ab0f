/**
 * Validation of rollouts and routing (`services.<name>.deployment`, `.loadBalancing`, `loadBalancer.zonalShift`):
 * every bad combination is one line naming the file, the field, what was expected and why.
 */
import dev from '../../config/environments/dev';
import prod from '../../config/environments/prod';
import { resolveConfig } from '../../config/load';
import { resolveStrategy } from '../../config/schema/rollout';
import { FILE, problems } from '../support/problems';

const api = (deployment: unknown, loadBalancing?: unknown) => ({
  services: { api: { deployment, ...(loadBalancing ? { loadBalancing } : {}) } },
});

describe('the deployment strategy', () => {
  test('is canary in production and rolling elsewhere, unless the service says otherwise', () => {
    expect(resolveStrategy(resolveConfig('prod', prod).services.api.deployment.strategy, true)).toBe('canary');
    expect(resolveStrategy(resolveConfig('dev', dev).services.api.deployment.strategy, false)).toBe('rolling');
    expect(resolveStrategy('linear', true)).toBe('linear');
  });

  test.each(['rolling', 'blue-green', 'linear', 'canary'])('accepts %s in dev', (strategy) => {
    expect(problems(dev, api({ strategy }))).toEqual([]);
  });

  test.each(['blue-green', 'linear', 'canary'])('accepts %s in prod, with its pre-traffic hook', (strategy) => {
    expect(problems(prod, api({ strategy }), 'prod')).toEqual([]);
  });

  test('fails when prod goes back to rolling but keeps its pre-traffic hook', () => {
    expect(problems(prod, api({ strategy: 'rolling' }), 'prod')).toEqual([
      'config/environments/prod.ts: services.api.deployment.preTrafficHook: expected a traffic-shifting strategy ("blue-green", "linear" or "canary") with a pre-traffic hook: a rolling deployment has no test traffic stage, got {"path":"/health/ready"}',
    ]);
  });

  test('fails when the strategy is unknown', () => {
    expect(problems(dev, api({ strategy: 'big-bang' }))).toEqual([
      `${FILE}: services.api.deployment.strategy: expected one of "rolling", "blue-green", "linear", "canary", got "big-bang"`,
    ]);
  });
});

describe('traffic steps and bake times', () => {
  test('fails when the canary percentage is out of the ECS range or not a multiple of 0.1', () => {
    expect(problems(dev, api({ strategy: 'canary', canary: { percent: 0.05 } }))).toEqual([
      `${FILE}: services.api.deployment.canary.percent: expected a percentage from 0.1 to 100 in steps of 0.1 (the ECS canary limits), got 0.05`,
    ]);
    expect(problems(dev, api({ strategy: 'canary', canary: { percent: 12.34 } }))).toHaveLength(1);
  });

  test('fails when a canary of 100% is asked for, naming the strategy that means that', () => {
    expect(problems(dev, api({ strategy: 'canary', canary: { percent: 100 } }))).toEqual([
      `${FILE}: services.api.deployment.canary.percent: expected less than 100: a canary of 100% is a blue-green deployment (say strategy "blue-green"), got 100`,
    ]);
  });

  test('fails when a linear step is under the 3% ECS minimum', () => {
    expect(problems(dev, api({ strategy: 'linear', linear: { stepPercent: 2 } }))).toEqual([
      `${FILE}: services.api.deployment.linear.stepPercent: expected a percentage from 3 to 100 in steps of 0.1 (the ECS linear limits), got 2`,
    ]);
  });

  test('fails when a bake time is beyond 24 hours', () => {
    expect(problems(dev, api({ bakeMinutes: 1441 }))).toEqual([
      `${FILE}: services.api.deployment.bakeMinutes: expected an integer <= 1440, got 1441`,
    ]);
  });

  test('fails when a canary would outlast what CloudFormation accepts, with the arithmetic', () => {
    expect(problems(dev, api({ strategy: 'canary', bakeMinutes: 1440, canary: { bakeMinutes: 600 } }))).toEqual([
      `${FILE}: services.api.deployment.bakeMinutes: expected bakeMinutes + canary.bakeMinutes of at most 1980 (CloudFormation refuses longer canaries), got 1440 + 600 = 2040, got 1440`,
    ]);
  });

  test('fails when a rolling service names a pre-traffic hook, and says rolling is the default outside production', () => {
    expect(problems(dev, api({ preTrafficHook: { path: '/health/ready' } }))).toEqual([
      `${FILE}: services.api.deployment.preTrafficHook: expected a traffic-shifting strategy ("blue-green", "linear" or "canary") with a pre-traffic hook: a rolling deployment has no test traffic stage (rolling is the default outside production), got {"path":"/health/ready"}`,
    ]);
  });
});

describe('gray-failure routing', () => {
  test('defaults to weighted random with anomaly mitigation and no slow start', () => {
    expect(resolveConfig('dev', dev).services.api.loadBalancing).toEqual({
      algorithm: 'weighted-random',
      anomalyMitigation: true,
      slowStartSeconds: 0,
    });
  });

  test('fails when slow start is asked of weighted random, explaining the incompatibility and the way out', () => {
    const lines = problems(dev, api(undefined, { slowStartSeconds: 60 }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^config\/environments\/test\.ts: services\.api\.loadBalancing\.slowStartSeconds: expected 0 with algorithm "weighted-random": the load balancer does not support slow start with weighted random/,
    );
  });

  test('fails when anomaly mitigation is asked of another algorithm', () => {
    expect(problems(dev, api(undefined, { algorithm: 'round-robin' }))).toEqual([
      `${FILE}: services.api.loadBalancing.anomalyMitigation: expected false with algorithm "round-robin": only the weighted-random algorithm can shift weight away from an anomalous task, got true (the schema's default)`,
    ]);
  });

  test('accepts slow start with round robin and no anomaly mitigation', () => {
    expect(problems(dev, api(undefined, { algorithm: 'round-robin', anomalyMitigation: false, slowStartSeconds: 60 }))).toEqual([]);
  });

  test('fails when slow start is between 1 and 29 seconds', () => {
    expect(problems(dev, api(undefined, { algorithm: 'round-robin', anomalyMitigation: false, slowStartSeconds: 10 }))).toHaveLength(1);
  });
});

describe('zonal shift', () => {
  test('fails when autoshift is on without zonal shift', () => {
    expect(problems(dev, { loadBalancer: { zonalShift: { enabled: false, autoshift: true } } })).toEqual([
      `${FILE}: loadBalancer.zonalShift.autoshift: expected false while zonalShift.enabled is false: autoshift shifts through zonal shift, got true`,
    ]);
  });

  test('fails when a practice-run window is not a weekly UTC window', () => {
    expect(problems(dev, { loadBalancer: { zonalShift: { practiceRunBlockedWindows: ['monday 7-10'] } } })).toHaveLength(1);
  });
});

import { configOf } from '../support/synth';
import { evictionPoliciesFromConfig, planFromConfig } from '../../scripts/verify/plan';
import { DEFAULT_MAX_REPLICA_LAG_SECONDS } from '../../scripts/verify/replicas';

describe('the plan, from configuration', () => {
  test('prod: Aurora, at least readerAutoScaling.min readers, the lag threshold of the replica-lag alarm', () => {
    const plan = planFromConfig(configOf('prod'));
    expect(plan).toMatchObject({ appName: 'ScaledApp', envName: 'prod', engine: 'aurora-postgresql', minReaders: 2 });
    expect(plan.maxReplicaLagSeconds).toBe(configOf('prod').monitoring.thresholds.database.replicaLagSeconds);
  });

  test('the lag threshold follows monitoring.thresholds.database.replicaLagSeconds, which the alarm uses too', () => {
    const plan = planFromConfig(configOf('prod', { monitoring: { thresholds: { database: { replicaLagSeconds: 12 } } } }));
    expect(plan.maxReplicaLagSeconds).toBe(12);
  });

  test('a configuration without the threshold falls back to the built-in default', () => {
    const { monitoring: _monitoring, ...rest } = configOf('prod');
    const plan = planFromConfig({ ...rest, monitoring: undefined } as unknown as ReturnType<typeof configOf>);
    expect(plan.maxReplicaLagSeconds).toBe(DEFAULT_MAX_REPLICA_LAG_SECONDS);
  });

  test('RDS for PostgreSQL expects exactly readReplicas readers', () => {
    const plan = planFromConfig(configOf('staging', { database: { engine: 'postgres', readReplicas: 1 } }), { maxReplicaLagSeconds: 5 });
    expect(plan).toMatchObject({ engine: 'postgres', minReaders: 1, maxReplicaLagSeconds: 5 });
  });

  test('reads expected eviction policies from cache.tiers when the section exists', () => {
    const config = {
      cache: {
        tiers: {
          critical: { evictionPolicy: 'noeviction', nodeType: 'cache.r7g.large' },
          hot: { maxmemoryPolicy: 'allkeys-lru' },
          odd: { evictionPolicy: 42 },
        },
      },
    };
    expect(evictionPoliciesFromConfig(config)).toEqual({ critical: 'noeviction', hot: 'allkeys-lru' });
  });

  test.each([
    ['no cache section', {}],
    ['a cache section without tiers', { cache: {} }],
    ['tiers that are not a map', { cache: { tiers: ['critical'] } }],
    ['not an object at all', undefined],
  ])('expects no policy from %s', (_, config) => {
    expect(evictionPoliciesFromConfig(config)).toEqual({});
  });
});

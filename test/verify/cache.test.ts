import {
  DescribeCacheClustersCommand,
  DescribeCacheParametersCommand,
  DescribeReplicationGroupsCommand,
} from '@aws-sdk/client-elasticache';
import { checkCache } from '../../scripts/verify/cache';
import { accessDenied, mockAws, throttling } from './support';

type Mocks = ReturnType<typeof mockAws>['mocks'];

/** A replication group `rg-<tier>` of two nodes using parameter group `pg-<tier>` with `policy`. */
function tier(mocks: Mocks, name: string, policy: string, applyStatus = 'in-sync') {
  const nodes = [`rg-${name}-001`, `rg-${name}-002`];
  mocks.elastiCache.on(DescribeReplicationGroupsCommand, { ReplicationGroupId: `rg-${name}` }).resolves({
    ReplicationGroups: [{ ReplicationGroupId: `rg-${name}`, Status: 'available', MemberClusters: nodes }],
  });
  for (const node of nodes) {
    mocks.elastiCache.on(DescribeCacheClustersCommand, { CacheClusterId: node }).resolves({
      CacheClusters: [
        { CacheClusterId: node, CacheParameterGroup: { CacheParameterGroupName: `pg-${name}`, ParameterApplyStatus: applyStatus } },
      ],
    });
  }
  mocks.elastiCache.on(DescribeCacheParametersCommand, { CacheParameterGroupName: `pg-${name}` }).resolves({
    Parameters: [
      { ParameterName: 'maxmemory-samples', ParameterValue: '3' },
      { ParameterName: 'maxmemory-policy', ParameterValue: policy },
    ],
  });
}

describe('cache eviction policy check', () => {
  test('passes when each tier runs the policy the configuration expects', async () => {
    const { aws, mocks } = mockAws();
    tier(mocks, 'critical', 'noeviction');
    tier(mocks, 'hot', 'allkeys-lru');
    const results = await checkCache(aws, {
      tiers: [
        { name: 'critical', replicationGroupId: 'rg-critical', expectedPolicy: 'noeviction' },
        { name: 'hot', replicationGroupId: 'rg-hot', expectedPolicy: 'allkeys-lru' },
      ],
    });
    expect(results).toEqual([
      { name: 'cache critical eviction policy', ok: true, detail: 'noeviction on 2 nodes, parameter group pg-critical' },
      { name: 'cache hot eviction policy', ok: true, detail: 'allkeys-lru on 2 nodes, parameter group pg-hot' },
    ]);
    // One parameter read per group, not per node.
    expect(mocks.elastiCache.commandCalls(DescribeCacheParametersCommand)).toHaveLength(2);
  });

  test('fails when the session tier would evict', async () => {
    const { aws, mocks } = mockAws();
    tier(mocks, 'critical', 'allkeys-lru');
    const [result] = await checkCache(aws, {
      tiers: [{ name: 'critical', replicationGroupId: 'rg-critical', expectedPolicy: 'noeviction' }],
    });
    expect(result).toEqual({
      name: 'cache critical eviction policy',
      ok: false,
      detail: 'parameter group pg-critical has maxmemory-policy allkeys-lru, expected noeviction',
    });
  });

  test('fails while a changed parameter group is not yet applied to a node', async () => {
    const { aws, mocks } = mockAws();
    tier(mocks, 'critical', 'noeviction', 'pending-reboot');
    const [result] = await checkCache(aws, {
      tiers: [{ name: 'critical', replicationGroupId: 'rg-critical', expectedPolicy: 'noeviction' }],
    });
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('rg-critical-001: parameter group pg-critical is pending-reboot');
  });

  test('reads every page of parameters (maxmemory-policy on the second)', async () => {
    const { aws, mocks } = mockAws();
    tier(mocks, 'hot', 'allkeys-lru');
    mocks.elastiCache
      .on(DescribeCacheParametersCommand)
      .resolvesOnce({ Parameters: [{ ParameterName: 'appendonly', ParameterValue: 'no' }], Marker: 'next' })
      .resolvesOnce({ Parameters: [{ ParameterName: 'maxmemory-policy', ParameterValue: 'allkeys-lru' }] });
    const [result] = await checkCache(aws, { tiers: [{ name: 'hot', replicationGroupId: 'rg-hot', expectedPolicy: 'allkeys-lru' }] });
    expect(result.ok).toBe(true);
  });

  test('reports the policy without judging it when config names no expected policy', async () => {
    const { aws, mocks } = mockAws();
    tier(mocks, 'hot', 'volatile-lru');
    const [result] = await checkCache(aws, { tiers: [{ name: 'Hot', replicationGroupId: 'rg-hot' }] });
    expect(result).toEqual({
      name: 'cache Hot eviction policy',
      ok: true,
      detail: 'volatile-lru on 2 nodes, parameter group pg-hot (config names no expected policy to compare)',
    });
  });

  test('fails for a configured tier that was not published, and when no tier is published at all', async () => {
    const { aws } = mockAws();
    expect(await checkCache(aws, { tiers: [{ name: 'critical', expectedPolicy: 'noeviction' }] })).toEqual([
      { name: 'cache critical eviction policy', ok: false, detail: 'configured, but no replication group published for it' },
    ]);
    expect(await checkCache(aws, { tiers: [] })).toEqual([
      { name: 'cache tiers', ok: false, detail: 'no tier published (no Cache<Tier>ReplicationGroupId output)' },
    ]);
  });

  test('passes after throttling, and fails one tier only when its parameters are denied', async () => {
    const { aws, mocks } = mockAws();
    tier(mocks, 'critical', 'noeviction');
    tier(mocks, 'hot', 'allkeys-lru');
    mocks.elastiCache
      .on(DescribeReplicationGroupsCommand, { ReplicationGroupId: 'rg-critical' })
      .rejectsOnce(throttling())
      .rejectsOnce(throttling())
      .resolves({ ReplicationGroups: [{ MemberClusters: ['rg-critical-001'] }] });
    mocks.elastiCache.on(DescribeCacheParametersCommand, { CacheParameterGroupName: 'pg-hot' }).rejects(accessDenied());
    const results = await checkCache(aws, {
      tiers: [
        { name: 'critical', replicationGroupId: 'rg-critical', expectedPolicy: 'noeviction' },
        { name: 'hot', replicationGroupId: 'rg-hot', expectedPolicy: 'allkeys-lru' },
      ],
    });
    expect(results).toEqual([
      { name: 'cache critical eviction policy', ok: true, detail: 'noeviction on 1 node, parameter group pg-critical' },
      {
        name: 'cache hot eviction policy',
        ok: false,
        detail: 'access denied: elasticache:DescribeCacheParameters is not allowed for these credentials (AccessDenied)',
      },
    ]);
  });
});

import { RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CacheTier, type CacheTierProps } from '../../lib/constructs/cache-tier';
import { CacheTiers } from '../../lib/constructs/cache-tiers';
import { stackWithVpc } from './fixtures';
import { CACHE_TIER_SPEC as SPEC } from './settings';

function tier(overrides: Partial<CacheTierProps> = {}) {
  const { stack, vpc, key } = stackWithVpc();
  const construct = new CacheTier(stack, 'Critical', {
    ...SPEC,
    vpc,
    subnets: { subnetGroupName: 'isolated' },
    encryptionKey: key,
    logRetentionDays: 30,
    ...overrides,
  });
  return { construct, template: () => Template.fromStack(stack) };
}

describe('CacheTier', () => {
  test('a replication group without cluster mode on port 6379, 25% reserved memory, deleted without a final snapshot by default', () => {
    // GIVEN / WHEN
    const { construct, template } = tier();
    // THEN
    const t = template();
    t.hasResource('AWS::ElastiCache::ReplicationGroup', {
      Properties: { ClusterMode: 'disabled', NumCacheClusters: 2, Port: 6379, TransitEncryptionMode: 'required', MultiAZEnabled: true },
      DeletionPolicy: 'Delete',
    });
    t.hasResourceProperties('AWS::ElastiCache::ParameterGroup', {
      Properties: { 'maxmemory-policy': 'noeviction', 'reserved-memory-percent': '25', 'cluster-enabled': 'no' },
    });
    t.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
    expect(construct.nodeIds).toEqual([`${construct.replicationGroupId}-001`, `${construct.replicationGroupId}-002`]);
    expect(construct.capacity).toBe(SPEC.capacity);
  });

  test('cluster mode: shards and replicas per shard, the configuration endpoint for both roles', () => {
    const { construct, template } = tier({ clusterMode: true, shards: 2 });
    template().hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      ClusterMode: 'enabled',
      NumNodeGroups: 2,
      ReplicasPerNodeGroup: 1,
    });
    expect(construct.primaryEndpoint).toBe(construct.readerEndpoint);
    expect(construct.nodeIds).toHaveLength(4);
  });

  test('a final snapshot and removal policies as given', () => {
    const { template } = tier({ finalSnapshot: true, logGroupPolicy: { removalPolicy: RemovalPolicy.DESTROY } });
    const t = template();
    t.hasResource('AWS::ElastiCache::ReplicationGroup', { DeletionPolicy: 'Snapshot' });
    t.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Delete' });
    t.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
  });

  test('fails on Multi-AZ without a replica', () => {
    expect(() => tier({ replicas: 0 })).toThrow(
      'CacheTier Test/Critical: expected at least 1 replica with multiAz (ElastiCache fails over to a replica in another zone), got 0',
    );
  });

  test('fails on more than 5 replicas per shard', () => {
    expect(() => tier({ replicas: 6 })).toThrow('CacheTier Test/Critical: expected 0 to 5 replicas per shard, got 6');
  });

  test('fails on no shard', () => {
    expect(() => tier({ clusterMode: true, shards: 0 })).toThrow('CacheTier Test/Critical: expected at least 1 shard, got 0');
  });

  test('fails on a noeviction tier with short snapshots and no reason; a reason makes it an acknowledgement', () => {
    expect(() => tier({ snapshotRetentionDays: 1 })).toThrow(
      'CacheTier Test/Critical: expected at least 15 days of snapshots for a noeviction tier, or a shortSnapshotRetentionReason, got 1',
    );
    const { construct } = tier({ snapshotRetentionDays: 1, shortSnapshotRetentionReason: 'a non-production environment' });
    // The acknowledgement is construct metadata that the compliance plugins read at synth.
    expect(JSON.stringify(construct.replicationGroup.node.metadata)).toContain(
      'Snapshots kept 1 days (cache.tiers.critical.snapshotRetentionDays) in a non-production environment',
    );
  });
});

describe('CacheTiers', () => {
  test('one tier per spec, each under its name in PascalCase, sharing the key and the log retention', () => {
    // GIVEN
    const { stack, vpc, key } = stackWithVpc();
    // WHEN
    const tiers = new CacheTiers(stack, 'Cache', {
      tiers: [SPEC, { ...SPEC, name: 'rate-limit', evictionPolicy: 'volatile-ttl', snapshotRetentionDays: 0 }],
      vpc,
      subnets: { subnetGroupName: 'isolated' },
      encryptionKey: key,
      logRetentionDays: 14,
    });
    // THEN
    expect(tiers.tiers.map((t) => t.node.path)).toEqual(['Test/Cache/Critical', 'Test/Cache/RateLimit']);
    expect(tiers.tier('rate-limit').evictionPolicy).toBe('volatile-ttl');
    Template.fromStack(stack).resourceCountIs('AWS::ElastiCache::ReplicationGroup', 2);
    // Outputs are the stack's to publish (EnvironmentStack.publish), not the construct's.
    expect(Object.keys(Template.fromStack(stack).toJSON().Outputs ?? {})).toEqual([]);
  });

  test('tier() fails on an unknown name, listing the tiers', () => {
    const { stack, vpc, key } = stackWithVpc();
    const tiers = new CacheTiers(stack, 'Cache', {
      tiers: [SPEC],
      vpc,
      subnets: { subnetGroupName: 'isolated' },
      encryptionKey: key,
      logRetentionDays: 14,
    });
    expect(() => tiers.tier('hot')).toThrow('No cache tier "hot": the tiers are critical (cache.tiers in config)');
  });

  test('fails on two tiers of one name', () => {
    const { stack, vpc, key } = stackWithVpc();
    expect(
      () =>
        new CacheTiers(stack, 'Cache', {
          tiers: [SPEC, SPEC],
          vpc,
          subnets: { subnetGroupName: 'isolated' },
          encryptionKey: key,
          logRetentionDays: 14,
        }),
    ).toThrow('CacheTiers Test/Cache: expected unique tier names, got critical more than once');
  });
});

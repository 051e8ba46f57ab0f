/**
 * The cache tiers' eviction policies, as in effect on every node. A session tier that evicts logs users out
 * when it fills; the policy is the tier's whole point. ElastiCache refuses CONFIG GET, so the policy is read
 * through the API: replication group, then each member cluster's parameter group, then its parameters.
 */
import {
  DescribeCacheClustersCommand,
  DescribeCacheParametersCommand,
  DescribeReplicationGroupsCommand,
  type CacheCluster,
} from '@aws-sdk/client-elasticache';
import { type Aws, allPages } from './aws';
import { type CheckResult, fail, guard, pass } from './result';

export interface CacheTierInput {
  /** The tier's name, as in config `cache.tiers` (or as published when config has no entry for it). */
  readonly name: string;
  /** From the `Cache<Tier>ReplicationGroupId` output; undefined when config names a tier that was not published. */
  readonly replicationGroupId?: string;
  /** The `maxmemory-policy` the tier must have; undefined when config does not say. */
  readonly expectedPolicy?: string;
}

export interface CacheInput {
  readonly tiers: readonly CacheTierInput[];
}

const POLICY = 'maxmemory-policy';

export async function checkCache(aws: Aws, input: CacheInput): Promise<CheckResult[]> {
  if (input.tiers.length === 0) return [fail('cache tiers', 'no tier published (no Cache<Tier>ReplicationGroupId output)')];
  const results: CheckResult[] = [];
  for (const tier of input.tiers) {
    const name = `cache ${tier.name} eviction policy`;
    results.push(...(await guard(name, () => checkTier(aws, tier, name))));
  }
  return results;
}

async function checkTier(aws: Aws, tier: CacheTierInput, name: string): Promise<CheckResult> {
  if (!tier.replicationGroupId) return fail(name, 'configured, but no replication group published for it');
  const groups = (
    await allPages(
      (Marker) =>
        aws.call('elasticache:DescribeReplicationGroups', () =>
          aws.clients.elastiCache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: tier.replicationGroupId, Marker })),
        ),
      (page) => page.Marker,
    )
  ).flatMap((page) => page.ReplicationGroups ?? []);
  const members = groups.flatMap((group) => group.MemberClusters ?? []);
  if (members.length === 0) return fail(name, `replication group ${tier.replicationGroupId} has no member clusters`);

  const clusters: CacheCluster[] = [];
  for (const CacheClusterId of members) {
    const pages = await allPages(
      (Marker) =>
        aws.call('elasticache:DescribeCacheClusters', () =>
          aws.clients.elastiCache.send(new DescribeCacheClustersCommand({ CacheClusterId, Marker })),
        ),
      (page) => page.Marker,
    );
    clusters.push(...pages.flatMap((page) => page.CacheClusters ?? []));
  }

  const problems: string[] = [];
  const policies = new Map<string, string | undefined>();
  for (const cluster of clusters) {
    const group = cluster.CacheParameterGroup;
    if (!group?.CacheParameterGroupName) {
      problems.push(`${cluster.CacheClusterId} reports no parameter group`);
      continue;
    }
    // A policy changed in the group but not yet applied is not the policy the node runs.
    if (group.ParameterApplyStatus && group.ParameterApplyStatus !== 'in-sync') {
      problems.push(`${cluster.CacheClusterId}: parameter group ${group.CacheParameterGroupName} is ${group.ParameterApplyStatus}`);
    }
    if (!policies.has(group.CacheParameterGroupName)) {
      policies.set(group.CacheParameterGroupName, await readPolicy(aws, group.CacheParameterGroupName));
    }
  }
  for (const [group, policy] of policies) {
    if (policy === undefined) problems.push(`parameter group ${group} has no ${POLICY}`);
    else if (tier.expectedPolicy !== undefined && policy !== tier.expectedPolicy) {
      problems.push(`parameter group ${group} has ${POLICY} ${policy}, expected ${tier.expectedPolicy}`);
    }
  }
  if (problems.length > 0) return fail(name, problems.join('; '));
  const found = [...new Set(policies.values())].join(', ');
  const where = `${clusters.length} node${clusters.length === 1 ? '' : 's'}, parameter group ${[...policies.keys()].join(', ')}`;
  return pass(name, tier.expectedPolicy ? `${found} on ${where}` : `${found} on ${where} (config names no expected policy to compare)`);
}

async function readPolicy(aws: Aws, groupName: string): Promise<string | undefined> {
  const pages = await allPages(
    (Marker) =>
      aws.call('elasticache:DescribeCacheParameters', () =>
        aws.clients.elastiCache.send(new DescribeCacheParametersCommand({ CacheParameterGroupName: groupName, Marker })),
      ),
    (page) => page.Marker,
  );
  return pages.flatMap((page) => page.Parameters ?? []).find((parameter) => parameter.ParameterName === POLICY)?.ParameterValue;
}

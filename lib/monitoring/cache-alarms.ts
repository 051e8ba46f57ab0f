/**
 * Alarms and dashboard of one cache tier.
 *
 * ElastiCache publishes Valkey metrics per node (`CacheClusterId`), not per replication group, and the library's
 * `monitorElastiCacheCluster` watches one node with a fixed set of alarms (no memory percentage, replication lag
 * or hit rate). So each tier is a custom segment of the facade whose alarms combine the tier's nodes with metric
 * math: the fullest node (`MAX`), the tier's evictions (`SUM`), its hit rate from hits and misses.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { CustomMetricGroup, CustomMetricWithAlarm } from 'cdk-monitoring-constructs';
import { type AlarmKit, type AlarmSpec, GT, LT, chunk, metric } from './alarm-kit';
import type { CacheTier } from '../constructs/cache-tier';

const NS = 'AWS/ElastiCache';
const PERIOD = Duration.minutes(1);
/** CloudWatch takes at most 10 metrics in one alarm's expression. */
const METRICS_PER_ALARM = 10;

export function monitorCacheTier(kit: AlarmKit, tier: CacheTier): void {
  const t = kit.thresholds.cache;
  const noeviction = tier.evictionPolicy === 'noeviction';
  const nodes = (n: string, statistic: string) => (id: string) => metric(NS, n, { CacheClusterId: id }, statistic, `${n} ${id}`);

  /**
   * One alarm per group of nodes on `fn` of their values; groups are numbered only when there are several. Metric
   * IDs carry the alarm's name: a graph may not hold two metrics under one ID.
   */
  const overNodes = (metricName: string, statistic: string, fn: 'MAX' | 'SUM', spec: AlarmSpec): CustomMetricWithAlarm[] => {
    const groups = chunk(tier.nodeIds, METRICS_PER_ALARM);
    const key = spec.name.replace(/[^a-z]/g, '');
    return groups.map((ids, g) => {
      const idOf = (i: number) => `${key}${g}n${i}`;
      const usingMetrics = Object.fromEntries(ids.map((id, i) => [idOf(i), nodes(metricName, statistic)(id)]));
      const expression = ids.length === 1 ? idOf(0) : `${fn}([${ids.map((_, i) => idOf(i)).join(', ')}])`;
      const suffix = groups.length > 1 ? `-nodes-${g + 1}` : '';
      return kit.alarm(
        new cloudwatch.MathExpression({ expression, usingMetrics, period: PERIOD, label: `${metricName} (${fn.toLowerCase()} of nodes)` }),
        {
          ...spec,
          name: `${spec.name}${suffix}`,
        },
      );
    });
  };

  const memoryThreshold = noeviction ? t.noevictionMemoryPercent : t.evictingMemoryPercent;
  const alarms: CustomMetricWithAlarm[] = [
    ...overNodes('DatabaseMemoryUsagePercentage', 'Maximum', 'MAX', {
      name: 'memory',
      section: noeviction ? 'noeviction-tier-memory-high' : 'cache-memory-high',
      description: noeviction
        ? `A node of the ${tier.name} cache tier (noeviction) uses more than ${memoryThreshold}% of its memory: at 100% it refuses writes (no new sessions, users cannot log in). Warned early: the capacity model plans for at most 70%.`
        : `A node of the ${tier.name} cache tier (${tier.evictionPolicy}) uses more than ${memoryThreshold}% of its memory: it is about to evict keys to make room.`,
      threshold: memoryThreshold,
      comparison: GT,
    }),
    ...overNodes('EngineCPUUtilization', 'Maximum', 'MAX', {
      name: 'engine-cpu',
      section: 'cache-engine-cpu-high',
      description: `The engine thread of a node of the ${tier.name} cache tier is above ${t.engineCpuPercent}% CPU: Valkey serves commands on one thread, so commands queue.`,
      threshold: t.engineCpuPercent,
      comparison: GT,
    }),
    ...overNodes('CurrConnections', 'Maximum', 'MAX', {
      name: 'connections',
      section: 'cache-connections-high',
      description: `A node of the ${tier.name} cache tier has more than ${t.connectionsPerNode.toLocaleString('en-US')} client connections: a client leaks connections or the fleet outgrew the tier.`,
      threshold: t.connectionsPerNode,
      comparison: GT,
    }),
  ];
  if (tier.replicasPerShard > 0) {
    // Replicas publish ReplicationLag; the primary publishes nothing, which MAX ignores.
    alarms.push(
      ...overNodes('ReplicationLag', 'Maximum', 'MAX', {
        name: 'replication-lag',
        section: 'cache-replication-lag-high',
        description: `A replica of the ${tier.name} cache tier is more than ${t.replicationLagSeconds} s behind its primary: reads from the reader endpoint are stale, and a failover would lose those writes.`,
        threshold: t.replicationLagSeconds,
        comparison: GT,
      }),
    );
  }
  if (!noeviction) {
    alarms.push(
      ...overNodes('Evictions', 'Sum', 'SUM', {
        name: 'evictions',
        section: 'cache-evictions-high',
        description: `The ${tier.name} cache tier evicts more than ${t.evictionsPerMinute.toLocaleString('en-US')} keys a minute: its working set no longer fits, and every evicted key is a database query.`,
        threshold: t.evictionsPerMinute,
        comparison: GT,
      }),
      ...hitRate(kit, tier),
    );
  }
  kit.facade.monitorCustom({
    alarmFriendlyName: `cache-${tier.name}`,
    humanReadableName: `Cache tier ${tier.name} (${tier.evictionPolicy})`,
    // One graph per signal, so that a percentage never shares an axis with a count.
    metricGroups: groupsBySignal(tier.name, alarms),
  });
}

/**
 * Hits over lookups of the whole tier. Not the per-node `CacheHitRate`: averaging it would weigh an idle replica
 * like the busy primary. Two metrics per node, so at most five nodes per alarm.
 */
function hitRate(kit: AlarmKit, tier: CacheTier): CustomMetricWithAlarm[] {
  const t = kit.thresholds.cache;
  const groups = chunk(tier.nodeIds, METRICS_PER_ALARM / 2);
  return groups.map((ids, g) => {
    const usingMetrics: Record<string, cloudwatch.IMetric> = {};
    ids.forEach((id, i) => {
      usingMetrics[`hits${g}n${i}`] = metric(NS, 'CacheHits', { CacheClusterId: id }, 'Sum', `CacheHits ${id}`);
      usingMetrics[`misses${g}n${i}`] = metric(NS, 'CacheMisses', { CacheClusterId: id }, 'Sum', `CacheMisses ${id}`);
    });
    const hits = ids.map((_, i) => `FILL(hits${g}n${i}, 0)`).join(' + ');
    const misses = ids.map((_, i) => `FILL(misses${g}n${i}, 0)`).join(' + ');
    // Below 100 lookups a minute a few misses are not a trend; no lookups at all is not a low hit rate.
    const expression = `IF((${hits}) + (${misses}) >= 100, 100 * (${hits}) / ((${hits}) + (${misses})))`;
    return kit.alarm(new cloudwatch.MathExpression({ expression, usingMetrics, period: PERIOD, label: 'Hit rate %' }), {
      name: `hit-rate${groups.length > 1 ? `-nodes-${g + 1}` : ''}`,
      section: 'cache-hit-rate-low',
      description: `Fewer than ${t.minHitRatePercent}% of lookups in the ${tier.name} cache tier are hits: the database serves the misses (a stampede after hot keys expired, or a tier too small).`,
      threshold: t.minHitRatePercent,
      comparison: LT,
      datapointsToAlarm: 5,
      evaluationPeriods: 5,
    });
  });
}

const SIGNAL_TITLES: Record<string, string> = {
  memory: 'memory used (% of maxmemory)',
  engine: 'engine CPU (%)',
  connections: 'client connections',
  replication: 'replication lag (s)',
  evictions: 'evictions per minute',
  hit: 'hit rate (%)',
};

function groupsBySignal(tierName: string, alarms: readonly CustomMetricWithAlarm[]): CustomMetricGroup[] {
  const bySignal = new Map<string, CustomMetricWithAlarm[]>();
  for (const alarm of alarms) {
    const signal = alarm.alarmFriendlyName.split('-')[0];
    bySignal.set(signal, [...(bySignal.get(signal) ?? []), alarm]);
  }
  return [...bySignal].map(([signal, metrics]) => ({ title: `${tierName}: ${SIGNAL_TITLES[signal] ?? signal}`, metrics }));
}

/**
 * Observability in a bare stack, over a real database, two cache tiers (one noeviction, one evicting), a service and
 * the load balancer: every alarm is named with the prefix, links its runbook section and reaches the topic (itself
 * or through its service's "degraded" composite), each watched resource gets its alarms, and the dashboard exists.
 * What each alarm means and why its threshold is set are docs/observability.md's; the whole-environment alarm set
 * is pinned by the snapshots.
 */
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CacheTier } from '../../lib/constructs/cache-tier';
import { AuroraDatabase } from '../../lib/constructs/database';
import { PublicLoadBalancer } from '../../lib/constructs/load-balancer';
import { Observability, type ObservabilityProps } from '../../lib/constructs/observability';
import { WebService } from '../../lib/constructs/web-service';
import type { AlarmThresholds } from '../../lib/monitoring/alarm-kit';
import { stackWithVpc } from './fixtures';
import { AURORA_SETTINGS, CACHE_TIER_SPEC, LOAD_BALANCER_SETTINGS, WEB_SERVICE_SETTINGS, databasePlan, databaseProps } from './settings';

const PREFIX = 'App-dev';
const RUNBOOK = 'https://example.com/runbook.md';
/** Distinct values, so that an alarm's threshold shows where it came from. */
const THRESHOLDS: AlarmThresholds = {
  database: {
    cpuPercent: 81,
    freeableMemoryMiB: 256,
    freeStorageGiB: 10,
    connectionsPercent: 82,
    readLatencyMs: 20,
    writeLatencyMs: 30,
    replicaLagSeconds: 31,
  },
  proxy: {
    clientConnectionsPercent: 83,
    databaseConnectionsPercent: 84,
    borrowLatencyMs: 50,
    queryResponseLatencyMs: 200,
    pinnedConnectionsPercent: 25,
  },
  cache: {
    noevictionMemoryPercent: 71,
    evictingMemoryPercent: 91,
    engineCpuPercent: 85,
    connectionsPerNode: 5000,
    replicationLagSeconds: 11,
    evictionsPerMinute: 1000,
    minHitRatePercent: 60,
  },
  services: { cpuPercent: 86, memoryPercent: 87, belowDesiredMinutes: 6, target5xxPercent: 4, p99LatencyMs: 1500, unhealthyHosts: 2 },
  loadBalancer: { elb5xxPercent: 3, rejectedConnections: 1 },
};

interface Alarm {
  AlarmName: string;
  AlarmDescription: string;
  AlarmActions?: unknown[];
  OKActions?: unknown[];
  ActionsEnabled?: boolean;
  Threshold: number;
  DatapointsToAlarm: number;
  EvaluationPeriods: number;
}

function build(overrides: (rule: (id: string) => events.Rule) => Partial<ObservabilityProps> = () => ({})) {
  const { stack, vpc, key } = stackWithVpc();
  const database = new AuroraDatabase(stack, 'Database', {
    ...databaseProps(vpc, key),
    settings: AURORA_SETTINGS,
    capacityPlan: databasePlan('aurora-postgresql', AURORA_SETTINGS.readReplicas),
  });
  const tier = (id: string, spec: Partial<typeof CACHE_TIER_SPEC>) =>
    new CacheTier(stack, id, {
      ...CACHE_TIER_SPEC,
      ...spec,
      vpc,
      subnets: { subnetGroupName: 'isolated' },
      encryptionKey: key,
      logRetentionDays: 30,
    });
  const critical = tier('Critical', {});
  const hot = tier('Hot', { name: 'hot', evictionPolicy: 'allkeys-lru', snapshotRetentionDays: 0 });
  const loadBalancer = new PublicLoadBalancer(stack, 'LoadBalancer', {
    settings: LOAD_BALANCER_SETTINGS,
    vpc,
    subnets: { subnetGroupName: 'public' },
    logsKey: key,
    namePrefix: PREFIX,
  });
  const service = new WebService(stack, 'ApiService', {
    name: 'api',
    settings: WEB_SERVICE_SETTINGS,
    cluster: new ecs.Cluster(stack, 'Cluster', { vpc }),
    subnets: { subnetGroupName: 'private' },
    listener: loadBalancer.listener,
    loadBalancerIdleTimeout: Duration.seconds(60),
    database,
    databasePoolSize: 10,
    cacheTiers: [critical, hot],
    logsKey: key,
    alarmNamePrefix: PREFIX,
  });
  const topic = new sns.Topic(stack, 'Topic');
  const rule = (id: string) => new events.Rule(stack, id, { eventPattern: { source: ['aws.test'] } });
  const deploymentRule = rule('DeploymentFailures');
  const observability = new Observability(stack, 'Observability', {
    thresholds: THRESHOLDS,
    runbookUrl: RUNBOOK,
    namePrefix: PREFIX,
    topic,
    database,
    cacheTiers: [critical, hot],
    services: [service],
    loadBalancer,
    deploymentFailureRule: deploymentRule,
    ...overrides(rule),
  });
  const template = Template.fromStack(stack);
  const alarmsById = Object.fromEntries(
    Object.entries(template.findResources('AWS::CloudWatch::Alarm'))
      .map(([id, r]) => [id, r.Properties as Alarm] as const)
      // The service's own deployment alarms (WebService's, not Observability's) roll deployments back.
      .filter(([, a]) => !a.AlarmName.includes('-deployment-')),
  );
  const alarms = Object.values(alarmsById);
  const byName = (suffix: string) => {
    const found = alarms.filter((a) => a.AlarmName.endsWith(suffix));
    if (found.length !== 1)
      throw new Error(`expected one alarm named *${suffix}, got ${found.map((a) => a.AlarmName).join(', ') || 'none'}`);
    return found[0];
  };
  return { stack, topic, observability, template, alarms, alarmsById, byName, deploymentRule };
}

interface MetricAlarm {
  Metrics: { MetricStat: { Metric: { MetricName: string; Dimensions: { Name: string; Value: unknown }[] } } }[];
}

// One environment for the tests that read the default build (building one takes seconds).
const BUILT = build();

describe('Observability', () => {
  test('every alarm is named with the prefix, links its runbook section, and notifies the topic on ALARM and OK, or is silent inside a composite that does', () => {
    // GIVEN / WHEN
    const { stack, topic, template, alarms, alarmsById } = BUILT;
    // THEN
    const topicRef = stack.resolve(topic.topicArn);
    const composites = Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm')).map((r) => r.Properties);
    expect(composites.map((c) => [c.AlarmName, c.AlarmActions, c.OKActions])).toEqual([
      [`${PREFIX}-service-api-degraded`, [topicRef], [topicRef]],
    ]);
    // The composite names its components by ARN: `ALARM("<Fn::GetAtt [id, Arn]>")`.
    const components = new Set(JSON.stringify(composites[0].AlarmRule).match(/(?<="Fn::GetAtt":\[")[^"]+/g));
    expect(alarms.length).toBeGreaterThan(20);
    const silent: string[] = [];
    for (const [id, alarm] of Object.entries(alarmsById)) {
      expect(alarm.AlarmName.startsWith(`${PREFIX}-`)).toBe(true);
      expect(alarm.AlarmDescription).toMatch(new RegExp(`${RUNBOOK.replace(/\./g, '\\.')}#[a-z0-9-]+`));
      if (components.has(id)) {
        // Silent: the composite says "api degraded" once, naming the cause.
        expect([alarm.AlarmName, alarm.AlarmActions, alarm.OKActions]).toEqual([alarm.AlarmName, undefined, undefined]);
        silent.push(alarm.AlarmName.slice(PREFIX.length + 1));
      } else {
        expect([alarm.AlarmName, alarm.AlarmActions, alarm.OKActions]).toEqual([alarm.AlarmName, [topicRef], [topicRef]]);
      }
    }
    expect(silent.sort()).toEqual([
      'service-api-5xx-rate-Critical',
      'service-api-Unhealthy-Tasks-Critical',
      'service-api-p99-latency-Critical',
      'service-api-running-below-desired-Critical',
    ]);
  });

  test('three one-minute datapoints out of five unless an alarm says otherwise', () => {
    expect(BUILT.byName('-database-writer-cpu-Critical')).toMatchObject({ Threshold: 81, DatapointsToAlarm: 3, EvaluationPeriods: 5 });
  });

  test('the database: one replica-lag alarm per reader, and the proxy pool against the capacity plan', () => {
    const { alarms, byName } = BUILT;
    const lag = alarms.filter((a) => /-reader-\d+-replica-lag-Critical$/.test(a.AlarmName));
    expect(lag.map((a) => a.Threshold)).toEqual([31, 31]);
    const plan = databasePlan('aurora-postgresql', 2);
    expect(byName('-proxy-client-connections-Critical').Threshold).toBe(Math.floor((plan.proxyClientCapacity * 83) / 100));
  });

  test('cache tiers: a noeviction tier is warned early on memory and has no eviction or hit-rate alarm; an evicting tier has both', () => {
    const { alarms, byName } = BUILT;
    expect(byName('-cache-critical-memory-Critical').Threshold).toBe(71);
    expect(byName('-cache-hot-memory-Critical').Threshold).toBe(91);
    expect(alarms.filter((a) => /-cache-critical-(evictions|hit-rate)/.test(a.AlarmName))).toEqual([]);
    expect(byName('-cache-hot-evictions-Critical').Threshold).toBe(1000);
    expect(byName('-cache-hot-hit-rate-Critical').Threshold).toBe(60);
    // One replica per shard: replication lag is watched.
    expect(byName('-cache-critical-replication-lag-Critical').Threshold).toBe(11);
  });

  test('the service and the load balancer', () => {
    const { byName } = BUILT;
    expect(byName('-service-api-5xx-rate-Critical').Threshold).toBe(4);
    expect(byName('-service-api-p99-latency-Critical').Threshold).toBe(1.5);
    expect(byName('-load-balancer-elb-5xx-rate-Critical').Threshold).toBe(3);
  });

  test('the deployment-failure rule it is given: an alarm when it cannot deliver', () => {
    const { stack, byName, deploymentRule } = BUILT;
    const alarm = byName('-deployments-notifications-failing-Critical') as Alarm & MetricAlarm;
    expect(alarm).toMatchObject({ Threshold: 1, DatapointsToAlarm: 1, EvaluationPeriods: 1 });
    expect(alarm.Metrics.map((m) => m.MetricStat.Metric)).toEqual([
      {
        Namespace: 'AWS/Events',
        MetricName: 'FailedInvocations',
        Dimensions: [{ Name: 'RuleName', Value: stack.resolve(deploymentRule.ruleName) }],
      },
    ]);
  });

  test('no backup alarm by default', () => {
    expect(BUILT.alarms.filter((a) => a.AlarmName.includes('-backups-'))).toEqual([]);
  });

  test('one alarm per backup failure rule it is given, named by the kind of job', () => {
    // GIVEN / WHEN
    const { alarms } = build((rule) => ({
      backupFailureRules: [
        { kind: 'backup', rule: rule('BackupFailed') },
        { kind: 'copy', rule: rule('CopyFailed') },
      ],
    }));
    // THEN
    expect(alarms.filter((a) => a.AlarmName.includes('-backups-')).map((a) => a.AlarmName)).toEqual([
      `${PREFIX}-backups-backup-notifications-failing-Critical`,
      `${PREFIX}-backups-copy-notifications-failing-Critical`,
    ]);
  });

  test('the dashboard is named with the prefix and shows every composite at a glance', () => {
    const dashboards = Object.values(BUILT.template.findResources('AWS::CloudWatch::Dashboard')).map((r) => r.Properties);
    expect(dashboards.map((d) => d.DashboardName)).toEqual([PREFIX]);
    expect(JSON.stringify(dashboards[0].DashboardBody)).toContain('Services degraded?');
  });
});

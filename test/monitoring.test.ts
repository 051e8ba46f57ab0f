/**
 * Specifications of the alarms and the dashboard: every failure mode of docs/architecture.md is watched, every
 * alarm reaches the alarm topic (itself or through the composite it feeds), thresholds come from config, and
 * every alarm links a section of docs/runbook.md that exists.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { RUNBOOK_SECTIONS } from '../lib/monitoring/runbook';
import { Outputs } from '../lib/outputs';
import { configOf, synth } from './support/synth';
import { WORKER_SERVICE } from './support/fixtures';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Alarm = { logicalId: string; name: string; props: Record<string, unknown>; metrics: string[]; dimensions: Record<string, unknown>[] };

const ROOT = path.join(__dirname, '..');
const ENVIRONMENTS = ['dev', 'staging', 'prod'];

function metricAlarms(template: Template): Alarm[] {
  const resources = template.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>;
  return Object.entries(resources).map(([logicalId, r]) => {
    const p = r.Properties;
    type Stat = { MetricStat?: { Metric: { MetricName: string; Dimensions?: { Name: string; Value: unknown }[] } } };
    const stats = ((p.Metrics as Stat[] | undefined) ?? []).filter((m) => m.MetricStat).map((m) => m.MetricStat!.Metric);
    const metrics = p.MetricName ? [p.MetricName as string] : stats.map((m) => m.MetricName);
    const dims = p.MetricName ? [p.Dimensions as { Name: string; Value: unknown }[]] : stats.map((m) => m.Dimensions ?? []);
    return {
      logicalId,
      name: p.AlarmName as string,
      props: p,
      metrics,
      dimensions: dims.map((d) => Object.fromEntries((d ?? []).map((x) => [x.Name, x.Value]))),
    };
  });
}

function compositeAlarms(template: Template): { name: string; props: Record<string, unknown> }[] {
  const resources = template.findResources('AWS::CloudWatch::CompositeAlarm') as Record<string, Resource>;
  return Object.values(resources).map((r) => ({ name: r.Properties.AlarmName as string, props: r.Properties }));
}

const monitoringOf = (env: string | ReturnType<typeof configOf>) => synth(env).template('monitoring');
const alarmsOf = (env: string | ReturnType<typeof configOf>) => metricAlarms(monitoringOf(env));
const byName = (alarms: Alarm[], fragment: string) => alarms.filter((a) => a.name.includes(fragment));
const topicRef = (template: Template) => ({ Ref: Object.keys(template.findResources('AWS::SNS::Topic'))[0] });
const json = (value: unknown) => JSON.stringify(value);

describe('every failure mode of docs/architecture.md is watched', () => {
  // The rows of the failure-mode table, and the metrics whose alarms watch each. A new row fails the test below
  // until it is added here with its alarms.
  const WATCHED: Record<string, string[]> = {
    'Connection pool exhausted': [
      'ClientConnections',
      'DatabaseConnections',
      'DatabaseConnectionsBorrowLatency',
      'DatabaseConnectionsCurrentlySessionPinned',
    ],
    'Reads from a stale replica': ['AuroraReplicaLag'],
    'Primary CPU saturated by reads': ['CPUUtilization', 'FreeableMemory', 'FreeLocalStorage'],
    'Missing index': ['ReadLatency', 'WriteLatency', 'CPUUtilization'],
    'Redis at 98% memory evicted sessions': ['DatabaseMemoryUsagePercentage', 'Evictions', 'CacheHits', 'CacheMisses'],
    'Cache stampede': ['CacheHits', 'CacheMisses', 'CPUUtilization'],
    'A dead service kept getting traffic': ['UnHealthyHostCount', 'RunningTaskCount', 'DesiredTaskCount'],
    'A bad deploy took everything down': ['HTTPCode_Target_5XX_Count', 'TargetResponseTime', 'FailedInvocations'],
    'Cascade from one slow dependency': ['TargetResponseTime', 'HTTPCode_Target_5XX_Count'],
    // The rows a fault-injection experiment rehearses (docs/chaos.md).
    'The writer failed over': ['DatabaseConnectionsBorrowLatency', 'HTTPCode_Target_5XX_Count'],
    'A reader was lost': ['CPUUtilization', 'AuroraReplicaLag'],
    'A cache node was lost': ['EngineCPUUtilization', 'CacheHits', 'CacheMisses', 'CPUUtilization'],
    'A task hung': ['CPUUtilization', 'TargetResponseTime'],
    'A zone was lost': ['UnHealthyHostCount', 'HTTPCode_Target_5XX_Count'],
  };

  test('the table in docs/architecture.md has exactly these rows', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'architecture.md'), 'utf8');
    const rows = doc
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| What broke') && !line.startsWith('| ---'))
      .map((line) => line.split('|')[1].trim());
    expect(rows).toHaveLength(Object.keys(WATCHED).length);
    for (const row of Object.keys(WATCHED)) expect(rows.some((r) => r.startsWith(row))).toBe(true);
  });

  test.each(ENVIRONMENTS.flatMap((env) => Object.entries(WATCHED).map(([row, metrics]) => [env, row, metrics] as const)))(
    '%s: "%s" has an alarm on each of its metrics',
    (env, _row, metrics) => {
      const watched = new Set(alarmsOf(env).flatMap((a) => a.metrics));
      for (const metric of metrics) expect([metric, watched.has(metric)]).toEqual([metric, true]);
    },
  );

  test('failed deployments reach the topic through the EventBridge rule, with a runbook link', () => {
    const template = monitoringOf('prod');
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: { eventName: ['SERVICE_DEPLOYMENT_FAILED'] } }),
      Targets: [
        Match.objectLike({
          Arn: topicRef(template),
          InputTransformer: Match.objectLike({ InputTemplate: Match.stringLikeRegexp('Runbook: docs/runbook.md#deployment-failed') }),
        }),
      ],
    });
  });
});

describe('alarm actions', () => {
  test.each(ENVIRONMENTS)('%s: every alarm notifies the topic on ALARM and OK, or feeds a composite alarm that does', (env) => {
    const template = monitoringOf(env);
    const topic = topicRef(template);
    const composites = compositeAlarms(template);
    for (const composite of composites) {
      expect(composite.props).toMatchObject({ AlarmActions: [topic], OKActions: [topic], ActionsEnabled: true });
    }
    const silent = metricAlarms(template).filter((a) => a.props.AlarmActions === undefined);
    for (const alarm of metricAlarms(template).filter((a) => a.props.AlarmActions !== undefined)) {
      expect([alarm.name, alarm.props.AlarmActions, alarm.props.OKActions]).toEqual([alarm.name, [topic], [topic]]);
    }
    // Silent alarms are exactly the components of the composites: each named in a composite's rule.
    const rules = composites.map((c) => json(c.props.AlarmRule)).join('\n');
    for (const alarm of silent) {
      expect([alarm.name, alarm.props.OKActions]).toEqual([alarm.name, undefined]);
      expect([alarm.name, rules.includes(alarm.logicalId)]).toEqual([alarm.name, true]);
    }
    expect(silent.length).toBeGreaterThan(0);
  });

  test('a service degraded composite per service, on its 5xx rate, p99 latency, unhealthy targets and running tasks', () => {
    const config = configOf('staging', {
      services: { worker: WORKER_SERVICE },
    });
    const template = monitoringOf(config);
    const composites = compositeAlarms(template);
    expect(composites.map((c) => c.name).sort()).toEqual([
      'ScaledApp-staging-service-api-degraded',
      'ScaledApp-staging-service-worker-degraded',
    ]);
    const alarms = metricAlarms(template);
    for (const service of ['api', 'worker']) {
      const rule = json(composites.find((c) => c.name.endsWith(`service-${service}-degraded`))!.props.AlarmRule);
      const components = alarms
        .filter((a) => rule.includes(a.logicalId))
        .map((a) => a.name.replace(`ScaledApp-staging-service-${service}-`, ''));
      expect(components.sort()).toEqual([
        '5xx-rate-Critical',
        'Unhealthy-Tasks-Critical',
        'p99-latency-Critical',
        'running-below-desired-Critical',
      ]);
    }
  });

  test('alarms outside a composite notify by themselves: CPU and memory of a service are not components', () => {
    const alarms = alarmsOf('prod');
    for (const name of ['service-api-CPU-Usage', 'service-api-Memory-Usage']) {
      expect(byName(alarms, name)[0].props.AlarmActions).toHaveLength(1);
    }
  });
});

describe('thresholds', () => {
  test('come from config: an environment override reaches the alarm', () => {
    const config = configOf('prod', {
      monitoring: { thresholds: { database: { replicaLagSeconds: 7, cpuPercent: 65 }, cache: { engineCpuPercent: 55 } } },
    });
    const alarms = alarmsOf(config);
    for (const alarm of byName(alarms, 'replica-lag')) expect(alarm.props.Threshold).toBe(7);
    expect(byName(alarms, 'database-writer-cpu')[0].props.Threshold).toBe(65);
    for (const alarm of byName(alarms, 'engine-cpu')) expect(alarm.props.Threshold).toBe(55);
  });

  test('the noeviction tier warns earlier than the LRU tier', () => {
    const alarms = alarmsOf('prod');
    const critical = byName(alarms, 'cache-critical-memory')[0].props.Threshold as number;
    const hot = byName(alarms, 'cache-hot-memory')[0].props.Threshold as number;
    expect(critical).toBe(75);
    expect(hot).toBe(90);
    expect(critical).toBeLessThan(hot);
  });

  test('proxy thresholds derive from the capacity plan', () => {
    const { stacks } = synth('prod');
    const plan = stacks.data.database.capacityPlan;
    const alarms = alarmsOf('prod');
    expect(byName(alarms, 'proxy-database-connections')[0].props.Threshold).toBe(Math.floor(plan.proxyConnectionsPerInstance * 0.9));
    expect(byName(alarms, 'proxy-client-connections')[0].props.Threshold).toBe(Math.floor(plan.proxyClientCapacity * 0.8));
    expect(byName(alarms, 'database-writer-connections')[0].props.Threshold).toBe(Math.floor(plan.maxConnections * 0.8));
  });

  test('latencies are converted to the unit of each metric (seconds, microseconds)', () => {
    const alarms = alarmsOf('prod');
    expect(byName(alarms, 'writer-read-latency')[0].props.Threshold).toBe(0.02);
    expect(byName(alarms, 'proxy-borrow-latency')[0].props.Threshold).toBe(50_000);
    expect(byName(alarms, 'service-api-p99-latency')[0].props.Threshold).toBe(1.5);
  });
});

describe('cache tiers', () => {
  test('an LRU tier has eviction and hit-rate alarms; a noeviction tier has neither (it never evicts, and its misses are logged-out users)', () => {
    const alarms = alarmsOf('prod');
    expect(byName(alarms, 'cache-hot-evictions')).toHaveLength(1);
    expect(byName(alarms, 'cache-hot-hit-rate')).toHaveLength(1);
    expect(byName(alarms, 'cache-critical-evictions')).toHaveLength(0);
    expect(byName(alarms, 'cache-critical-hit-rate')).toHaveLength(0);
  });

  test('memory, engine CPU and connections watch every node of a tier; replication lag only where there are replicas', () => {
    const prod = alarmsOf('prod');
    const memory = byName(prod, 'cache-hot-memory')[0];
    expect(memory.metrics).toEqual(Array(3).fill('DatabaseMemoryUsagePercentage'));
    expect(byName(prod, 'cache-hot-replication-lag')).toHaveLength(1);
    const dev = alarmsOf('dev');
    expect(byName(dev, 'replication-lag').filter((a) => a.name.includes('cache'))).toHaveLength(0);
    expect(byName(dev, 'cache-hot-memory')[0].metrics).toEqual(['DatabaseMemoryUsagePercentage']);
  });

  test('a tier of many nodes gets one alarm per 10 nodes (the metric limit of an alarm), 5 for the hit rate', () => {
    const config = configOf('staging', {
      cache: { tiers: { hot: { nodeType: 'cache.r7g.large', clusterMode: true, shards: 4, replicas: 2 } } },
    });
    const alarms = alarmsOf(config);
    expect(byName(alarms, 'cache-hot-memory').map((a) => a.metrics.length)).toEqual([10, 2]);
    expect(byName(alarms, 'cache-hot-hit-rate').map((a) => a.metrics.length)).toEqual([10, 10, 4]);
  });
});

describe('database', () => {
  test('one replica-lag alarm per Aurora reader, on AuroraReplicaLag of that instance', () => {
    const lag = alarmsOf('prod').filter((a) => a.metrics.includes('AuroraReplicaLag'));
    expect(lag.map((a) => a.dimensions[0].DBInstanceIdentifier).sort()).toEqual(['scaledapp-prod-reader-1', 'scaledapp-prod-reader-2']);
  });

  test('one replica-lag alarm per RDS read replica, on ReplicaLag, and FreeStorageSpace for the primary', () => {
    const config = configOf('staging', { database: { engine: 'postgres', readReplicas: 2 } });
    const alarms = alarmsOf(config);
    const lag = alarms.filter((a) => a.metrics.includes('ReplicaLag'));
    expect(lag.map((a) => a.dimensions[0].DBInstanceIdentifier).sort()).toEqual([
      'scaledapp-staging-reader-1',
      'scaledapp-staging-reader-2',
    ]);
    expect(alarms.filter((a) => a.metrics.includes('FreeStorageSpace'))).toHaveLength(1);
    expect(alarms.filter((a) => a.metrics.includes('FreeLocalStorage'))).toHaveLength(0);
  });

  test('the Aurora writer is watched by role, so the alarms follow it across a failover', () => {
    const cpu = byName(alarmsOf('prod'), 'database-writer-cpu')[0];
    expect(cpu.dimensions[0]).toMatchObject({ Role: 'WRITER' });
  });
});

describe('names, outputs and the dashboard', () => {
  test.each(ENVIRONMENTS)('%s: every alarm of the environment starts with the published prefix', (env) => {
    const { stacks } = synth(env);
    const prefix = `ScaledApp-${env}-`;
    monitoringOf(env).hasOutput(Outputs.alarmNamePrefix, { Value: prefix });
    monitoringOf(env).hasOutput(Outputs.alarmTopicArn, { Value: topicRef(monitoringOf(env)) });
    for (const name of Object.keys(stacks) as (keyof typeof stacks)[]) {
      // An environment without experiments has no Chaos stack.
      if (!stacks[name]) continue;
      const template = synth(env).template(name);
      for (const alarm of [...metricAlarms(template), ...compositeAlarms(template)]) expect(alarm.name.startsWith(prefix)).toBe(true);
    }
  });

  test('one dashboard per environment, with widgets for each layer', () => {
    const template = monitoringOf('prod');
    const dashboards = template.findResources('AWS::CloudWatch::Dashboard') as Record<string, Resource>;
    expect(Object.values(dashboards).map((d) => d.Properties.DashboardName)).toEqual(['ScaledApp-prod']);
    const body = json(Object.values(dashboards)[0].Properties.DashboardBody);
    for (const layer of [
      'Database',
      'RDS Proxy connection pool',
      'Cache tier critical',
      'Cache tier hot',
      'Service api',
      'Application Load Balancer',
    ]) {
      expect([layer, body.includes(layer)]).toEqual([layer, true]);
    }
    for (const metric of [
      'AuroraReplicaLag',
      'DatabaseConnectionsBorrowLatency',
      'DatabaseMemoryUsagePercentage',
      'RunningTaskCount',
      'RejectedConnectionCount',
    ]) {
      expect([metric, body.includes(metric)]).toEqual([metric, true]);
    }
  });

  test('cross-stack references stay few: the database and proxy, one per cache tier, the cluster, load balancer, listener (and the load balancer ARN where zonal autoshift is on) and four per service (both target groups)', () => {
    const references = (env: Parameters<typeof synth>[0]) => {
      const text = json(monitoringOf(env).toJSON());
      return new Set([...text.matchAll(/"OutputName":"([^"]+)"/g)].map((m) => m[1])).size;
    };
    // prod: zonal autoshift names the load balancer by ARN.
    expect(references('prod')).toBe(2 + 2 + 3 + 1 + 4 * 1);
    const config = configOf('staging', { services: { worker: WORKER_SERVICE } });
    expect(references(config)).toBe(2 + 2 + 3 + 4 * 2);
  });

  test('the other stacks never reference the Monitoring stack', () => {
    const { stacks } = synth('prod');
    for (const stack of [stacks.network, stacks.data, stacks.service]) {
      expect(stack.dependencies).not.toContain(stacks.monitoring);
    }
    expect(stacks.monitoring.dependencies).toEqual(expect.arrayContaining([stacks.data, stacks.service]));
  });
});

describe('runbook links', () => {
  const runbook = fs.readFileSync(path.join(ROOT, 'docs', 'runbook.md'), 'utf8');
  // GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens.
  const slug = (heading: string) =>
    heading
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9 -]/g, '')
      .replace(/ /g, '-');
  const sections = runbook
    .split('\n')
    .filter((line) => line.startsWith('### '))
    .map((line) => slug(line.slice(4)));
  const LINK = /Runbook: docs\/runbook\.md#([a-z0-9-]+)/;

  const variants: [string, Parameters<typeof synth>[0]][] = [
    ...ENVIRONMENTS.map((env): [string, string] => [env, env]),
    ['staging on RDS for PostgreSQL', configOf('staging', { database: { engine: 'postgres', readReplicas: 2 } })],
  ];

  test('the sections of the code are the sections of docs/runbook.md', () => {
    expect([...sections].sort()).toEqual([...RUNBOOK_SECTIONS].sort());
  });

  test.each(variants)('%s: every alarm links a section of docs/runbook.md', (_, env) => {
    const template = monitoringOf(env);
    for (const alarm of [...metricAlarms(template), ...compositeAlarms(template)]) {
      const anchor = LINK.exec(String(alarm.props.AlarmDescription))?.[1];
      expect([alarm.name, anchor !== undefined && sections.includes(anchor)]).toEqual([alarm.name, true]);
    }
  });

  test('every section of docs/runbook.md is linked by an alarm or the failed-deployment rule', () => {
    const used = new Set<string>();
    for (const [, env] of variants) {
      const text = json(monitoringOf(env).toJSON());
      for (const match of text.matchAll(/Runbook: docs\/runbook\.md#([a-z0-9-]+)/g)) used.add(match[1]);
    }
    expect([...used].sort()).toEqual([...sections].sort());
  });

  test('monitoring.runbookUrl moves every link to the configured location', () => {
    const url = 'https://git.example.com/platform/scaled-app/blob/main/docs/runbook.md';
    const template = monitoringOf(configOf('dev', { monitoring: { runbookUrl: url } }));
    for (const alarm of metricAlarms(template)) expect(String(alarm.props.AlarmDescription)).toContain(`Runbook: ${url}#`);
  });
});

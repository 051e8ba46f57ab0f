/**
 * Alarms and dashboard of the database layer: the writer, each reader, and the RDS Proxy pool in front of them.
 *
 * The library's `monitorAuroraCluster` draws the cluster, but its alarms read cluster-wide averages (a writer at
 * 100% CPU behind two idle readers reads 33%) and it has no memory, latency, lag or proxy alarm. So the alarms are
 * custom metrics of the same facade: the Aurora writer by `Role=WRITER` (it follows the writer across a
 * failover), RDS instances and every reader by instance identifier.
 */
import type { CustomMetricGroup } from 'cdk-monitoring-constructs';
import { type AlarmKit, GT, LT } from './alarm-kit';
import type { Database } from '../constructs/database';

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

export function monitorDatabase(kit: AlarmKit, database: Database): void {
  const t = kit.thresholds.database;
  const m = (name: string, statistic: string, label: string) => database.metricWriter(name, statistic, label);
  const maxConnections = database.capacityPlan.maxConnections;

  kit.facade.addLargeHeader('Database');
  const { clusters, instances } = database.monitoredResources;
  for (const cluster of clusters) {
    kit.facade.monitorAuroraCluster({ cluster, alarmFriendlyName: 'aurora', humanReadableName: 'Aurora cluster' });
  }
  for (const instance of instances) {
    kit.facade.monitorRdsInstance({ instance, alarmFriendlyName: `rds-${instance.node.id.toLowerCase()}` });
  }

  const storage = database.metricWriterFreeStorage();
  const groups: CustomMetricGroup[] = [
    {
      title: 'Writer CPU and memory',
      metrics: [
        kit.alarm(m('CPUUtilization', 'Maximum', 'Writer CPU %'), {
          name: 'writer-cpu',
          section: 'database-cpu-high',
          description: `The PostgreSQL writer's CPU is above ${t.cpuPercent}%: queries queue and every request that writes slows down.`,
          threshold: t.cpuPercent,
          comparison: GT,
        }),
        kit.alarm(m('FreeableMemory', 'Minimum', 'Writer freeable memory'), {
          name: 'writer-freeable-memory',
          section: 'database-freeable-memory-low',
          description: `The writer has less than ${t.freeableMemoryMiB} MiB of freeable memory: the buffer cache shrinks and reads go to storage.`,
          threshold: t.freeableMemoryMiB * MIB,
          comparison: LT,
        }),
        kit.alarm(storage.metric, {
          name: 'writer-free-storage',
          section: 'database-storage-low',
          description: `The writer has less than ${t.freeStorageGiB} GiB of free ${storage.what} (${storage.metricName}); when it runs out, PostgreSQL stops.`,
          threshold: t.freeStorageGiB * GIB,
          comparison: LT,
        }),
      ],
    },
    {
      title: 'Writer connections and latency',
      metrics: [
        kit.alarm(m('DatabaseConnections', 'Maximum', 'Writer connections'), {
          name: 'writer-connections',
          section: 'database-connections-high',
          description: `The writer holds more than ${t.connectionsPercent}% of its max_connections (${maxConnections.toLocaleString('en-US')}): new connections are about to be refused.`,
          threshold: Math.floor((maxConnections * t.connectionsPercent) / 100),
          comparison: GT,
        }),
        kit.alarm(m('ReadLatency', 'Average', 'Writer read latency (s)'), {
          name: 'writer-read-latency',
          section: 'database-read-latency-high',
          description: `Average read I/O latency of the writer is above ${t.readLatencyMs} ms: a query reads far more than it used to (a missing index) or storage is saturated.`,
          threshold: t.readLatencyMs / 1000,
          comparison: GT,
        }),
        kit.alarm(m('WriteLatency', 'Average', 'Writer write latency (s)'), {
          name: 'writer-write-latency',
          section: 'database-write-latency-high',
          description: `Average write I/O latency of the writer is above ${t.writeLatencyMs} ms: commits wait on storage.`,
          threshold: t.writeLatencyMs / 1000,
          comparison: GT,
        }),
      ],
    },
    readerGroup(kit, database),
  ];
  kit.facade.monitorCustom({ alarmFriendlyName: 'database', humanReadableName: 'PostgreSQL writer and readers', metricGroups: groups });
  monitorProxy(kit, database);
}

/** One replica-lag alarm per reader this template deploys, and the readers' CPU. */
function readerGroup(kit: AlarmKit, database: Database): CustomMetricGroup {
  const t = kit.thresholds.database;
  const metrics = database.readerInstanceIdentifiers.map((id, i) =>
    kit.alarm(database.metricReplicaLag(i), {
      name: `reader-${i + 1}-replica-lag`,
      section: 'replica-lag-high',
      description: `Reader ${id} is more than ${t.replicaLagSeconds} s behind the writer: the reader endpoint serves stale rows.`,
      threshold: t.replicaLagSeconds,
      comparison: GT,
    }),
  );
  for (const reader of database.metricReadersCpu()) {
    metrics.push(
      kit.alarm(reader.metric, {
        name: `${reader.key}-cpu`,
        section: 'database-cpu-high',
        description: `${reader.who} CPU is above ${t.cpuPercent}%: reads queue on the reader endpoint.`,
        threshold: t.cpuPercent,
        comparison: GT,
      }),
    );
  }
  return { title: 'Readers: replica lag and CPU', metrics };
}

/**
 * The pool of the connection-exhaustion outage: thresholds relative to the limits the capacity model derived
 * (`capacityPlan`), so that resizing the database moves the alarms with it.
 */
function monitorProxy(kit: AlarmKit, database: Database): void {
  const t = kit.thresholds.proxy;
  const plan = database.capacityPlan;
  const m = (name: string, statistic: string, label: string) => database.metricProxy(name, statistic, label);
  const percentOf = (limit: number, percent: number) => Math.floor((limit * percent) / 100);
  const n = (x: number) => x.toLocaleString('en-US');
  const proxyLimit = plan.proxyConnectionsPerInstance;

  kit.facade.monitorCustom({
    alarmFriendlyName: 'proxy',
    humanReadableName: 'RDS Proxy connection pool',
    metricGroups: [
      {
        title: 'Connections',
        metrics: [
          kit.alarm(m('ClientConnections', 'Sum', 'Client connections'), {
            name: 'client-connections',
            section: 'proxy-client-connections-high',
            description: `More than ${t.clientConnectionsPercent}% of the ${n(plan.proxyClientCapacity)} client connections the pool can multiplex are open: the fleet outgrew the capacity model.`,
            threshold: percentOf(plan.proxyClientCapacity, t.clientConnectionsPercent),
            comparison: GT,
          }),
          // The writer's pool: the default target group, read/write role (Aurora readers are the READ_ONLY role).
          kit.alarm(database.metricProxy('DatabaseConnections', 'Sum', 'Connections to the writer', true), {
            name: 'database-connections',
            section: 'proxy-database-connections-near-limit',
            description: `The proxy holds more than ${t.databaseConnectionsPercent}% of the ${n(proxyLimit)} connections it may open to the writer (MaxConnectionsPercent): requests are about to wait for a connection.`,
            threshold: percentOf(proxyLimit, t.databaseConnectionsPercent),
            comparison: GT,
          }),
          kit.alarm(m('DatabaseConnectionsCurrentlySessionPinned', 'Sum', 'Pinned connections'), {
            name: 'pinned-sessions',
            section: 'proxy-sessions-pinned',
            description: `More than ${t.pinnedConnectionsPercent}% of the proxy's ${n(proxyLimit)} connections are pinned to one client session and cannot be shared: the pool multiplexes less than the capacity model assumes.`,
            threshold: percentOf(proxyLimit, t.pinnedConnectionsPercent),
            comparison: GT,
          }),
        ],
      },
      {
        title: 'Latency (µs)',
        metrics: [
          kit.alarm(m('DatabaseConnectionsBorrowLatency', 'Average', 'Borrow latency (µs)'), {
            name: 'borrow-latency',
            section: 'proxy-borrow-latency-high',
            description: `Requests wait more than ${t.borrowLatencyMs} ms on average to borrow a database connection from the proxy: the pool is exhausted.`,
            threshold: t.borrowLatencyMs * 1000,
            comparison: GT,
          }),
          kit.alarm(m('QueryResponseLatency', 'Average', 'Query response latency (µs)'), {
            name: 'query-latency',
            section: 'proxy-query-latency-high',
            description: `Queries through the proxy take more than ${t.queryResponseLatencyMs} ms on average: the database is slow or the pool queues.`,
            threshold: t.queryResponseLatencyMs * 1000,
            comparison: GT,
          }),
        ],
      },
    ],
  });
}

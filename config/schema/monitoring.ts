import { z } from 'zod';
import { int } from './primitives';

const subscriptionSchema = z.discriminatedUnion('protocol', [
  z.strictObject({
    protocol: z.literal('email'),
    endpoint: z.email({ error: 'expected an email address' }).meta({ description: 'Address that receives alarm and OK notifications.' }),
  }),
  z.strictObject({
    protocol: z.literal('https'),
    endpoint: z
      .url({ protocol: /^https$/, error: 'expected an https:// URL' })
      .meta({ description: 'HTTPS endpoint (a chat or paging webhook) that receives notifications.' }),
  }),
]);

/** A percentage an alarm compares with: 1 to 100. */
const percent = () => int(1, 100);
/** A positive figure (latency, size, count): a threshold of 0 or less would alarm all the time or never. */
const positive = () => z.number({ error: 'expected a number' }).positive({ error: 'expected a number > 0' });

/**
 * Thresholds of the alarms, by layer. Each alarm of docs/observability.md names the field it reads; an
 * environment overrides any of them (`monitoring: { thresholds: { database: { cpuPercent: 90 } } }`).
 */
const thresholdsSchema = z
  .strictObject({
    database: z
      .strictObject({
        cpuPercent: percent().meta({ description: 'CPU of the writer or of a reader, % (5 minutes).' }),
        freeableMemoryMiB: positive().meta({ description: 'Least freeable memory of an instance, MiB.' }),
        freeStorageGiB: positive().meta({
          description: 'Least free storage, GiB: FreeLocalStorage (Aurora, temporary files and logs) or FreeStorageSpace (RDS).',
        }),
        connectionsPercent: percent().meta({
          description: "Connections of an instance, % of its max_connections (from the capacity model's instance class).",
        }),
        readLatencyMs: positive().meta({ description: 'Average read I/O latency of an instance, ms.' }),
        writeLatencyMs: positive().meta({ description: 'Average write I/O latency of an instance, ms.' }),
        replicaLagSeconds: positive().meta({
          description:
            'Replica lag of each reader, seconds (AuroraReplicaLag or ReplicaLag); also the default of `npm run verify -- --max-replica-lag`.',
        }),
      })
      .meta({ description: 'The PostgreSQL writer and readers.' }),
    proxy: z
      .strictObject({
        clientConnectionsPercent: percent().meta({
          description: 'Client connections, % of the client connections the pool can multiplex (capacity model: proxyClientCapacity).',
        }),
        databaseConnectionsPercent: percent().meta({
          description: "Proxy connections to the writer, % of the proxy's limit (capacity model: proxyConnectionsPerInstance).",
        }),
        borrowLatencyMs: positive().meta({ description: 'Average time a request waits to borrow a database connection, ms.' }),
        queryResponseLatencyMs: positive().meta({ description: 'Average query response time through the proxy, ms.' }),
        pinnedConnectionsPercent: percent().meta({
          description: "Database connections pinned to one client session (not shared), % of the proxy's limit.",
        }),
      })
      .meta({ description: 'The RDS Proxy connection pool.' }),
    cache: z
      .strictObject({
        noevictionMemoryPercent: percent().meta({
          description:
            'Memory use of a `noeviction` tier node, % of maxmemory: warn early, since at 100% it refuses writes. Above the capacity headroom (70%) and below `evictingMemoryPercent`.',
        }),
        evictingMemoryPercent: percent().meta({ description: 'Memory use of a node of an evicting tier (LRU, LFU, TTL), % of maxmemory.' }),
        engineCpuPercent: percent().meta({ description: 'Engine (main thread) CPU of a node, %.' }),
        connectionsPerNode: int(1).meta({ description: 'Client connections of one node.' }),
        replicationLagSeconds: positive().meta({ description: 'Replication lag of a replica node, seconds (tiers with replicas).' }),
        evictionsPerMinute: int(1).meta({ description: 'Keys evicted per minute across an evicting tier.' }),
        minHitRatePercent: percent().meta({ description: 'Least hit rate of an evicting tier, % of lookups (hits / (hits + misses)).' }),
      })
      .meta({ description: 'Every cache tier.' }),
    services: z
      .strictObject({
        cpuPercent: percent().meta({ description: 'Average CPU of a service, % of its reservation.' }),
        memoryPercent: percent().meta({ description: 'Average memory of a service, % of its reservation.' }),
        belowDesiredMinutes: int(1, 60).meta({
          description: 'Minutes a service may run fewer tasks than desired before it alarms (deployments and scale-outs take a few).',
        }),
        target5xxPercent: positive()
          .max(100, { error: 'expected a number <= 100' })
          .meta({ description: 'Responses of the service that are 5xx, % of its requests.' }),
        p99LatencyMs: positive().meta({ description: 'p99 target response time of a service, ms.' }),
        unhealthyHosts: int(1).meta({ description: 'Unhealthy targets of a service at which it alarms.' }),
      })
      .meta({ description: 'Every service in `services`.' }),
    loadBalancer: z
      .strictObject({
        elb5xxPercent: positive()
          .max(100, { error: 'expected a number <= 100' })
          .meta({ description: 'Responses the load balancer itself answers with a 5xx (no healthy target, timeouts), % of requests.' }),
        rejectedConnections: int(1).meta({ description: 'Connections rejected per minute because the load balancer hit its limit.' }),
      })
      .meta({ description: 'The Application Load Balancer.' }),
  })
  .meta({ description: 'Alarm thresholds by layer; see docs/observability.md for what each alarm means and how to tune it.' });

export const monitoringSchema = z
  .strictObject({
    alarmSubscriptions: z
      .array(subscriptionSchema)
      .meta({ description: 'Who the alarm topic notifies: `{ protocol: "email" | "https", endpoint }` each.' }),
    runbookUrl: z
      .string()
      .min(1, { error: 'expected a URL or repository path of docs/runbook.md' })
      .refine((url) => !url.includes('#'), { error: 'expected a URL without a #fragment (each alarm adds its own section anchor)' })
      .meta({
        description:
          "Where docs/runbook.md is read, e.g. its URL on your repository host; each alarm's description links `<runbookUrl>#<section>`.",
      }),
    thresholds: thresholdsSchema,
  })
  .meta({ description: 'Alarms, the alarm topic and the dashboard.' });

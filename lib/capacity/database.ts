/**
 * The capacity model of the database layer (docs/database.md), as pure arithmetic: the schema
 * rules call it to refuse a configuration that cannot carry its stated load, and the database construct calls
 * it for the proxy's pool settings, so that the numbers are computed once.
 *
 * The model, in the words of an incident review:
 * - Little's law: `peakConcurrentRequests x dbTimePerRequest` connections are in use at peak.
 * - Reads go to the readers (`readShare` of the DB time), the rest to the writer through the RDS Proxy.
 * - PostgreSQL's default `max_connections` is `LEAST(DBInstanceClassMemory / 9531392, 5000)`.
 * - The proxy may open `MaxConnectionsPercent` of it per instance, leaving `reservedConnections` for
 *   everything that is not the proxy (administrators, migrations, secret rotation, superuser slots).
 * - RDS Proxy multiplexes at transaction boundaries: a client connection holds a database connection for
 *   `dbTimePerRequest` of its time, so `D` proxy connections carry `D / dbTimePerRequest` client connections.
 */
import type { DatabaseEngine } from '../database/engines';
import { GIB_PER_ACU, INSTANCE_CLASSES, type InstanceClassName, SERVERLESS } from './instance-classes';

/** `max_connections` divisor RDS uses for PostgreSQL (bytes of instance memory per connection). */
export const BYTES_PER_CONNECTION = 9_531_392;
/** RDS caps the default `max_connections` of PostgreSQL at 5,000. */
export const MAX_CONNECTIONS_CAP = 5_000;

export interface CapacityInput {
  readonly engine: DatabaseEngine;
  readonly instanceClass: InstanceClassName;
  /** Maximum ACU, used when `instanceClass` is `serverless`. */
  readonly serverlessMaxCapacity: number;
  /** Readers deployed (not counting auto scaling, which reacts minutes late). */
  readonly readers: number;
  readonly reservedConnections: number;
  readonly peakConcurrentRequests: number;
  readonly dbTimePerRequest: number;
  readonly readShare: number;
  readonly connectionPoolPerTask: number;
  readonly maxTasks: number;
}

export interface CapacityPlan {
  /** Default `max_connections` of one instance of the class. */
  readonly maxConnections: number;
  /** Proxy `MaxConnectionsPercent`: its share of `max_connections`, per instance. */
  readonly maxConnectionsPercent: number;
  /** Proxy `MaxIdleConnectionsPercent`: enough idle connections kept open to serve the peak without opening new ones. */
  readonly maxIdleConnectionsPercent: number;
  /** Database connections the proxy may open to one instance. */
  readonly proxyConnectionsPerInstance: number;
  /** Client connections the proxy can multiplex onto the writer's pool. */
  readonly proxyClientCapacity: number;
  /** Connections in use at peak, all instances together. */
  readonly connectionsAtPeak: number;
  /** Connections in use on the writer at peak. */
  readonly writerConnectionsAtPeak: number;
  /** Connections in use on each reader at peak. */
  readonly readerConnectionsAtPeak: number;
  /** Connections one reader can serve (through the proxy for Aurora, directly for `postgres`). */
  readonly connectionsPerReader: number;
  /** Client connections the service fleet opens at most: `maxTasks x connectionPoolPerTask`. */
  readonly clientConnections: number;
  /** Fewest readers that serve the read share at peak. */
  readonly readersNeeded: number;
  /** Most concurrent requests the writer serves. */
  readonly maxConcurrentRequests: number;
}

export type CapacityField =
  'capacity.peakConcurrentRequests' | 'capacity.connectionPoolPerTask' | 'database.readReplicas' | 'database.proxy.reservedConnections';

export interface CapacityProblem {
  readonly path: CapacityField;
  readonly expected: string;
}

// Binary fractions: 0.1 x 0.4 is 0.04000000000000001. Round away the representation error, not the arithmetic.
const EPSILON = 1e-9;
const ceil = (x: number) => Math.ceil(x - EPSILON);
const floor = (x: number) => Math.floor(x + EPSILON);
const n = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 2 });
const f2 = (x: number) => x.toFixed(2);

/** Memory of one instance in bytes. */
export function instanceMemoryBytes(instanceClass: InstanceClassName, serverlessMaxCapacity: number): number {
  const gib = instanceClass === SERVERLESS ? serverlessMaxCapacity * GIB_PER_ACU : INSTANCE_CLASSES[instanceClass].memoryGiB;
  return gib * 1024 ** 3;
}

/** PostgreSQL's default `max_connections` on RDS and Aurora: `LEAST({DBInstanceClassMemory/9531392}, 5000)`. */
export function defaultMaxConnections(memoryBytes: number): number {
  return Math.min(Math.floor(memoryBytes / BYTES_PER_CONNECTION), MAX_CONNECTIONS_CAP);
}

/** The derived pool sizes and the problems of a configuration; `problems` is empty when it carries its load. */
export function planCapacity(input: CapacityInput): { plan: CapacityPlan; problems: CapacityProblem[] } {
  const problems: CapacityProblem[] = [];
  const maxConnections = defaultMaxConnections(instanceMemoryBytes(input.instanceClass, input.serverlessMaxCapacity));
  const available = maxConnections - input.reservedConnections;
  if (available < maxConnections / 100) {
    problems.push({
      path: 'database.proxy.reservedConnections',
      expected: `expected fewer reserved connections than max_connections (${n(maxConnections)}) of ${input.instanceClass}, leaving the proxy at least 1%`,
    });
  }
  const maxConnectionsPercent = Math.max(1, Math.min(100, floor((100 * available) / maxConnections)));
  const proxyConnectionsPerInstance = floor((maxConnections * maxConnectionsPercent) / 100);

  const readers = input.readers;
  // With no reader, the reader endpoint leads to the writer, which then carries the reads too.
  const readShare = readers > 0 ? input.readShare : 0;
  const writeShare = 1 - readShare;
  const connectionsAtPeak = ceil(input.peakConcurrentRequests * input.dbTimePerRequest);
  const writerConnectionsAtPeak = ceil(input.peakConcurrentRequests * input.dbTimePerRequest * writeShare);
  const readConnections = ceil(input.peakConcurrentRequests * input.dbTimePerRequest * readShare);
  const readerConnectionsAtPeak = readers > 0 ? ceil(readConnections / readers) : 0;
  // Aurora readers sit behind the proxy's read-only endpoint; `postgres` replicas take connections directly.
  const connectionsPerReader = input.engine === 'aurora-postgresql' ? proxyConnectionsPerInstance : Math.max(0, available);
  const readersNeeded = connectionsPerReader > 0 ? ceil(readConnections / connectionsPerReader) : Infinity;
  const proxyClientCapacity = floor(proxyConnectionsPerInstance / input.dbTimePerRequest);
  const clientConnections = input.maxTasks * input.connectionPoolPerTask;
  const maxConcurrentRequests = floor(proxyConnectionsPerInstance / (input.dbTimePerRequest * writeShare));

  const busiest = Math.max(writerConnectionsAtPeak, readerConnectionsAtPeak);
  const maxIdleConnectionsPercent = Math.min(maxConnectionsPercent, Math.max(1, ceil((100 * busiest) / maxConnections)));

  const pool = `max_connections ${n(maxConnections)} x ${maxConnectionsPercent}% proxy share = ${n(proxyConnectionsPerInstance)} connections`;
  if (writerConnectionsAtPeak > proxyConnectionsPerInstance) {
    const share = writeShare < 1 ? ` x ${f2(writeShare)} write share` : '';
    problems.push({
      path: 'capacity.peakConcurrentRequests',
      expected: `expected at most ${n(maxConcurrentRequests)} concurrent requests on ${input.instanceClass} (${pool} / (${f2(input.dbTimePerRequest)} DB time per request${share}))`,
    });
  }
  if (readers > 0 && readersNeeded > readers) {
    problems.push({
      path: 'database.readReplicas',
      expected: `expected at least ${readersNeeded} readers for the read share (${n(input.peakConcurrentRequests)} requests x ${f2(input.dbTimePerRequest)} DB time x ${f2(readShare)} read share = ${n(readConnections)} connections, ${n(connectionsPerReader)} per ${input.instanceClass} reader)`,
    });
  }
  if (clientConnections > proxyClientCapacity) {
    problems.push({
      path: 'capacity.connectionPoolPerTask',
      expected: `expected at most ${n(floor(proxyClientCapacity / input.maxTasks))} connections per task (${n(input.maxTasks)} tasks x pool must fit the proxy's client capacity: ${pool} / ${f2(input.dbTimePerRequest)} DB time per request = ${n(proxyClientCapacity)})`,
    });
  } else if (clientConnections < connectionsAtPeak) {
    problems.push({
      path: 'capacity.connectionPoolPerTask',
      expected: `expected at least ${n(ceil(connectionsAtPeak / input.maxTasks))} connections per task (${n(input.peakConcurrentRequests)} requests x ${f2(input.dbTimePerRequest)} DB time = ${n(connectionsAtPeak)} connections in use at peak, over ${n(input.maxTasks)} tasks)`,
    });
  }

  return {
    plan: {
      maxConnections,
      maxConnectionsPercent,
      maxIdleConnectionsPercent,
      proxyConnectionsPerInstance,
      proxyClientCapacity,
      connectionsAtPeak,
      writerConnectionsAtPeak,
      readerConnectionsAtPeak,
      connectionsPerReader,
      clientConnections,
      readersNeeded: Number.isFinite(readersNeeded) ? readersNeeded : 0,
      maxConcurrentRequests,
    },
    problems,
  };
}

/**
 * The failure modes of docs/architecture.md's table, each with the experiment that rehearses it, or, where AWS
 * FIS has no action for it, how to rehearse it instead. test/chaos/failure-modes.test.ts checks that the table and
 * this list name the same rows and that each row links to its section of docs/chaos.md.
 */
import type { ExperimentId } from './experiments';

export interface FailureMode {
  /** The table's first column, exactly. */
  readonly whatBroke: string;
  /** Experiments that rehearse it; empty when FIS has no action for it. */
  readonly experiments: readonly ExperimentId[];
  /** Where FIS has no action: why, and how to rehearse it by other means. */
  readonly rehearsal?: string;
}

/** The anchor of a failure mode without an experiment in docs/chaos.md. */
export const rehearsalAnchor = (index: number) => `rehearsal-${index + 1}`;

export const FAILURE_MODES: readonly FailureMode[] = [
  {
    whatBroke: 'Connection pool exhausted: 100/100 connections, requests queue, timeouts',
    experiments: [],
    rehearsal:
      'FIS has no action that opens connections. Drive load beyond `capacity.peakConcurrentRequests` against the environment (a load generator such as autocannon, from inside the VPC) and watch the proxy client-connections and borrow-latency alarms fire before requests time out.',
  },
  {
    whatBroke: 'Reads from a stale replica used for a money decision',
    experiments: ['reader-lost'],
  },
  {
    whatBroke: 'Primary CPU saturated by reads',
    experiments: [],
    rehearsal:
      'FIS has no action that loads a database. Run a read-heavy load against the reader endpoint and then the writer endpoint; the writer-CPU alarm must stay quiet while reads use the reader endpoint.',
  },
  {
    whatBroke: 'Missing index: a feed query from 38 ms to 2.4 s',
    experiments: [],
    rehearsal:
      'FIS has no action that changes a schema. In staging, drop an index a hot query uses (in a transaction you roll back, or recreate it after) and check the slow-query log and the read-latency alarm name the query.',
  },
  {
    whatBroke: 'Redis at 98% memory evicted sessions: users logged out',
    experiments: [],
    rehearsal:
      'FIS has no action that fills a cache. In staging, write keys of the session size into the critical tier until the noeviction memory alarm fires; it must fire well before writes are refused (`monitoring.thresholds.cache.noevictionMemoryPercent`).',
  },
  {
    whatBroke: 'Cache stampede when a hot key expired',
    experiments: ['cache-primary-lost'],
  },
  {
    whatBroke: 'A dead service kept getting traffic for 15 minutes',
    experiments: ['tasks-stopped', 'zone-lost'],
  },
  {
    whatBroke: 'A bad deploy took everything down',
    experiments: [],
    rehearsal:
      'FIS has no action that deploys. Deploy an image whose `/health/live` fails (or answers slowly) to staging with `cdk deploy`: the circuit breaker or a deployment alarm must roll it back, and the failed-deployment rule must notify.',
  },
  {
    whatBroke: 'Cascade from one slow dependency',
    experiments: ['task-network-latency', 'task-packet-loss'],
  },
  {
    whatBroke: 'The writer failed over: connections dropped mid-transaction',
    experiments: ['writer-failover'],
  },
  {
    whatBroke: 'A reader was lost: reads queued behind one replica',
    experiments: ['reader-lost'],
  },
  {
    whatBroke: 'A cache node was lost: sessions gone, or a thundering herd on the database',
    experiments: ['cache-primary-lost'],
  },
  {
    whatBroke: 'A task hung: alive to its health check, too slow to serve',
    experiments: ['task-cpu-stress'],
  },
  {
    whatBroke: 'A zone was lost: a third of the capacity gone at once',
    experiments: ['zone-lost'],
  },
];

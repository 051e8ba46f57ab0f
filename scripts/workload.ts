/**
 * `npm run workload [-- --quick] [--json]`: the scaling patterns run for real (docs/workload.md).
 *
 * Starts, on 127.0.0.1 only (scripts/local): PostgreSQL with a streaming replica (a fixed apply delay stands
 * for replica lag), PgBouncer in transaction mode in front of each (the stand-in for RDS Proxy), and two
 * redis-servers with the dev environment's tier parameters (eviction policy; maxmemory scaled down from the
 * node size). Creates the users with the stack's identity SQL and the schema with the service's migrations,
 * then runs the reference service (services/api, bundled with esbuild) with autocannon against it, scenario by
 * scenario, every load bounded by a request count and a duration. Stops everything it started.
 *
 * Exit code: 0 when every invariant holds, 1 when one breaks (named), 2 on bad flags. `.ci/run` runs `--quick`.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import autocannon from 'autocannon';
import Redis from 'ioredis';
import { Client } from 'pg';
import { NODE_MEMORY_GIB, planCapacity } from '../lib/capacity';
import { loadEnvironment } from '../config/load';
import { Feed, type FeedMetrics } from '../services/api/src/feed';
import {
  type Certificates,
  type PgBouncerServer,
  type PostgresServer,
  type RedisServer,
  type ReplicaServer,
  createCertificates,
  freePort,
  missingServers,
  startPgBouncer,
  startRedis,
  startServiceDatabase,
  startReplica,
} from './local';
import { runMain } from './run-main';

const ROOT = path.join(__dirname, '..');

interface Mode {
  readonly name: 'quick' | 'full';
  /** Requests per autocannon run, and its time bound (s). */
  readonly requests: number;
  readonly seconds: number;
  /** Concurrency of the throughput scenarios. */
  readonly concurrency: number;
  readonly poolSize: number;
  readonly tasks: number;
  readonly businessLogicMs: number;
  readonly stampedeRounds: number;
  readonly stampedeConcurrency: number;
  readonly replicaDelayMs: number;
  readonly rywWrites: number;
  readonly sessions: number;
  /** Tier memory: the dev node size divided by this. */
  readonly memoryScale: number;
}

const MODES: Record<Mode['name'], Mode> = {
  quick: {
    name: 'quick',
    requests: 400,
    seconds: 8,
    concurrency: 20,
    poolSize: 5,
    tasks: 3,
    businessLogicMs: 100,
    stampedeRounds: 3,
    stampedeConcurrency: 40,
    replicaDelayMs: 200,
    rywWrites: 60,
    sessions: 5000,
    memoryScale: 1024,
  },
  full: {
    name: 'full',
    requests: 3000,
    seconds: 30,
    concurrency: 50,
    poolSize: 10,
    tasks: 4,
    businessLogicMs: 500,
    stampedeRounds: 10,
    stampedeConcurrency: 100,
    replicaDelayMs: 500,
    rywWrites: 300,
    sessions: 8000,
    memoryScale: 1024,
  },
};

/** Flags: all problems at once, nothing started on a bad flag. */
export function parseFlags(argv: readonly string[]): { mode: Mode; json: boolean } {
  const problems: string[] = [];
  let quick = false;
  let json = false;
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg === '--json') json = true;
    else problems.push(`${JSON.stringify(arg)}: expected --quick or --json`);
  }
  if (problems.length) throw new Error(`workload: bad arguments:\n  ${problems.join('\n  ')}`);
  return { mode: quick ? MODES.quick : MODES.full, json };
}

const WRITER_PASSWORD = 'workload-writer-pw';
const READER_PASSWORD = 'workload-reader-pw';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const round = (x: number, digits = 1) => Number(x.toFixed(digits));

interface Servers {
  certificates: Certificates;
  caFile: string;
  primary: PostgresServer;
  replica: ReplicaServer;
  writerPooler?: PgBouncerServer;
  readerPooler?: PgBouncerServer;
  critical: RedisServer;
  hot: RedisServer;
  maxmemory: { critical: string; hot: string };
}

/**
 * Bundles an entry point of the service with esbuild into `outFile`, so that a task starts in a fraction of a
 * second. node-pg-migrate stays outside (ESM-only, loaded by a real dynamic import): `outFile` must lie under the
 * project, where it resolves from node_modules.
 */
export function bundleEntry(entry: 'main' | 'migrate', outFile: string): string {
  execFileSync(
    path.join(ROOT, 'node_modules/.bin/esbuild'),
    [
      path.join(ROOT, 'services/api/src', `${entry}.ts`),
      '--bundle',
      '--platform=node',
      '--target=node20',
      `--outfile=${outFile}`,
      '--log-level=warning',
      '--external:node-pg-migrate',
    ],
    { stdio: 'inherit' },
  );
  return outFile;
}

/** The migration task as ECS runs it: `node migrate.js` with the service's environment; returns its log. */
export function runMigrationTask(bundle: string, env: Record<string, string>): string {
  return execFileSync(process.execPath, [bundle], {
    env: { ...process.env, ...env, MIGRATIONS_DIR: path.join(ROOT, 'services/api/migrations') },
    stdio: ['ignore', 'pipe', 'inherit'],
  }).toString();
}

interface Task {
  readonly port: number;
  readonly child: ChildProcess;
}

async function startService(bundle: string, env: Record<string, string>): Promise<Task> {
  const port = await freePort();
  const child = spawn(process.execPath, [bundle], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}: ${stderr.slice(-1000)}`);
    try {
      if ((await request(port, 'GET', '/health/live')).status === 200) return { port, child };
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`the service did not answer within 10 s: ${stderr.slice(-1000)}`);
}

async function stopService(task: Task): Promise<void> {
  if (task.child.exitCode !== null) return;
  const exited = new Promise((resolve) => task.child.once('exit', resolve));
  task.child.kill('SIGTERM');
  await Promise.race([exited, sleep(5_000).then(() => task.child.kill('SIGKILL'))]);
}

/** What the service's routes answer, as far as the workload and its tests read it. */
export interface Body {
  readonly id?: number | string;
  readonly error?: string;
  readonly dependency?: string;
  readonly source?: string;
  readonly posts?: readonly { readonly id: number | string }[];
  readonly breakers?: readonly { readonly name: string; readonly state: string }[];
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function request(port: number, method: string, pathname: string, body?: unknown): Promise<{ status: number; body: Body }> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: pathname,
        agent,
        headers: text ? { 'content-type': 'application/json' } : {},
        timeout: 10_000,
      },
      (res) => {
        let data = '';
        res.on('data', (c: Buffer) => (data += c.toString()));
        res.on('end', () => {
          let parsed: unknown = data;
          try {
            parsed = JSON.parse(data);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, body: parsed as Body });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${pathname}: no answer within 10 s`)));
    req.on('error', reject);
    req.end(text);
  });
}

/** Runs `count` jobs, at most `concurrency` at a time. */
async function bounded<T>(count: number, concurrency: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await job(i);
      }
    }),
  );
  return results;
}

interface Cannon {
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly rps: number;
  readonly meanLatencyMs: number;
}

/** autocannon against one task, bounded by a request count and a duration; 127.0.0.1 only. */
async function cannon(port: number, pathname: string, connections: number, amount: number, seconds: number): Promise<Cannon> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${pathname}`,
    connections,
    maxOverallRequests: amount,
    duration: seconds,
    timeout: 10,
  });
  const elapsed = (result.finish.getTime() - result.start.getTime()) / 1000;
  return {
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    rps: round(result.requests.total / Math.max(elapsed, 0.001)),
    meanLatencyMs: round(result.latency.mean),
  };
}

/** Samples PostgreSQL's own view of connections from `user` every 20 ms, as the superuser; keeps the peaks. */
function sampler(config: import('pg').ClientConfig, user: string) {
  const client = new Client(config);
  let peakConnections = 0;
  let peakActive = 0;
  let running = true;
  const done = (async () => {
    await client.connect();
    while (running) {
      const { rows } = await client.query<{ n: number; active: number }>(
        "SELECT count(*)::int AS n, count(*) FILTER (WHERE state = 'active')::int AS active FROM pg_stat_activity WHERE usename = $1",
        [user],
      );
      peakConnections = Math.max(peakConnections, rows[0].n);
      peakActive = Math.max(peakActive, rows[0].active);
      await sleep(20);
    }
    await client.end();
  })();
  return {
    async stop() {
      running = false;
      await done;
      return { peakConnections, peakActive };
    },
  };
}

function serviceEnv(s: Servers, mode: Mode, db: { writerPort: number; readerPort: number }, extra: Record<string, string> = {}) {
  return {
    SERVICE_NAME: 'api',
    DATABASE_WRITER_ENDPOINT: '127.0.0.1',
    DATABASE_READER_ENDPOINT: '127.0.0.1',
    DATABASE_PORT: String(db.writerPort),
    DATABASE_READER_PORT: String(db.readerPort),
    DATABASE_NAME: s.primary.databaseName,
    DATABASE_USER: 'api',
    DATABASE_READER_USER: 'api_reader',
    DATABASE_AUTH: 'password',
    DATABASE_PASSWORD: WRITER_PASSWORD,
    DATABASE_READER_PASSWORD: READER_PASSWORD,
    DATABASE_CA_FILE: s.caFile,
    DATABASE_POOL_SIZE: String(mode.poolSize),
    CACHE_CRITICAL_PRIMARY_ENDPOINT: '127.0.0.1',
    CACHE_CRITICAL_PORT: String(s.critical.port),
    CACHE_CRITICAL_AUTH_TOKEN: s.critical.password,
    CACHE_HOT_PRIMARY_ENDPOINT: '127.0.0.1',
    CACHE_HOT_PORT: String(s.hot.port),
    CACHE_HOT_AUTH_TOKEN: s.hot.password,
    // The harness's CA signs the caches' certificates too.
    NODE_EXTRA_CA_CERTS: s.caFile,
    METRICS_INTERVAL_MS: '0',
    DEPENDENCY_DEADLINE_MS: '3000',
    ...extra,
  };
}

async function startServers(mode: Mode, scratch: string): Promise<Servers> {
  const certificates = createCertificates({ directory: path.join(scratch, 'tls') });
  const dev = loadEnvironment('dev');
  const tier = (name: 'critical' | 'hot') => {
    const t = dev.cache.tiers[name];
    // A node's memory scaled down, so that a few thousand keys fill it; the policy as the parameter group sets it.
    const bytes = Math.round((NODE_MEMORY_GIB[t.nodeType as keyof typeof NODE_MEMORY_GIB] * 1024 ** 3) / mode.memoryScale);
    return { maxmemory: String(bytes), maxmemoryPolicy: t.evictionPolicy as string };
  };
  // Whatever started is stopped again if a later server fails to start.
  const started: { dispose(): Promise<void> }[] = [];
  const keep = <T extends { dispose(): Promise<void> }>(server: T): T => {
    started.push(server);
    return server;
  };
  try {
    const primary = keep(
      await startServiceDatabase({
        certificates,
        writer: { user: 'api', password: WRITER_PASSWORD },
        reader: { user: 'api_reader', password: READER_PASSWORD },
        settings: { max_connections: '100' },
      }),
    );
    // The tiers before the replica: the replica's tools run synchronously and would stall their start-up.
    const critical = keep(await startRedis({ certificates, ...tier('critical') }));
    const hot = keep(await startRedis({ certificates, ...tier('hot') }));
    const replica = keep(await startReplica(primary, { applyDelayMs: mode.replicaDelayMs }));
    return {
      certificates,
      caFile: certificates.caFile,
      primary,
      replica,
      critical,
      hot,
      maxmemory: { critical: tier('critical').maxmemory, hot: tier('hot').maxmemory },
    };
  } catch (error) {
    for (const server of started.reverse()) await server.dispose().catch(() => undefined);
    throw error;
  }
}

async function metrics(port: number): Promise<FeedMetrics> {
  return (await request(port, 'GET', '/metrics')).body as unknown as FeedMetrics;
}

export interface Report {
  mode: Mode['name'];
  pooling: {
    concurrency: number;
    tasks: number;
    poolSizePerTask: number;
    poolerDefaultPoolSize: number;
    poolerMaxClientConn: number;
    direct: { peakServerConnections: number; failedShare: number; waitedShare: number; rps: number };
    pooled: { peakServerConnections: number; failedShare: number; waitedShare: number; rps: number };
  };
  connectionHold: {
    concurrency: number;
    poolSize: number;
    businessLogicMs: number;
    queryOnly: { meanHoldMs: number; rps: number; waitedShare: number; dbTimeShare: number; peakActive: number };
    heldAcrossLogic: { meanHoldMs: number; rps: number; waitedShare: number; dbTimeShare: number; peakActive: number };
  };
  stampede: { rounds: number; concurrency: number; protectedQueries: number; unprotectedQueries: number };
  tiers: {
    maxmemory: { critical: string; hot: string };
    sessionsCreated: number;
    sessionsRefused: number;
    sessionsLost: number;
    hotKeysEvicted: number;
    criticalKeysEvicted: number;
  };
  replicaRouting: { replicaDelayMs: number; reads: number; replicaShare: number; rywReads: number; rywStale: number; replicaStale: number };
  capacityModel: {
    concurrency: number;
    /** Measured: mean hold / mean latency of the query-only run. */
    dbTimePerRequest: number;
    /** planCapacity's connectionsAtPeak for this concurrency and DB time. */
    predictedConnections: number;
    /** Little's law on the measurement: requests/s x mean hold. */
    measuredMeanInUse: number;
    /** Most connections PostgreSQL saw executing at once (sampled every 20 ms). */
    measuredPeakActive: number;
  };
  invariants: { name: string; ok: boolean; detail: string }[];
}

const share = (part: number, whole: number) => (whole > 0 ? round(part / whole, 3) : 0);

async function connectionHold(bundle: string, s: Servers, mode: Mode) {
  const run = async (hold: 'query' | 'across-business-logic') => {
    const task = await startService(
      bundle,
      serviceEnv(
        s,
        mode,
        { writerPort: s.primary.port, readerPort: s.replica.port },
        {
          BUSINESS_LOGIC_MS: String(mode.businessLogicMs),
          CONNECTION_HOLD: hold,
        },
      ),
    );
    try {
      const watch = sampler(s.replica.clientConfig(s.primary.superuser, 'postgres'), 'api_reader');
      const c = await cannon(task.port, '/summary/author-1', mode.concurrency, mode.requests, mode.seconds);
      const peak = await watch.stop();
      const m = await metrics(task.port);
      const pool = m.pools.reader;
      const meanHoldMs = pool.borrows ? pool.heldMs / pool.borrows : 0;
      return {
        meanHoldMs: round(meanHoldMs),
        rps: c.rps,
        waitedShare: share(pool.waitedBorrows, pool.borrows),
        // The capacity model's dbTimePerRequest: the share of a request's time it holds a connection.
        dbTimeShare: round(meanHoldMs / Math.max(c.meanLatencyMs, 0.001), 3),
        peakActive: peak.peakActive,
      };
    } finally {
      await stopService(task);
    }
  };
  return { queryOnly: await run('query'), heldAcrossLogic: await run('across-business-logic') };
}

async function pooling(bundle: string, s: Servers, mode: Mode, defaultPoolSize: number) {
  const maxClientConn = mode.tasks * mode.poolSize;
  const run = async (ports: { writerPort: number; readerPort: number }) => {
    // The direct run's tasks are stopped before the pooled run starts: their idle connections would count.
    const tasks = await Promise.all(Array.from({ length: mode.tasks }, () => startService(bundle, serviceEnv(s, mode, ports))));
    try {
      const watch = sampler(s.replica.clientConfig(s.primary.superuser, 'postgres'), 'api_reader');
      const per = Math.ceil(mode.concurrency / mode.tasks);
      const results = await Promise.all(
        tasks.map((t) => cannon(t.port, '/summary/author-1', per, Math.ceil(mode.requests / mode.tasks), mode.seconds)),
      );
      const peak = await watch.stop();
      const ms = await Promise.all(tasks.map((t) => metrics(t.port)));
      const requests = results.reduce((a, r) => a + r.requests, 0);
      // autocannon counts a non-2xx answer among its requests; errors and timeouts got no answer and are not.
      const unanswered = results.reduce((a, r) => a + r.errors + r.timeouts, 0);
      const failed = results.reduce((a, r) => a + r.non2xx, 0) + unanswered;
      const borrows = ms.reduce((a, m) => a + m.pools.reader.borrows, 0);
      const waited = ms.reduce((a, m) => a + m.pools.reader.waitedBorrows, 0);
      return {
        peakServerConnections: peak.peakConnections,
        failedShare: share(failed, requests + unanswered),
        waitedShare: share(waited, borrows),
        rps: round(results.reduce((a, r) => a + r.rps, 0)),
      };
    } finally {
      await Promise.all(tasks.map(stopService));
    }
  };
  const direct = await run({ writerPort: s.primary.port, readerPort: s.replica.port });
  const logins = [
    { user: 'api', password: WRITER_PASSWORD },
    { user: 'api_reader', password: READER_PASSWORD },
  ];
  const { certificates } = s;
  s.writerPooler = await startPgBouncer({
    serverPort: s.primary.port,
    databaseName: s.primary.databaseName,
    logins,
    certificates,
    maxClientConn,
    defaultPoolSize,
  });
  s.readerPooler = await startPgBouncer({
    serverPort: s.replica.port,
    databaseName: s.primary.databaseName,
    logins,
    certificates,
    maxClientConn,
    defaultPoolSize,
  });
  const pooled = await run({ writerPort: s.writerPooler.port, readerPort: s.readerPooler.port });
  return {
    concurrency: mode.concurrency,
    tasks: mode.tasks,
    poolSizePerTask: mode.poolSize,
    poolerDefaultPoolSize: defaultPoolSize,
    poolerMaxClientConn: maxClientConn,
    direct,
    pooled,
  };
}

async function stampede(bundle: string, s: Servers, mode: Mode, hot: Redis) {
  const run = async (protection: 'on' | 'off') => {
    const task = await startService(
      bundle,
      serviceEnv(
        s,
        mode,
        { writerPort: s.primary.port, readerPort: s.replica.port },
        {
          FEED_STAMPEDE_PROTECTION: protection,
          // Longer than a load takes on a loaded CI machine, so that waiters do not give up and load too.
          FEED_LOCK_WAIT_MS: '1000',
          FEED_TTL_MS: '60000',
        },
      ),
    );
    try {
      const before = (await metrics(task.port)).queries.reader;
      for (let r = 0; r < mode.stampedeRounds; r++) {
        // The hot key expires (deleted here, so that the expiry happens under load at a known moment) ...
        await hot.del(Feed.feedKey('author-hot'));
        // ... while `concurrency` requests read it at once.
        await cannon(task.port, '/feed/author-hot', mode.stampedeConcurrency, mode.stampedeConcurrency * 3, mode.seconds);
      }
      return (await metrics(task.port)).queries.reader - before;
    } finally {
      await stopService(task);
    }
  };
  return {
    rounds: mode.stampedeRounds,
    concurrency: mode.stampedeConcurrency,
    protectedQueries: await run('on'),
    unprotectedQueries: await run('off'),
  };
}

async function evictedKeys(client: Redis): Promise<number> {
  const info = await client.info('stats');
  return Number(/evicted_keys:(\d+)/.exec(info)?.[1] ?? 0);
}

async function tiers(bundle: string, s: Servers, mode: Mode, hot: Redis, critical: Redis) {
  const task = await startService(bundle, serviceEnv(s, mode, { writerPort: s.primary.port, readerPort: s.replica.port }));
  try {
    const [hotBefore, criticalBefore] = await Promise.all([evictedKeys(hot), evictedKeys(critical)]);
    const created: string[] = [];
    let refused = 0;
    let otherFailures = 0;
    // Sessions into the noeviction tier, and as many feeds of distinct authors into the allkeys-lru tier,
    // until both are over their maxmemory.
    await bounded(mode.sessions, 16, async (i) => {
      const [session] = await Promise.all([
        request(task.port, 'POST', '/sessions', { user: `user-${i}` }),
        request(task.port, 'GET', `/feed/author-${i}`),
      ]);
      if (session.status === 201) created.push(String(session.body.id));
      else if (session.status === 503 && session.body?.error === 'session store full') refused++;
      else otherFailures++;
    });
    // Every session the service confirmed must still be there.
    let lost = 0;
    await bounded(created.length, 16, async (i) => {
      const res = await request(task.port, 'GET', `/sessions/${created[i]}`);
      if (res.status !== 200) lost++;
    });
    if (otherFailures > 0) throw new Error(`tiers scenario: ${otherFailures} session requests failed for another reason than a full tier`);
    return {
      maxmemory: s.maxmemory,
      sessionsCreated: created.length,
      sessionsRefused: refused,
      sessionsLost: lost,
      hotKeysEvicted: (await evictedKeys(hot)) - hotBefore,
      criticalKeysEvicted: (await evictedKeys(critical)) - criticalBefore,
    };
  } finally {
    await stopService(task);
  }
}

async function replicaRouting(bundle: string, s: Servers, mode: Mode) {
  const task = await startService(
    bundle,
    serviceEnv(
      s,
      mode,
      { writerPort: s.primary.port, readerPort: s.replica.port },
      {
        // Above the replica's apply delay, as the window must be above the lag the alarm tolerates.
        READ_YOUR_WRITES_MS: String(mode.replicaDelayMs * 5),
      },
    ),
  );
  try {
    let rywStale = 0;
    let replicaStale = 0;
    let rywReads = 0;
    await bounded(mode.rywWrites, 5, async (i) => {
      const author = `writer-${i % 10}`;
      const write = await request(task.port, 'POST', '/posts', { author, title: `post ${i}` });
      if (write.status !== 201) throw new Error(`POST /posts answered ${write.status}: ${JSON.stringify(write.body)}`);
      const id = Number(write.body.id);
      // The author reads their own feed at once: inside the window, from the writer.
      const own = await request(task.port, 'GET', `/feed/${author}?viewer=${author}`);
      rywReads++;
      if (!(own.body.posts ?? []).some((p) => Number(p.id) === id)) rywStale++;
      // Someone else reads the same feed at once: the replica (the write invalidated the cache), which lags.
      const other = await request(task.port, 'GET', `/feed/${author}?viewer=someone-else`);
      if (!(other.body.posts ?? []).some((p) => Number(p.id) === id)) replicaStale++;
      // And a few reads of other feeds, as the bulk of traffic is.
      for (let k = 0; k < 3; k++) await request(task.port, 'GET', `/feed/reader-${(i + k) % 20}`);
    });
    const m = await metrics(task.port);
    const reads = m.routes.reader + m.routes.writer;
    return { replicaDelayMs: mode.replicaDelayMs, reads, replicaShare: share(m.routes.reader, reads), rywReads, rywStale, replicaStale };
  } finally {
    await stopService(task);
  }
}

async function runWorkload(mode: Mode, progress: (line: string) => void): Promise<Report> {
  const missing = missingServers();
  if (missing.length)
    throw new Error(`workload: needs ${missing.join(', ')} (apt-get install -y --no-install-recommends ${missing.join(' ')})`);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'workload-'));
  // The bundles live under the project so that they resolve node-pg-migrate from its node_modules.
  const bundleDir = fs.mkdtempSync(path.join(ROOT, 'node_modules', '.workload-'));
  let servers: Servers | undefined;
  const clients: Redis[] = [];
  try {
    progress('starting PostgreSQL, its replica and two redis-servers');
    servers = await startServers(mode, scratch);
    const s = servers;
    progress('migrating (the service migrate task) and bundling the service');
    runMigrationTask(
      bundleEntry('migrate', path.join(bundleDir, 'migrate.js')),
      serviceEnv(s, mode, { writerPort: s.primary.port, readerPort: s.replica.port }),
    );
    const bundle = bundleEntry('main', path.join(bundleDir, 'service.js'));
    const tls = { ca: fs.readFileSync(s.caFile) };
    const hot = new Redis({ host: '127.0.0.1', port: s.hot.port, password: s.hot.password, tls });
    const critical = new Redis({ host: '127.0.0.1', port: s.critical.port, password: s.critical.password, tls });
    clients.push(hot, critical);
    // Some posts, so that the feed and summary queries read rows through the index.
    await s.primary.run({ user: 'api', password: WRITER_PASSWORD }, [
      "INSERT INTO posts (author, title) SELECT 'author-' || (g % 50), 'seed ' || g FROM generate_series(1, 5000) g",
      "INSERT INTO posts (author, title) SELECT 'author-hot', 'hot ' || g FROM generate_series(1, 20) g",
    ]);

    progress('connection hold: query only, then held across business logic');
    const hold = await connectionHold(bundle, s, mode);

    // The capacity model for this run: Little's law with the DB time share measured above.
    const dev = loadEnvironment('dev');
    const capacityInput = (concurrency: number, dbTime: number) => ({
      engine: dev.database.engine,
      instanceClass: dev.database.instanceClass,
      serverlessMaxCapacity: dev.database.serverlessV2Capacity.max,
      readers: 1,
      reservedConnections: dev.database.proxy.reservedConnections,
      peakConcurrentRequests: concurrency,
      dbTimePerRequest: Math.min(1, Math.max(0.001, dbTime)),
      readShare: 1,
      connectionPoolPerTask: mode.poolSize,
      maxTasks: mode.tasks,
    });
    const predicted = planCapacity(capacityInput(mode.concurrency, hold.queryOnly.dbTimeShare)).plan;

    progress('pooling: direct, then through PgBouncer');
    // The pooler's pool from the model at an assumed DB time of 0.2 per request (not the share measured above,
    // which is small enough to make the pool 1): a pool below the tasks' pools together, so that the pooler must
    // multiplex and its limit is tested.
    const defaultPoolSize = Math.max(
      2,
      Math.min(mode.tasks * mode.poolSize - 1, planCapacity(capacityInput(mode.concurrency, 0.2)).plan.connectionsAtPeak),
    );
    const pool = await pooling(bundle, s, mode, defaultPoolSize);

    progress('stampede: with the lock, then without');
    const stamp = await stampede(bundle, s, mode, hot);

    progress('replica routing and read-your-writes');
    const routing = await replicaRouting(bundle, s, mode);

    // Last: it fills the noeviction tier, where the read-your-writes windows live too (posts still succeed then,
    // but their windows are refused, which the routing scenario must not measure).
    progress('tiers under memory pressure');
    const tier = await tiers(bundle, s, mode, hot, critical);

    const report: Report = {
      mode: mode.name,
      pooling: pool,
      connectionHold: { concurrency: mode.concurrency, poolSize: mode.poolSize, businessLogicMs: mode.businessLogicMs, ...hold },
      stampede: stamp,
      tiers: tier,
      replicaRouting: routing,
      capacityModel: {
        concurrency: mode.concurrency,
        dbTimePerRequest: hold.queryOnly.dbTimeShare,
        predictedConnections: predicted.connectionsAtPeak,
        measuredMeanInUse: round((hold.queryOnly.rps * hold.queryOnly.meanHoldMs) / 1000, 2),
        measuredPeakActive: hold.queryOnly.peakActive,
      },
      invariants: [],
    };
    report.invariants = invariants(report);
    return report;
  } finally {
    for (const c of clients) c.disconnect();
    await Promise.allSettled([
      servers?.writerPooler?.dispose(),
      servers?.readerPooler?.dispose(),
      servers?.critical.dispose(),
      servers?.hot.dispose(),
    ]);
    await servers?.replica.dispose().catch(() => undefined);
    await servers?.primary.dispose().catch(() => undefined);
    fs.rmSync(scratch, { recursive: true, force: true });
    fs.rmSync(bundleDir, { recursive: true, force: true });
    agent.destroy();
  }
}

/** The patterns' invariants: what `.ci/run` fails on. */
export function invariants(r: Report): Report['invariants'] {
  const maxStampede = 2 * r.stampede.rounds;
  return [
    {
      name: 'sessions lost',
      ok: r.tiers.sessionsLost === 0,
      detail: `${r.tiers.sessionsLost} lost of ${r.tiers.sessionsCreated} (must be 0)`,
    },
    {
      name: 'session tier refused writes when full',
      ok: r.tiers.sessionsRefused > 0 && r.tiers.criticalKeysEvicted === 0,
      detail: `${r.tiers.sessionsRefused} refused, ${r.tiers.criticalKeysEvicted} evicted (the run must fill the tier; noeviction evicts nothing)`,
    },
    {
      name: 'stale read-your-writes reads',
      ok: r.replicaRouting.rywStale === 0,
      detail: `${r.replicaRouting.rywStale} of ${r.replicaRouting.rywReads} (must be 0)`,
    },
    {
      name: 'stampede queries',
      ok: r.stampede.protectedQueries <= maxStampede,
      detail: `${r.stampede.protectedQueries} queries in ${r.stampede.rounds} expiries (at most ${maxStampede})`,
    },
    {
      name: 'server connections within the pooler limit',
      ok: r.pooling.pooled.peakServerConnections <= r.pooling.poolerDefaultPoolSize,
      detail: `peak ${r.pooling.pooled.peakServerConnections}, default_pool_size ${r.pooling.poolerDefaultPoolSize}`,
    },
    // Lower bounds: a scenario that did not load anything proves nothing, and an upper bound alone would pass it.
    {
      name: 'the unprotected run stampeded',
      ok: r.stampede.unprotectedQueries > maxStampede,
      detail: `${r.stampede.unprotectedQueries} queries without the lock (must exceed ${maxStampede}, or the expiry was never under load)`,
    },
    {
      name: 'the replica lagged',
      ok: r.replicaRouting.replicaStale > 0,
      detail: `${r.replicaRouting.replicaStale} stale reads by other users on the replica (must be > 0, or read-your-writes was never tested)`,
    },
    {
      name: 'the direct run needed more connections than the pooler holds',
      ok: r.pooling.direct.peakServerConnections > r.pooling.poolerDefaultPoolSize,
      detail: `direct peak ${r.pooling.direct.peakServerConnections}, default_pool_size ${r.pooling.poolerDefaultPoolSize} (or the pooler's limit was never tested)`,
    },
    {
      name: 'pooled requests failed',
      ok: r.pooling.pooled.failedShare === 0,
      detail: `${r.pooling.pooled.failedShare} failed share (must be 0)`,
    },
  ];
}

function table(r: Report): string {
  const p = r.pooling;
  const h = r.connectionHold;
  const rows: [string, string, string][] = [
    [
      'pooling: peak server connections',
      `direct ${p.direct.peakServerConnections}`,
      `PgBouncer ${p.pooled.peakServerConnections} (pool ${p.poolerDefaultPoolSize})`,
    ],
    [
      'pooling: failed / waited share',
      `direct ${p.direct.failedShare} / ${p.direct.waitedShare}`,
      `PgBouncer ${p.pooled.failedShare} / ${p.pooled.waitedShare}`,
    ],
    ['pooling: requests/s', `direct ${p.direct.rps}`, `PgBouncer ${p.pooled.rps}`],
    ['connection hold: mean hold ms', `query only ${h.queryOnly.meanHoldMs}`, `held across logic ${h.heldAcrossLogic.meanHoldMs}`],
    ['connection hold: requests/s', `query only ${h.queryOnly.rps}`, `held across logic ${h.heldAcrossLogic.rps}`],
    ['connection hold: waited share', `query only ${h.queryOnly.waitedShare}`, `held across logic ${h.heldAcrossLogic.waitedShare}`],
    ['stampede: DB queries', `protected ${r.stampede.protectedQueries}`, `unprotected ${r.stampede.unprotectedQueries}`],
    ['tiers: noeviction sessions', `lost ${r.tiers.sessionsLost} of ${r.tiers.sessionsCreated}`, `refused ${r.tiers.sessionsRefused}`],
    ['tiers: allkeys-lru', `evicted ${r.tiers.hotKeysEvicted}`, `(noeviction evicted ${r.tiers.criticalKeysEvicted})`],
    ['routing: reads on the replica', `${r.replicaRouting.replicaShare} of ${r.replicaRouting.reads}`, ''],
    [
      'routing: stale reads',
      `read-your-writes ${r.replicaRouting.rywStale} of ${r.replicaRouting.rywReads}`,
      `replica ${r.replicaRouting.replicaStale}`,
    ],
    [
      `capacity model: connections (DB time ${r.capacityModel.dbTimePerRequest})`,
      `predicted ${r.capacityModel.predictedConnections}`,
      `measured mean in use ${r.capacityModel.measuredMeanInUse}, peak executing ${r.capacityModel.measuredPeakActive}`,
    ],
  ];
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  const lines = rows.map(([a, b, c]) => `${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}`);
  const inv = r.invariants.map((i) => `${i.ok ? 'ok  ' : 'FAIL'} ${i.name}: ${i.detail}`);
  return [`workload (${r.mode})`, ...lines, '', ...inv].join('\n');
}

/**
 * `npm run workload`: exit 0 when every invariant holds, 1 when one breaks (or the run fails), 2 on bad arguments.
 * Progress on stderr; the report (a table, or JSON with --json) on stdout.
 */
export async function main(argv: string[]): Promise<number> {
  let flags: ReturnType<typeof parseFlags>;
  try {
    flags = parseFlags(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 1000);
  const report = await runWorkload(flags.mode, (line) => process.stderr.write(`--- ${line} (${seconds()} s)\n`));
  process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${table(report)}\n`);
  process.stderr.write(`--- done in ${seconds()} s\n`);
  return report.invariants.every((i) => i.ok) ? 0 : 1;
}

// A run that fails (a server that does not start) exits 1, as a broken invariant does.
if (require.main === module) runMain('workload', main, 1);

/**
 * The service's application routes against real servers the harness starts: PostgreSQL with a streaming
 * replica that applies commits 1 s late (replica lag made visible), PgBouncer in transaction mode in front of
 * the replica, a `noeviction` and an `allkeys-lru` redis-server. The schema comes from the service's own
 * migration task (dist/migrate.js, bundled and run as a child process, as ECS runs it: node-pg-migrate is
 * ESM-only and stays out of jest). The figures under load are `npm run workload`'s (docs/workload.md).
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import {
  type Certificates,
  type PgBouncerServer,
  type PostgresServer,
  type RedisServer,
  type ReplicaServer,
  createCertificates,
  startPgBouncer,
  startRedis,
  startReplica,
  startServiceDatabase,
} from '../../scripts/local';
import { type Body, bundleEntry, runMigrationTask } from '../../scripts/workload';
import { createCaches } from '../../services/api/src/caches';
import { createDatabase } from '../../services/api/src/database';
import { Feed } from '../../services/api/src/feed';
import { createApp } from '../../services/api/src/server';
import { settingsFromEnv } from '../../services/api/src/settings';
import { describeWithServers } from '../support/local-servers';

const ROOT = path.join(__dirname, '..', '..');
const WRITER = { user: 'api', password: 'writer-pw-wl' };
const READER = { user: 'api_reader', password: 'reader-pw-wl' };
// Replica lag, fixed: long enough that a read right after a write reaches the replica first even on a loaded machine.
const DELAY_MS = 1_000;

let scratch: string;
let certificates: Certificates;
let primary: PostgresServer;
let replica: ReplicaServer;
let pooler: PgBouncerServer;
let critical: RedisServer;
let hot: RedisServer;

function env(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_WRITER_ENDPOINT: '127.0.0.1',
    DATABASE_READER_ENDPOINT: '127.0.0.1',
    DATABASE_PORT: String(primary.port),
    DATABASE_READER_PORT: String(pooler.port),
    DATABASE_NAME: primary.databaseName,
    DATABASE_USER: WRITER.user,
    DATABASE_READER_USER: READER.user,
    DATABASE_AUTH: 'password',
    DATABASE_PASSWORD: WRITER.password,
    DATABASE_READER_PASSWORD: READER.password,
    DATABASE_CA_FILE: certificates.caFile,
    DATABASE_POOL_SIZE: '4',
    CACHE_CRITICAL_PRIMARY_ENDPOINT: '127.0.0.1',
    CACHE_CRITICAL_PORT: String(critical.port),
    CACHE_CRITICAL_AUTH_TOKEN: critical.password,
    CACHE_HOT_PRIMARY_ENDPOINT: '127.0.0.1',
    CACHE_HOT_PORT: String(hot.port),
    CACHE_HOT_AUTH_TOKEN: hot.password,
    READ_YOUR_WRITES_MS: String(DELAY_MS * 5),
    ...overrides,
  };
}

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'workload-test-'));
  certificates = createCertificates({ directory: path.join(scratch, 'tls') });
  primary = await startServiceDatabase({ certificates, writer: WRITER, reader: READER });
  // The tiers before the replica: the replica's tools run synchronously and would stall their start-up.
  critical = await startRedis({ certificates, maxmemory: '1400kb', maxmemoryPolicy: 'noeviction' });
  hot = await startRedis({ certificates, maxmemory: '2mb', maxmemoryPolicy: 'allkeys-lru' });
  replica = await startReplica(primary, { applyDelayMs: DELAY_MS });
  pooler = await startPgBouncer({
    serverPort: replica.port,
    databaseName: primary.databaseName,
    logins: [WRITER, READER],
    certificates,
    maxClientConn: 20,
    defaultPoolSize: 2,
  });
  // The migration task, as ECS runs it: a bundle of migrate.ts started with node (twice: the second finds nothing to do).
  const bundleDir = fs.mkdtempSync(path.join(ROOT, 'node_modules', '.workload-test-'));
  try {
    const bundle = bundleEntry('migrate', path.join(bundleDir, 'migrate.js'));
    const migrateEnv = env({ DATABASE_READER_PORT: String(replica.port) });
    expect(runMigrationTask(bundle, migrateEnv)).toMatch(/applied 1764700000000_posts/);
    expect(runMigrationTask(bundle, migrateEnv)).toMatch(/schema already current/);
  } finally {
    fs.rmSync(bundleDir, { recursive: true, force: true });
  }
  await replicaCaughtUp();
}, 180_000);

/**
 * Waits (at most 30 s) until the replica has replayed everything the primary wrote so far: the migration's tables
 * exist on the primary the moment it ends, and on the replica only after the apply delay. Without the wait the
 * first feed read could race the replay and find no table.
 */
async function replicaCaughtUp(): Promise<void> {
  const query = async (config: ReturnType<typeof replica.clientConfig>, sql: string, values: unknown[] = []) => {
    const client = new Client(config);
    await client.connect();
    try {
      return (await client.query<{ value: unknown }>(sql, values)).rows[0]!.value;
    } finally {
      await client.end();
    }
  };
  const target = await query(primary.clientConfig(primary.superuser, 'postgres'), 'SELECT pg_current_wal_lsn()::text AS value');
  const deadline = Date.now() + 30_000;
  const replicaConfig = replica.clientConfig(primary.superuser, 'postgres');
  while (!(await query(replicaConfig, 'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS value', [target]))) {
    if (Date.now() > deadline) throw new Error(`the replica did not replay up to ${String(target)} within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

afterAll(async () => {
  await Promise.allSettled([pooler?.dispose(), critical?.dispose(), hot?.dispose()]);
  await replica?.dispose().catch(() => undefined);
  await primary?.dispose().catch(() => undefined);
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

/** The service as main.ts wires it, on a free port; `use` gets a request function. */
async function withService(
  overrides: Record<string, string>,
  use: (call: (method: string, p: string, body?: unknown) => Promise<{ status: number; body: Body }>, feed: Feed) => Promise<void>,
) {
  const settings = settingsFromEnv(env(overrides));
  const database = createDatabase(settings.database!);
  const caches = createCaches(settings.caches, { tls: { ca: fs.readFileSync(certificates.caFile) } });
  const feed = new Feed({
    ...settings.app,
    writer: database.writer,
    reader: database.reader,
    cache: caches.tier(settings.app.cacheTier),
    sessions: caches.tier(settings.app.sessionTier),
    feedTtlMs: 60_000,
  });
  const server = createApp({ settings, database, caches, feed });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const call = (method: string, p: string, body?: unknown) =>
    new Promise<{ status: number; body: Body }>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, method, path: p, agent: false, headers: { 'content-type': 'application/json' } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Body }));
        },
      );
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  try {
    await use(call, feed);
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await Promise.all([database.end(), caches.end()]);
  }
}

const ids = (body: Body) => (body.posts ?? []).map((p) => Number(p.id));

describeWithServers('the application routes against PostgreSQL + replica + PgBouncer and two tiers', () => {
  test('the feed is read on the replica through the pooler, cached, and a write invalidates it', async () => {
    await withService({}, async (call, feed) => {
      const first = await call('GET', '/feed/alice');
      expect(first).toEqual({ status: 200, body: { posts: [], source: 'reader' } });
      expect((await call('GET', '/feed/alice')).body.source).toBe('cache');
      const { body: created } = await call('POST', '/posts', { author: 'alice', title: 'hello' });
      // The write invalidated the cached feed: after the replica's delay, a reader sees the post on the replica.
      await new Promise((resolve) => setTimeout(resolve, DELAY_MS * 3));
      const after = await call('GET', '/feed/alice?viewer=bob');
      expect(after.body.source).toBe('reader');
      expect(ids(after.body)).toEqual([Number(created.id)]);
      expect(feed.metrics().queries).toEqual({ reader: 2, writer: 1 });
    });
  });

  test('read-your-writes: the author sees each write at once (the writer), while the replica, 1 s behind, does not', async () => {
    await withService({}, async (call) => {
      let replicaStale = 0;
      for (let i = 0; i < 5; i++) {
        const { body } = await call('POST', '/posts', { author: 'carol', title: `post ${i}` });
        // Another user reads the same feed at once: the replica (the write invalidated the cache), 1 s behind.
        const other = await call('GET', '/feed/carol?viewer=dave');
        expect(other.body.source).toBe('reader');
        if (!ids(other.body).includes(Number(body.id))) replicaStale++;
        const own = await call('GET', '/feed/carol?viewer=carol');
        expect(own.body.source).toBe('writer');
        expect(ids(own.body)).toContain(Number(body.id));
      }
      // Why the window exists: reads from the replica missed the writes (all of them unless the machine stalled
      // for a second between a write and the read after it).
      expect(replicaStale).toBeGreaterThanOrEqual(4);
    });
  });

  test('the pooler holds the server connections to its pool size while the service pool is larger', async () => {
    await withService({}, async (call) => {
      const watch = new Client(replica.clientConfig(primary.superuser, 'postgres'));
      await watch.connect();
      try {
        let peak = 0;
        const load = Promise.all(Array.from({ length: 40 }, (_, i) => call('GET', `/summary/author-${i % 4}`)));
        for (let k = 0; k < 10; k++) {
          const { rows } = await watch.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = 'api_reader'");
          peak = Math.max(peak, rows[0].n);
        }
        expect((await load).every((r) => r.status === 200)).toBe(true);
        expect(peak).toBeGreaterThan(0); // the load reached the server: a limit never tested proves nothing
        expect(peak).toBeLessThanOrEqual(pooler.defaultPoolSize);
      } finally {
        await watch.end();
      }
    });
  });

  test('a full noeviction tier refuses new sessions with 503 and loses none; the allkeys-lru tier evicts instead', async () => {
    await withService({}, async (call) => {
      const created: string[] = [];
      let refused = 0;
      for (let i = 0; i < 20_000 && refused < 20; i++) {
        const res = await call('POST', '/sessions', { user: `user-${i}` });
        if (res.status === 201) created.push(String(res.body.id));
        else {
          expect(res).toMatchObject({ status: 503, body: { error: 'session store full' } });
          refused++;
        }
      }
      expect(refused).toBe(20);
      for (const id of created) expect((await call('GET', `/sessions/${id}`)).status).toBe(200);
      const hotClient = new Redis({
        host: '127.0.0.1',
        port: hot.port,
        password: hot.password,
        tls: { ca: fs.readFileSync(certificates.caFile) },
      });
      try {
        const filler = 'x'.repeat(200);
        for (let i = 0; i < 12_000; i++) await hotClient.set(`filler:${i}`, filler);
        expect(Number(/evicted_keys:(\d+)/.exec(await hotClient.info('stats'))?.[1])).toBeGreaterThan(0);
      } finally {
        hotClient.disconnect();
      }
    });
  }, 120_000);

  test('/health/ready reports each breaker; an open breaker answers 503 at once, naming the dependency', async () => {
    await withService({}, async (call, feed) => {
      const ready = await call('GET', '/health/ready');
      expect((ready.body.breakers ?? []).map((b) => [b.name, b.state])).toEqual([
        ['database:writer', 'closed'],
        ['database:reader', 'closed'],
        ['cache:hot', 'closed'],
        ['cache:critical', 'closed'],
      ]);
      // Five consecutive transient failures open the reader's breaker (as a stopped replica would).
      for (let i = 0; i < 5; i++)
        await feed.breakers.reader
          .call(() => Promise.reject(Object.assign(new Error('x'), { code: 'ECONNREFUSED' })))
          .catch(() => undefined);
      const refused = await call('GET', '/summary/alice');
      expect(refused).toMatchObject({ status: 503, body: { error: 'dependency unavailable', dependency: 'database:reader' } });
      expect((await call('GET', '/health/ready')).body.breakers?.[1]).toMatchObject({ name: 'database:reader', state: 'open' });
    });
  });
});

/**
 * The reference service's /health/ready against real servers the harness starts (scripts/local): a
 * PostgreSQL with TLS whose users are created by the same SQL the stack's custom resource runs
 * (lib/database/identity-sql.ts), and two TLS redis-servers with passwords standing in for the critical and
 * hot tiers.
 *
 * A plain PostgreSQL cannot check IAM tokens, so the users log in with passwords here (DATABASE_AUTH=password):
 * what these tests prove is TLS verification, the users, their grants and what readiness reports, not RDS's
 * acceptance of a token. The last section sets a user's password to the exact token the service signs, which
 * proves the service sends a token signed for its endpoint and user; test/services/iam-token.test.ts checks
 * the token itself.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Signer } from '@aws-sdk/rds-signer';
import { Client } from 'pg';
import { type DatabaseIdentity, identitySql, schemaOwnerSql } from '../../lib/database/identity-sql';
import {
  type Certificates,
  type PostgresServer,
  type RedisServer,
  createCertificates,
  startPostgres,
  startRedis,
} from '../../scripts/local';
import { createCaches } from '../../services/api/src/caches';
import { createDatabase, type DatabaseOptions } from '../../services/api/src/database';
import { createApp, type ReadyReport } from '../../services/api/src/server';
import { settingsFromEnv } from '../../services/api/src/settings';
import { describeWithServers } from '../support/local-servers';

const IDENTITIES: DatabaseIdentity[] = [
  { user: 'api', access: 'read-write', schema: 'api' },
  { user: 'api_reader', access: 'read-only', schema: 'api' },
];
const WRITER_PASSWORD = 'writer-pw-3f9a1c';
const READER_PASSWORD = 'reader-pw-77d2e0';

let certificates: Certificates;
let otherCa: Certificates;
let postgres: PostgresServer;
let critical: RedisServer;
let hot: RedisServer;
let scratch: string;

beforeAll(async () => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'readiness-test-'));
  // For 127.0.0.1 only: `localhost` reaches the same servers under a name their certificate does not carry.
  certificates = createCertificates({ directory: path.join(scratch, 'tls'), subjectAltNames: ['IP:127.0.0.1'] });
  otherCa = createCertificates({ directory: path.join(scratch, 'other-tls'), caName: 'another CA' });
  [postgres, critical, hot] = await Promise.all([
    startPostgres({ certificates }),
    startRedis({ certificates, maxmemory: '32mb', maxmemoryPolicy: 'noeviction' }),
    startRedis({ certificates, maxmemory: '32mb', maxmemoryPolicy: 'allkeys-lru' }),
  ]);
  // What the custom resource does at deploy time, as the master user ...
  await postgres.run(postgres.master, identitySql(IDENTITIES, { databaseName: postgres.databaseName }));
  // ... the stand-in for IAM: passwords the tests know ...
  await postgres.run(postgres.master, [
    `ALTER ROLE api PASSWORD '${WRITER_PASSWORD}'`,
    `ALTER ROLE api_reader PASSWORD '${READER_PASSWORD}'`,
  ]);
  // ... and what the service's migrations do as its writer user: a table before the grants, one after.
  const writer = { user: 'api', password: WRITER_PASSWORD };
  await postgres.run(writer, ['CREATE TABLE posts (id int PRIMARY KEY, title text)', "INSERT INTO posts VALUES (1, 'first')"]);
  await postgres.run(writer, schemaOwnerSql('api', 'api_reader'));
  await postgres.run(writer, ['CREATE TABLE comments (id int PRIMARY KEY, body text)', "INSERT INTO comments VALUES (1, 'hello')"]);
}, 120_000);

afterAll(async () => {
  await Promise.all([postgres?.dispose(), critical?.dispose(), hot?.dispose()]);
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

function serviceEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    SERVICE_NAME: 'api',
    // Generous: the machine that runs the suite is shared; the deadline itself is proved in api.test.ts.
    READY_TIMEOUT_MS: '5000',
    DATABASE_WRITER_ENDPOINT: '127.0.0.1',
    DATABASE_READER_ENDPOINT: '127.0.0.1',
    DATABASE_PORT: String(postgres.port),
    DATABASE_NAME: postgres.databaseName,
    DATABASE_USER: 'api',
    DATABASE_READER_USER: 'api_reader',
    DATABASE_AUTH: 'password',
    DATABASE_PASSWORD: WRITER_PASSWORD,
    DATABASE_READER_PASSWORD: READER_PASSWORD,
    DATABASE_CA_FILE: certificates.caFile,
    DATABASE_POOL_SIZE: '2',
    CACHE_CRITICAL_PRIMARY_ENDPOINT: '127.0.0.1',
    CACHE_CRITICAL_PORT: String(critical.port),
    CACHE_CRITICAL_AUTH_TOKEN: critical.password,
    CACHE_CRITICAL_TLS: 'true',
    CACHE_HOT_PRIMARY_ENDPOINT: '127.0.0.1',
    CACHE_HOT_PORT: String(hot.port),
    CACHE_HOT_AUTH_TOKEN: hot.password,
    CACHE_HOT_TLS: 'true',
    ...overrides,
  };
}

interface Ready {
  readonly status: number;
  readonly body: ReadyReport;
  readonly text: string;
}

/** Starts the service as main.ts does, asks /health/ready once, and closes everything. */
async function ready(
  env: Record<string, string>,
  { cacheCa = certificates.caFile, database: databaseOptions = {} }: { cacheCa?: string; database?: DatabaseOptions } = {},
): Promise<Ready> {
  const settings = settingsFromEnv(env);
  const database = createDatabase(settings.database!, databaseOptions);
  const caches = createCaches(settings.caches, { tls: { ca: fs.readFileSync(cacheCa) } });
  const server = createApp({ settings, database, caches });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise<Ready>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/health/ready', agent: false }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as ReadyReport, text }));
        })
        .on('error', reject);
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await Promise.all([database.end(), caches.end()]);
  }
}

const failures = (body: ReadyReport) => Object.fromEntries(body.checks.filter((c) => !c.ok).map((c) => [c.name, c.reason]));

describeWithServers('readiness against real PostgreSQL and Redis', () => {
  describe('GIVEN the users created by the identity SQL and the right credentials', () => {
    test('the harness master role is like RDS: not a superuser, CREATEROLE, owner of the database', async () => {
      const client = new Client(postgres.clientConfig(postgres.master));
      await client.connect();
      try {
        const { rows } = await client.query(
          'SELECT r.rolsuper, r.rolcreaterole, pg_get_userbyid(d.datdba) AS owner FROM pg_roles r, pg_database d WHERE r.rolname = current_user AND d.datname = current_database()',
        );
        expect(rows).toEqual([{ rolsuper: false, rolcreaterole: true, owner: postgres.master.user }]);
      } finally {
        await client.end();
      }
    });

    test('/health/ready answers 200 after logging in to the writer, the reader and both cache tiers', async () => {
      const res = await ready(serviceEnv());
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('ready');
      expect(res.body.checks.map((c) => [c.name, c.ok])).toEqual([
        ['database:writer', true],
        ['database:reader', true],
        ['cache:critical', true],
        ['cache:hot', true],
      ]);
    });

    test('the pools log in as the service users: the writer writes, the reader reads what it wrote and cannot write', async () => {
      const settings = settingsFromEnv(serviceEnv());
      const db = createDatabase(settings.database!);
      try {
        expect((await db.writer.query('SELECT current_user AS u')).rows).toEqual([{ u: 'api' }]);
        expect((await db.reader.query('SELECT current_user AS u')).rows).toEqual([{ u: 'api_reader' }]);
        await db.writer.query("INSERT INTO comments VALUES (2, 'written by the writer')");
        // The search_path the identity SQL sets finds the service's schema; tables from before and after the grants.
        expect((await db.reader.query('SELECT count(*)::int AS n FROM posts')).rows).toEqual([{ n: 1 }]);
        expect((await db.reader.query('SELECT body FROM comments WHERE id = 2')).rows).toEqual([{ body: 'written by the writer' }]);
        // Read-only twice over: the session starts read-only, and even out of it the reader holds no write grant.
        await expect(db.reader.query("INSERT INTO comments VALUES (3, 'x')")).rejects.toMatchObject({ code: '25006' });
        const client = await db.reader.connect();
        try {
          await client.query('BEGIN READ WRITE');
          await expect(client.query("INSERT INTO comments VALUES (3, 'x')")).rejects.toMatchObject({ code: '42501' });
        } finally {
          await client.query('ROLLBACK');
          client.release();
        }
        // The writer may not create outside its schema.
        await expect(db.writer.query('CREATE TABLE public.escape (id int)')).rejects.toMatchObject({ code: '42501' });
      } finally {
        await db.end();
      }
    });

    test('a connection without TLS is refused by the server, as the proxy refuses one', async () => {
      const client = new Client({ ...postgres.clientConfig({ user: 'api', password: WRITER_PASSWORD }), ssl: false });
      await expect(client.connect()).rejects.toMatchObject({ code: '28000', message: expect.stringMatching(/no encryption/) });
    });
  });

  describe('fails closed and names the dependency', () => {
    test('fails when the writer password is wrong: database:writer, authentication failed, no password in the answer', async () => {
      const res = await ready(serviceEnv({ DATABASE_PASSWORD: 'not-the-password', DATABASE_READER_PASSWORD: READER_PASSWORD }));
      expect(res.status).toBe(503);
      expect(res.body.failed).toEqual(['database:writer']);
      expect(failures(res.body)).toEqual({ 'database:writer': 'authentication failed' });
      expect(res.text).not.toContain('not-the-password');
    });

    test('fails when a cache AUTH token is wrong: cache:hot, authentication failed, no token in the answer', async () => {
      const res = await ready(serviceEnv({ CACHE_HOT_AUTH_TOKEN: 'stale-token-after-rotation' }));
      expect(res.status).toBe(503);
      expect(failures(res.body)).toEqual({ 'cache:hot': 'authentication failed' });
      expect(res.text).not.toContain('stale-token-after-rotation');
      expect(res.text).not.toContain(hot.password);
    });

    test('fails when the reader lost CONNECT (a revoked grant), and passes again once the identity SQL runs again', async () => {
      await postgres.run(postgres.master, [`REVOKE CONNECT ON DATABASE ${postgres.databaseName} FROM api_reader`]);
      const res = await ready(serviceEnv());
      expect(res.status).toBe(503);
      expect(failures(res.body)).toEqual({ 'database:reader': 'permission denied' });
      expect(res.body.checks.find((c) => c.name === 'database:reader')?.error).toMatch(/permission denied for database/);

      // The custom resource runs the same list on every update: it puts the grant back.
      await postgres.run(postgres.master, identitySql(IDENTITIES, { databaseName: postgres.databaseName }));
      expect((await ready(serviceEnv())).status).toBe(200);
    });

    test('fails when the database certificate is not signed by DATABASE_CA_FILE: certificate not trusted', async () => {
      const res = await ready(serviceEnv({ DATABASE_CA_FILE: otherCa.caFile }));
      expect(res.status).toBe(503);
      expect(failures(res.body)).toEqual({ 'database:writer': 'certificate not trusted', 'database:reader': 'certificate not trusted' });
    });

    test('fails when a cache certificate is not trusted: certificate not trusted', async () => {
      const res = await ready(serviceEnv(), { cacheCa: otherCa.caFile });
      expect(failures(res.body)).toEqual({ 'cache:critical': 'certificate not trusted', 'cache:hot': 'certificate not trusted' });
    });

    test('fails when the certificate is trusted but issued for another name: certificate not trusted', async () => {
      const res = await ready(serviceEnv({ DATABASE_READER_ENDPOINT: 'localhost', CACHE_HOT_PRIMARY_ENDPOINT: 'localhost' }));
      expect(failures(res.body)).toEqual({ 'database:reader': 'certificate not trusted', 'cache:hot': 'certificate not trusted' });
      expect(res.body.checks.find((c) => c.name === 'database:reader')?.error).toMatch(/does not match certificate's altnames/);
    });
  });

  describe('the IAM token path against a real server', () => {
    const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

    /**
     * RDS checks the token's signature; a plain PostgreSQL compares passwords. Freezing the clock makes the token
     * the service will sign for `hostname` predictable, so the roles' passwords can be set to it beforehand.
     */
    async function withTokensFor(hostname: string, body: (env: Record<string, string>) => Promise<void>): Promise<void> {
      jest.useFakeTimers({
        now: new Date('2026-12-01T12:00:00Z'),
        doNotFake: [
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
          'setImmediate',
          'clearImmediate',
          'nextTick',
          'queueMicrotask',
          'hrtime',
          'performance',
        ],
      });
      try {
        const sign = (username: string) =>
          new Signer({ hostname, port: postgres.port, username, region: 'eu-west-1', credentials }).getAuthToken();
        const [writerToken, readerToken] = await Promise.all([sign('api'), sign('api_reader')]);
        await postgres.run(postgres.master, [
          `ALTER ROLE api PASSWORD '${writerToken}'`,
          `ALTER ROLE api_reader PASSWORD '${readerToken}'`,
        ]);
        const env = serviceEnv({ DATABASE_AUTH: 'iam', DATABASE_REGION: 'eu-west-1' });
        delete env.DATABASE_PASSWORD;
        delete env.DATABASE_READER_PASSWORD;
        await body(env);
      } finally {
        jest.useRealTimers();
        await postgres.run(postgres.master, [
          `ALTER ROLE api PASSWORD '${WRITER_PASSWORD}'`,
          `ALTER ROLE api_reader PASSWORD '${READER_PASSWORD}'`,
        ]);
      }
    }

    test('the service logs in with the token it signs for its endpoint and user (the password set to that token)', async () => {
      await withTokensFor('127.0.0.1', async (env) => {
        const res = await ready(env, { database: { credentials } });
        expect(res.status).toBe(200);

        // Signed for another region, the token differs, and the login fails without echoing it.
        const wrong = await ready({ ...env, DATABASE_REGION: 'us-east-1' }, { database: { credentials } });
        expect(failures(wrong.body)).toEqual({ 'database:writer': 'authentication failed', 'database:reader': 'authentication failed' });
        expect(wrong.text).not.toMatch(/X-Amz-Signature/);
      });
    });

    // The `postgres` engine's reader name is a weighted CNAME over the replicas, which no RDS certificate names.
    // Here `localhost` plays that alias (the system resolves it, the server certificate does not carry it) and
    // `127.0.0.1` the replica endpoint it points to (the certificate carries it; the tokens are signed for it).
    const alias = 'localhost';
    const resolveCname = async (name: string) =>
      name === alias ? ['127.0.0.1'] : Promise.reject(Object.assign(new Error(name), { code: 'ENODATA' }));

    test('a reader alias (DATABASE_READER_ENDPOINT_TYPE=cname) is resolved per connection: TLS and the token name the replica', async () => {
      await withTokensFor('127.0.0.1', async (env) => {
        const aliased = { ...env, DATABASE_READER_ENDPOINT: alias, DATABASE_READER_ENDPOINT_TYPE: 'cname' };
        const res = await ready(aliased, { database: { credentials, resolveCname } });
        expect(res.status).toBe(200);

        // The pool too: queries on the reader go to the replica the alias names, as the reader user.
        const db = createDatabase(settingsFromEnv(aliased).database!, { credentials, resolveCname });
        try {
          const { rows } = await db.reader.query<{ user: string; host: string }>(
            'SELECT current_user AS user, inet_server_addr()::text AS host',
          );
          expect(rows).toEqual([{ user: 'api_reader', host: '127.0.0.1/32' }]);
        } finally {
          await db.end();
        }

        // Taken as a plain endpoint, the alias is what TLS checks, as RDS's certificate would refuse it.
        const plain = await ready({ ...aliased, DATABASE_READER_ENDPOINT_TYPE: 'endpoint' }, { database: { credentials, resolveCname } });
        expect(failures(plain.body)).toEqual({ 'database:reader': 'certificate not trusted' });
      });
    });

    test('a reader alias that does not resolve fails readiness as the reader: name not resolved', async () => {
      const env = serviceEnv({ DATABASE_READER_ENDPOINT: 'readers.database.gone.internal', DATABASE_READER_ENDPOINT_TYPE: 'cname' });
      const res = await ready(env, { database: { resolveCname } });
      expect(failures(res.body)).toEqual({ 'database:reader': 'name not resolved' });
      expect(res.body.checks.find((c) => c.name === 'database:reader')?.error).toMatch(
        /readers\.database\.gone\.internal does not resolve/,
      );
    });
  });

  describe('GIVEN a server that stops (these run last: they stop the servers)', () => {
    test('fails when a cache tier is down: cache:hot, refused', async () => {
      await hot.stop();
      const res = await ready(serviceEnv());
      expect(res.status).toBe(503);
      expect(failures(res.body)).toEqual({ 'cache:hot': 'refused' });
    });

    test('fails when the database is down: database:writer and database:reader, refused', async () => {
      await postgres.stop();
      const res = await ready(serviceEnv());
      expect(res.status).toBe(503);
      expect(failures(res.body)).toEqual({ 'database:writer': 'refused', 'database:reader': 'refused', 'cache:hot': 'refused' });
    });
  });
});

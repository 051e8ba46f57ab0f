/**
 * The reference service (services/api) where a real server cannot stand in: a dependency that accepts
 * connections and never answers (the deadline), the environment it refuses, and the redaction of secrets a
 * driver might echo. Logins, grants, TLS verification and stopped servers are proved against real PostgreSQL
 * and Redis in test/integration/readiness.test.ts.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createCertificates } from '../../scripts/local';
import { createCaches } from '../../services/api/src/caches';
import { createDatabase } from '../../services/api/src/database';
import { describeFailure } from '../../services/api/src/failure';
import { createApp, type ReadyReport } from '../../services/api/src/server';
import { settingsFromEnv } from '../../services/api/src/settings';

let scratch: string;
let caFile: string;
const servers: net.Server[] = [];
const sockets = new Set<net.Socket>();

beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'api-test-'));
  caFile = createCertificates({ directory: scratch }).caFile;
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function listen<T extends net.Server>(server: T): Promise<number> {
  servers.push(server);
  server.on('connection', (s: net.Socket) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Accepts connections and never answers: the slow dependency of a cascade. */
const silent = () => listen(net.createServer(() => undefined));

function environment(ports: { database: number; cache: number }, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    SERVICE_NAME: 'api',
    READY_TIMEOUT_MS: '300',
    DATABASE_WRITER_ENDPOINT: '127.0.0.1',
    DATABASE_PORT: String(ports.database),
    DATABASE_NAME: 'app',
    DATABASE_USER: 'api',
    DATABASE_READER_USER: 'api_reader',
    DATABASE_AUTH: 'password',
    DATABASE_PASSWORD: 'local-password',
    DATABASE_CA_FILE: caFile,
    CACHE_HOT_PRIMARY_ENDPOINT: '127.0.0.1',
    CACHE_HOT_PORT: String(ports.cache),
    CACHE_HOT_AUTH_TOKEN: 'hot-token',
    CACHE_HOT_TLS: 'true',
    ...overrides,
  };
}

async function get(env: Record<string, string>, pathname: string) {
  const settings = settingsFromEnv(env);
  const database = createDatabase(settings.database!);
  const caches = createCaches(settings.caches);
  const port = await listen(createApp({ settings, database, caches }));
  try {
    return await new Promise<{ status: number; body: ReadyReport & Record<string, unknown>; ms: number }>((resolve, reject) => {
      const start = Date.now();
      http
        .get({ host: '127.0.0.1', port, path: pathname, agent: false }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), ms: Date.now() - start }));
        })
        .on('error', reject);
    });
  } finally {
    await Promise.all([database.end(), caches.end()]);
  }
}

describe('GET /health/live', () => {
  test('answers 200 without touching dependencies, even when every one hangs', async () => {
    const res = await get(environment({ database: await silent(), cache: await silent() }), '/health/live');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'live' });
  });
});

describe('GET /health/ready deadlines', () => {
  test('fails when every dependency accepts and never answers: each named, timed out, within the deadline', async () => {
    // A deadline long against this machine's scheduling delays (a loaded run has taken a second past a 300 ms one).
    const deadline = 1500;
    const res = await get(
      { ...environment({ database: await silent(), cache: await silent() }), READY_TIMEOUT_MS: String(deadline) },
      '/health/ready',
    );
    expect(res.status).toBe(503);
    expect(res.body.failed).toEqual(['database:writer', 'database:reader', 'cache:hot']);
    for (const check of res.body.checks) {
      expect(check).toMatchObject({ ok: false, reason: 'timed out' });
    }
    // The checks run at once: the answer takes one deadline, not three in a row (4.5 s).
    expect(res.ms).toBeGreaterThanOrEqual(deadline - 50);
    expect(res.ms).toBeLessThan(deadline * 2);
  });
});

describe('the service refuses an environment it cannot use, naming every variable at once', () => {
  test('fails when the database is named without its users, CA file, name or region', () => {
    expect(() => settingsFromEnv({ DATABASE_WRITER_ENDPOINT: 'proxy.example.internal', DATABASE_POOL_SIZE: '0' })).toThrow(
      [
        'invalid environment:',
        '  DATABASE_NAME: required with DATABASE_WRITER_ENDPOINT, got nothing',
        "  DATABASE_USER: required (the service's own database user), got nothing",
        "  DATABASE_READER_USER: required (the service's read-only database user), got nothing",
        '  DATABASE_CA_FILE: required (PEM of the RDS and proxy certificate authorities; the image sets it), got nothing',
        '  DATABASE_POOL_SIZE: expected an integer >= 1, got "0"',
        '  DATABASE_REGION: required to sign IAM authentication tokens, got nothing',
      ].join('\n'),
    );
  });

  const deployed = {
    DATABASE_WRITER_ENDPOINT: 'app.proxy-abc.eu-west-1.rds.amazonaws.com',
    DATABASE_READER_ENDPOINT: 'app-readers.endpoint.proxy-abc.eu-west-1.rds.amazonaws.com',
    DATABASE_NAME: 'app',
    DATABASE_USER: 'api',
    DATABASE_READER_USER: 'api_reader',
    DATABASE_REGION: 'eu-west-1',
    DATABASE_CA_FILE: '/app/certs/rds-and-proxy-ca.pem',
    DATABASE_POOL_SIZE: '20',
  };

  test('IAM authentication is the default: what the stack sets is enough', () => {
    expect(settingsFromEnv(deployed).database).toEqual({
      writerEndpoint: deployed.DATABASE_WRITER_ENDPOINT,
      readerEndpoint: deployed.DATABASE_READER_ENDPOINT,
      readerEndpointType: 'endpoint',
      port: 5432,
      readerPort: 5432,
      databaseName: 'app',
      user: 'api',
      readerUser: 'api_reader',
      auth: { kind: 'iam', region: 'eu-west-1' },
      caFile: '/app/certs/rds-and-proxy-ca.pem',
      poolSize: 20,
    });
  });

  test('fails when DATABASE_AUTH=password on ECS: passwords are for local tests and the workload only', () => {
    expect(() =>
      settingsFromEnv({
        ...deployed,
        DATABASE_AUTH: 'password',
        DATABASE_PASSWORD: 'pw',
        ECS_CONTAINER_METADATA_URI_V4: 'http://169.254.170.2/v4/x',
      }),
    ).toThrow(
      /DATABASE_AUTH: "password" is for local tests and the workload only, and this process runs on AWS \(ECS_CONTAINER_METADATA_URI_V4 is set\)/,
    );
  });

  test('fails when DATABASE_AUTH=password comes without DATABASE_PASSWORD, or DATABASE_AUTH is unknown', () => {
    expect(() => settingsFromEnv({ ...deployed, DATABASE_AUTH: 'password' })).toThrow(
      'DATABASE_PASSWORD: required with DATABASE_AUTH=password',
    );
    expect(() => settingsFromEnv({ ...deployed, DATABASE_AUTH: 'md5' })).toThrow(
      'DATABASE_AUTH: expected "iam" (the default) or "password", got "md5"',
    );
  });

  test('DATABASE_READER_ENDPOINT_TYPE says whether the reader name is an endpoint or an alias to resolve; anything else is named', () => {
    expect(settingsFromEnv({ ...deployed, DATABASE_READER_ENDPOINT_TYPE: 'cname' }).database?.readerEndpointType).toBe('cname');
    expect(() => settingsFromEnv({ ...deployed, DATABASE_READER_ENDPOINT_TYPE: 'alias' })).toThrow(
      'DATABASE_READER_ENDPOINT_TYPE: expected one of "endpoint", "cname", got "alias"',
    );
  });

  test('a feed or session tier named on purpose must be one of the tiers given', () => {
    expect(() => settingsFromEnv({ CACHE_HOT_PRIMARY_ENDPOINT: 'hot.example.internal', SESSION_CACHE_TIER: 'critcal' })).toThrow(
      'SESSION_CACHE_TIER: expected one of the tiers given by CACHE_<TIER>_PRIMARY_ENDPOINT ("hot"), got "critcal"',
    );
  });

  test('the reader endpoint is the writer when there is none, the reader password the writer one unless given', () => {
    const { database } = settingsFromEnv({ ...deployed, DATABASE_READER_ENDPOINT: '', DATABASE_AUTH: 'password', DATABASE_PASSWORD: 'pw' });
    expect(database).toMatchObject({
      readerEndpoint: deployed.DATABASE_WRITER_ENDPOINT,
      auth: { kind: 'password', password: 'pw', readerPassword: 'pw' },
    });
  });

  test('discovers cache tiers from CACHE_<TIER>_PRIMARY_ENDPOINT, TLS on unless turned off', () => {
    const settings = settingsFromEnv({
      CACHE_CRITICAL_PRIMARY_ENDPOINT: 'critical.example.internal',
      CACHE_CRITICAL_PORT: '6380',
      CACHE_CRITICAL_READER_ENDPOINT: 'critical-ro.example.internal',
      CACHE_SESSION_STORE_PRIMARY_ENDPOINT: 'sessions.example.internal',
      CACHE_SESSION_STORE_TLS: 'false',
    });
    expect(settings.caches).toEqual([
      { name: 'critical', host: 'critical.example.internal', port: 6380, authToken: undefined, tls: true },
      { name: 'session-store', host: 'sessions.example.internal', port: 6379, authToken: undefined, tls: false },
    ]);
    expect(settings.database).toBeUndefined();
  });

  test('fails on a port that is not a number, naming the variable', () => {
    expect(() => settingsFromEnv({ PORT: 'http' })).toThrow('PORT: expected an integer >= 0, got "http"');
  });

  test('createApp fails when the settings name a dependency it was not given: readiness would pass without looking', () => {
    expect(() => createApp({ settings: settingsFromEnv({ ...deployed }) })).toThrow(/the settings name a database/);
    expect(() => createApp({ settings: settingsFromEnv({ CACHE_HOT_PRIMARY_ENDPOINT: 'hot' }) })).toThrow(/the settings name cache tiers/);
  });
});

describe('failure reports', () => {
  test('a secret the service holds never leaves in a message, nor a signed token', () => {
    const failure = describeFailure(
      new Error('AUTH hot-token failed for app.proxy:5432/?Action=connect&DBUser=api&X-Amz-Signature=abc123&X-Amz-Credential=AKIA/x'),
      ['hot-token'],
    );
    expect(failure.error).not.toMatch(/hot-token|abc123|AKIA/);
    expect(failure.error).toContain('[redacted]');
  });

  test.each([
    [{ code: '28P01', message: 'password authentication failed for user "api"' }, 'authentication failed'],
    [{ code: '42501', message: 'permission denied for database "app"' }, 'permission denied'],
    [{ code: '53300', message: 'too many connections' }, 'too many connections'],
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' }, 'refused'],
    [{ code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND proxy' }, 'name not resolved'],
    [{ code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' }, 'certificate not trusted'],
    [{ message: 'WRONGPASS invalid username-password pair or user is disabled.' }, 'authentication failed'],
    [{ message: 'NOPERM this user has no permissions to run the ping command' }, 'permission denied'],
    [{ message: 'The server does not support SSL connections' }, 'tls refused'],
    [{ message: 'something else' }, 'failed'],
  ])('%j is reported as %s', (error, reason) => {
    expect(describeFailure(Object.assign(new Error(error.message), error), []).reason).toBe(reason);
  });
});

test('an unknown path answers 404', async () => {
  expect((await get(environment({ database: await silent(), cache: await silent() }), '/nope')).status).toBe(404);
});

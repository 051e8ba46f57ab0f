/**
 * The reference service (services/api) against fake dependencies on 127.0.0.1: a fake RDS Proxy that
 * answers the PostgreSQL SSLRequest, fake cache tiers that speak enough RESP for AUTH and PING (one over TLS),
 * a dependency that accepts connections and never answers, and a port nobody listens on.
 */
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as net from 'net';
import * as path from 'path';
import * as tls from 'tls';
import { createApp } from '../../services/api/src/server';
import { settingsFromEnv } from '../../services/api/src/settings';

const FIXTURES = path.join(__dirname, 'fixtures');
const CERT = fs.readFileSync(path.join(FIXTURES, 'localhost-cert.pem'));
const KEY = fs.readFileSync(path.join(FIXTURES, 'localhost-key.pem'));

const servers: (net.Server | http.Server)[] = [];
const sockets = new Set<net.Socket>();

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

/** A fake RDS Proxy: answers the PostgreSQL SSLRequest with `S`, as a proxy with TLS does. */
function fakeProxy(): Promise<number> {
  return listen(net.createServer((socket) => socket.once('data', () => socket.write('S'))));
}

/** A fake cache tier: `+OK` for AUTH with the right token, `+PONG` for PING once authenticated. */
function onRedisConnection(token: string) {
  return (socket: net.Socket) => {
    let authed = false;
    let buffered = '';
    socket.on('data', (data) => {
      buffered += data.toString();
      // Commands arrive as RESP arrays: *N, then $len / value pairs.
      let match: RegExpExecArray | null;
      while ((match = /^\*(\d+)\r\n((?:\$\d+\r\n[^\r]*\r\n)*)/.exec(buffered))) {
        const args = [...match[2].matchAll(/\$\d+\r\n([^\r]*)\r\n/g)].map((m) => m[1]);
        if (args.length < Number(match[1])) return;
        buffered = buffered.slice(match[0].length);
        if (args[0] === 'AUTH') {
          authed = args[1] === token;
          socket.write(authed ? '+OK\r\n' : '-WRONGPASS invalid username-password pair or user is disabled.\r\n');
        } else if (args[0] === 'PING') socket.write(authed ? '+PONG\r\n' : '-NOAUTH Authentication required.\r\n');
      }
    });
  };
}

const fakeCache = (token: string) => listen(net.createServer(onRedisConnection(token)));
const fakeTlsCache = (token: string) => listen(tls.createServer({ cert: CERT, key: KEY }, onRedisConnection(token)));
/** Accepts connections and never answers: the slow dependency of a cascade. */
const silent = () => listen(net.createServer(() => undefined));
/** A port that was just free: connections to it are refused. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function environment(overrides: Record<string, string> = {}): Promise<Record<string, string>> {
  return {
    SERVICE_NAME: 'api',
    READY_TIMEOUT_MS: '300',
    DATABASE_WRITER_ENDPOINT: '127.0.0.1',
    DATABASE_PORT: String(await fakeProxy()),
    DATABASE_SECRET: JSON.stringify({ username: 'app', password: 'pw' }),
    CACHE_CRITICAL_PRIMARY_ENDPOINT: '127.0.0.1',
    CACHE_CRITICAL_PORT: String(await fakeCache('critical-token')),
    CACHE_CRITICAL_AUTH_TOKEN: 'critical-token',
    CACHE_CRITICAL_TLS: 'false',
    CACHE_HOT_PRIMARY_ENDPOINT: '127.0.0.1',
    CACHE_HOT_PORT: String(await fakeCache('hot-token')),
    CACHE_HOT_AUTH_TOKEN: 'hot-token',
    CACHE_HOT_TLS: 'false',
    ...overrides,
  };
}

async function get(env: Record<string, string>, pathname: string, cacheTls?: tls.ConnectionOptions) {
  const port = await listen(createApp({ settings: settingsFromEnv(env), cacheTls }));
  return new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: pathname, agent: false }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
      })
      .on('error', reject);
  });
}

describe('GET /health/live', () => {
  test('answers 200 without touching dependencies, even when every one is down', async () => {
    const down = String(await closedPort());
    const res = await get(await environment({ DATABASE_PORT: down, CACHE_CRITICAL_PORT: down, CACHE_HOT_PORT: down }), '/health/live');
    expect(res).toEqual({ status: 200, body: { status: 'live' } });
  });
});

describe('GET /health/ready', () => {
  test('answers 200 when the database proxy and every cache tier answer', async () => {
    const res = await get(await environment(), '/health/ready');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ready', failed: [] });
    expect((res.body.checks as { name: string; ok: boolean }[]).map((c) => [c.name, c.ok])).toEqual([
      ['database', true],
      ['cache:critical', true],
      ['cache:hot', true],
    ]);
  });

  test('answers 503 naming the cache tier that refuses connections', async () => {
    const res = await get(await environment({ CACHE_HOT_PORT: String(await closedPort()) }), '/health/ready');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: 'not ready', failed: ['cache:hot'] });
    expect(res.body.checks).toContainEqual(
      expect.objectContaining({ name: 'cache:hot', ok: false, error: expect.stringMatching(/ECONNREFUSED/) }),
    );
  });

  test('answers 503 naming the database when the proxy accepts but never answers, within the deadline', async () => {
    const res = await get(await environment({ DATABASE_PORT: String(await silent()) }), '/health/ready');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ failed: ['database'] });
    expect(res.body.checks).toContainEqual(expect.objectContaining({ name: 'database', error: 'timed out after 300 ms' }));
  });

  test('answers 503 naming the tier whose AUTH token is refused, without echoing the token', async () => {
    const res = await get(await environment({ CACHE_CRITICAL_AUTH_TOKEN: 'stale-token' }), '/health/ready');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ failed: ['cache:critical'] });
    expect(JSON.stringify(res.body)).toMatch(/AUTH answered \\"-WRONGPASS/);
    expect(JSON.stringify(res.body)).not.toContain('stale-token');
  });

  test('authenticates and pings a tier over TLS', async () => {
    const env = await environment({ CACHE_HOT_PORT: String(await fakeTlsCache('hot-token')), CACHE_HOT_TLS: 'true' });
    const res = await get(env, '/health/ready', { ca: CERT });
    expect(res.status).toBe(200);
  });

  test('fails a TLS tier whose certificate is not trusted', async () => {
    const env = await environment({ CACHE_HOT_PORT: String(await fakeTlsCache('hot-token')), CACHE_HOT_TLS: 'true' });
    const res = await get(env, '/health/ready');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ failed: ['cache:hot'] });
  });

  test('answers 503 naming the database when DATABASE_SECRET is not the JSON the stack passes', async () => {
    const res = await get(await environment({ DATABASE_SECRET: 'hunter2' }), '/health/ready');
    expect(res.status).toBe(503);
    expect(res.body.checks).toContainEqual(
      expect.objectContaining({ name: 'database', error: expect.stringMatching(/^DATABASE_SECRET: expected JSON/) }),
    );
    expect(JSON.stringify(res.body)).not.toContain('hunter2');
  });
});

describe('settings', () => {
  test('discovers cache tiers from CACHE_<TIER>_PRIMARY_ENDPOINT, TLS on unless turned off', () => {
    const settings = settingsFromEnv({
      CACHE_CRITICAL_PRIMARY_ENDPOINT: 'critical.example.internal',
      CACHE_CRITICAL_PORT: '6380',
      CACHE_CRITICAL_READER_ENDPOINT: 'critical-ro.example.internal',
      CACHE_SESSION_STORE_PRIMARY_ENDPOINT: 'sessions.example.internal',
    });
    expect(settings.caches).toEqual([
      { name: 'critical', host: 'critical.example.internal', port: 6380, authToken: undefined, tls: true },
      { name: 'session-store', host: 'sessions.example.internal', port: 6379, authToken: undefined, tls: true },
    ]);
    expect(settings.database).toBeUndefined();
  });

  test('fails on a port that is not a number, naming the variable', () => {
    expect(() => settingsFromEnv({ PORT: 'http' })).toThrow('PORT: expected a non-negative integer, got "http"');
  });
});

test('an unknown path answers 404', async () => {
  expect((await get(await environment(), '/nope')).status).toBe(404);
});

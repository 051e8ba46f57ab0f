/**
 * The service's database connections: a pool to the writer endpoint as the service's own user, and a pool to
 * the reader endpoint as its read-only user. Build request handlers on these:
 *
 * ```ts
 * const db = createDatabase(settings.database);
 * const { rows } = await db.reader.query('SELECT id, title FROM posts WHERE author = $1', [authorId]);
 * await db.writer.query('INSERT INTO posts (author, title) VALUES ($1, $2)', [authorId, title]);
 * ...
 * await db.end(); // on SIGTERM, after the HTTP server has drained
 * ```
 *
 * `pool.query` borrows a connection for one statement and returns it at once: hold a connection (`connect()`
 * / `release()`) only around a transaction, never across a call to another service (the 520-ms-held,
 * 35-ms-needed failure in DESIGN.md).
 *
 * Every connection:
 * - logs in with an IAM token signed for its endpoint and user (iam-token.ts), or, locally only, a password;
 * - speaks TLS and verifies the server's certificate against `DATABASE_CA_FILE` and the endpoint's name
 *   (`rejectUnauthorized`): the proxy requires TLS, and a token sent to an unverified server could be replayed
 *   by it for up to 15 minutes.
 */
import * as fs from 'node:fs';
import { Client, type ClientConfig, Pool } from 'pg';
import { withDeadline } from './deadline';
import { iamTokenSource } from './iam-token';
import type { DatabaseSettings } from './settings';

/** Which endpoint, and so which user: the writer user on the writer endpoint, the reader user on the reader's. */
export type DatabaseRole = 'writer' | 'reader';

export interface DatabaseOptions {
  /** Shown in `pg_stat_activity` and the proxy's logs. @default 'api' */
  readonly applicationName?: string;
  /** Deadline to open a connection, TLS and login included. @default 5000 */
  readonly connectionTimeoutMs?: number;
  /** An idle pooled connection is closed after this long. @default 30000 */
  readonly idleTimeoutMs?: number;
  /**
   * Called when an idle pooled connection fails (a failover, a proxy restart). The pool drops the connection
   * and opens a new one on the next query; without a listener, Node would crash the process.
   * @default - ignored
   */
  readonly onIdleError?: (role: DatabaseRole, error: Error) => void;
  /** @default - the task role, through the default credential provider chain */
  readonly credentials?: Parameters<typeof iamTokenSource>[0]['credentials'];
}

export interface Database {
  readonly writer: Pool;
  readonly reader: Pool;
  /**
   * Opens a new connection to `role`'s endpoint, logs in and runs `SELECT 1`, then closes it; rejects after
   * `timeoutMs`. A new connection, not a pooled one: a pooled connection proves only that a login worked once.
   */
  checkLogin(role: DatabaseRole, timeoutMs: number): Promise<void>;
  /** Closes both pools (waits for borrowed connections to be released). */
  end(): Promise<void>;
}

export function createDatabase(settings: DatabaseSettings, options: DatabaseOptions = {}): Database {
  // Read once at start: a missing bundle fails the task at start, not at the first request.
  const ca = fs.readFileSync(settings.caFile, 'utf8');
  const configs: Record<DatabaseRole, ClientConfig> = {
    writer: connectionConfig(settings, 'writer', ca, options),
    reader: connectionConfig(settings, 'reader', ca, options),
  };
  const pool = (role: DatabaseRole) => {
    const p = new Pool({ ...configs[role], max: settings.poolSize, idleTimeoutMillis: options.idleTimeoutMs ?? 30_000 });
    p.on('error', (error) => options.onIdleError?.(role, error));
    return p;
  };
  const writer = pool('writer');
  const reader = pool('reader');

  return {
    writer,
    reader,
    checkLogin: (role, timeoutMs) => checkLogin(configs[role], timeoutMs),
    end: async () => {
      await Promise.all([writer.end(), reader.end()]);
    },
  };
}

function connectionConfig(settings: DatabaseSettings, role: DatabaseRole, ca: string, options: DatabaseOptions): ClientConfig {
  const { auth } = settings;
  const host = role === 'writer' ? settings.writerEndpoint : settings.readerEndpoint;
  const user = role === 'writer' ? settings.user : settings.readerUser;
  return {
    host,
    port: settings.port,
    database: settings.databaseName,
    user,
    // pg calls a function once per new connection; the token source hands out a cached token until it is
    // 10 minutes old, so every login presents a token with at least 5 minutes left.
    password:
      auth.kind === 'iam'
        ? iamTokenSource({ hostname: host, port: settings.port, username: user, region: auth.region, credentials: options.credentials })
        : role === 'writer'
          ? auth.password
          : auth.readerPassword,
    // `ca` replaces Node's default trust store for these connections; the server's name is checked against
    // its certificate (Node's checkServerIdentity), so a verified certificate of another host is refused too.
    ssl: { ca, rejectUnauthorized: true },
    application_name: options.applicationName ?? 'api',
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
  };
}

async function checkLogin(config: ClientConfig, timeoutMs: number): Promise<void> {
  // pg's own timeouts close the socket of a server that stops answering; the deadline names the failure.
  const client = new Client({ ...config, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  // An error after the check settled (the server closing the connection) must not crash the process.
  client.on('error', () => undefined);
  try {
    await withDeadline(
      (async () => {
        await client.connect();
        await client.query('SELECT 1');
      })(),
      timeoutMs,
    );
  } finally {
    void client.end().catch(() => undefined);
  }
}

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
 *
 * On the `postgres` engine the reader endpoint is a weighted DNS alias over the replicas
 * (`readers.database.<app>-<env>.internal`, `DATABASE_READER_ENDPOINT_TYPE=cname`). No RDS certificate names that
 * alias, and RDS checks a token against the instance it was signed for, so each new reader connection resolves
 * the alias first (Route 53 answers one replica per lookup, by weight) and then connects to, verifies the
 * certificate of, and signs its token for the replica's own endpoint.
 */
import { promises as dns } from 'node:dns';
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
  /**
   * Resolves a reader alias to the instance endpoints it names (`DATABASE_READER_ENDPOINT_TYPE=cname` only).
   * @default - node:dns `resolveCname`, which asks the VPC resolver (Route 53 private zones) on every call
   */
  readonly resolveCname?: (name: string) => Promise<string[]>;
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
  const endpoints: Record<DatabaseRole, Endpoint> = {
    writer: connectionConfig(settings, 'writer', ca, options),
    reader: connectionConfig(settings, 'reader', ca, options),
  };
  const pool = (role: DatabaseRole) => {
    const { config, Client: client } = endpoints[role];
    const p = new Pool({ ...config, Client: client, max: settings.poolSize, idleTimeoutMillis: options.idleTimeoutMs ?? 30_000 });
    p.on('error', (error) => options.onIdleError?.(role, error));
    return p;
  };
  const writer = pool('writer');
  const reader = pool('reader');

  return {
    writer,
    reader,
    checkLogin: (role, timeoutMs) => checkLogin(endpoints[role], timeoutMs),
    end: async () => {
      await Promise.all([writer.end(), reader.end()]);
    },
  };
}

/** How to open a connection to one endpoint: pg's settings, and the client class that opens it. */
interface Endpoint {
  readonly config: ClientConfig;
  readonly Client: typeof Client;
}

function connectionConfig(settings: DatabaseSettings, role: DatabaseRole, ca: string, options: DatabaseOptions): Endpoint {
  const { auth } = settings;
  const host = role === 'writer' ? settings.writerEndpoint : settings.readerEndpoint;
  // One port on AWS (the proxy's endpoints and the instances share 5432); the local replica has its own.
  const port = role === 'writer' ? settings.port : settings.readerPort;
  const user = role === 'writer' ? settings.user : settings.readerUser;
  // One token source per host the connections go to: one for an endpoint, one per replica behind an alias.
  const tokenSources = new Map<string, () => Promise<string>>();
  const tokenFor = (hostname: string) => {
    let source = tokenSources.get(hostname);
    if (!source) {
      if (auth.kind !== 'iam') throw new Error('unreachable: tokens are signed with DATABASE_AUTH=iam only');
      source = iamTokenSource({ hostname, port, username: user, region: auth.region, credentials: options.credentials });
      tokenSources.set(hostname, source);
    }
    return source();
  };
  const config: ClientConfig = {
    host,
    port,
    database: settings.databaseName,
    user,
    // pg calls a function once per new connection, with the connection's parameters (their `host` is the instance
    // endpoint once an alias is resolved); the token source hands out a cached token until it is 10 minutes old,
    // so every login presents a token with at least 5 minutes left.
    password:
      auth.kind === 'iam'
        ? // pg passes the connection parameters; @types/pg declares the function without them.
          (((parameters: { host: string }) => tokenFor(parameters.host)) as unknown as () => Promise<string>)
        : role === 'writer'
          ? auth.password
          : auth.readerPassword,
    // `ca` replaces Node's default trust store for these connections; the server's name is checked against
    // its certificate (Node's checkServerIdentity), so a verified certificate of another host is refused too.
    ssl: { ca, rejectUnauthorized: true },
    application_name: options.applicationName ?? 'api',
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
  };
  const alias = role === 'reader' && settings.readerEndpointType === 'cname';
  return { config, Client: alias ? aliasResolvingClient(host, options.resolveCname ?? dns.resolveCname) : Client };
}

/**
 * A pg client that, on connect, resolves `alias` (a CNAME) and connects to the name it points to instead: TLS
 * verifies that name (pg sends it as the server name), and the password function receives it as `host`.
 * Resolved on every new connection, not once: the weighted record spreads connections over the replicas, and a
 * replica removed from the record (its 30-second TTL) stops receiving new ones.
 */
export function aliasResolvingClient(alias: string, resolveCname: (name: string) => Promise<string[]>): typeof Client {
  return class AliasResolvingClient extends Client {
    override connect(): Promise<Client>;
    override connect(callback: (err: Error | null, client?: Client) => void): void;
    override connect(callback?: (err: Error | null, client?: Client) => void): Promise<Client> | void {
      const connected = resolveAlias(alias, resolveCname).then((target) => {
        // pg reads the host from both when it opens the socket and when it asks for the password.
        this.host = target;
        (this as unknown as { connectionParameters: { host: string } }).connectionParameters.host = target;
        return super.connect();
      });
      if (!callback) return connected;
      // As pg's own connect(callback): the pool passes a callback and reads only its error.
      connected.then(
        (client) => callback(null, client),
        (error: Error) => callback(error),
      );
    }
  };
}

async function resolveAlias(alias: string, resolveCname: (name: string) => Promise<string[]>): Promise<string> {
  let targets: string[];
  try {
    targets = await resolveCname(alias);
  } catch (error) {
    // Named like a DNS failure (`failure.ts` classifies ENOTFOUND as "not found"), without the resolver's noise.
    const code = (error as NodeJS.ErrnoException).code ?? 'ENOTFOUND';
    throw Object.assign(new Error(`${alias} does not resolve to a replica endpoint (${code})`), { code });
  }
  if (targets.length === 0) throw Object.assign(new Error(`${alias} names no replica endpoint`), { code: 'ENOTFOUND' });
  // Route 53 answers a weighted record with one target; pick among several should a resolver return them.
  return targets[Math.floor(Math.random() * targets.length)]!;
}

async function checkLogin(endpoint: Endpoint, timeoutMs: number): Promise<void> {
  // pg's own timeouts close the socket of a server that stops answering; the deadline names the failure.
  const client = new endpoint.Client({ ...endpoint.config, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
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

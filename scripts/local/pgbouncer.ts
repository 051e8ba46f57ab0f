/**
 * PgBouncer in transaction mode in front of a harness PostgreSQL (or replica): the local stand-in for RDS
 * Proxy, which also multiplexes client connections onto fewer database connections at transaction boundaries.
 * TLS on both sides, as the proxy: clients must use TLS (`client_tls_sslmode = require`, the harness's
 * certificate for 127.0.0.1), and PgBouncer verifies the server's certificate (`server_tls_sslmode = verify-full`).
 *
 * `maxClientConn` and `defaultPoolSize` come from the caller (the workload passes the tasks' pools together,
 * and the capacity model's connections at peak): the server connections PgBouncer opens per user and database never exceed
 * `defaultPoolSize`, which the workload checks against what PostgreSQL reports.
 *
 * Logins: RDS Proxy checks IAM tokens; here an `auth_file` holds each user's password, which stands in for the
 * token (the same substitution as the integration tests). PgBouncer uses it for SCRAM with the client and
 * with the server. Runs as the `postgres` OS user when we are root (PgBouncer refuses root).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type ClientConfig } from 'pg';
import { freePort } from './ports';
import { type Login, giveToServerUser, serverUserCommand } from './postgres';
import type { Certificates } from './tls';

export interface PgBouncerOptions {
  /** The server it pools: host is always 127.0.0.1. */
  readonly serverPort: number;
  readonly databaseName: string;
  /** Users and their passwords (the auth_file). */
  readonly logins: readonly Login[];
  /** Certificates: PgBouncer presents the server certificate and trusts the CA for its server side. */
  readonly certificates: Certificates;
  /** `max_client_conn`. */
  readonly maxClientConn: number;
  /** `default_pool_size`: server connections per user and database. */
  readonly defaultPoolSize: number;
}

export interface PgBouncerServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly directory: string;
  readonly maxClientConn: number;
  readonly defaultPoolSize: number;
  clientConfig(login: Login): ClientConfig;
  stop(): Promise<void>;
  dispose(): Promise<void>;
}

/** The pgbouncer binary, or undefined when none is installed. */
export function pgbouncerBinary(): string | undefined {
  for (const candidate of ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer']) if (fs.existsSync(candidate)) return candidate;
  const found = spawnSync('sh', ['-c', 'command -v pgbouncer'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;

function waitForListen(child: ChildProcess, logFile: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
      if (new RegExp(`listening on 127\\.0\\.0\\.1:${port}`).test(log)) {
        clearInterval(poll);
        resolve();
      } else if (child.exitCode !== null || Date.now() - started > 15_000) {
        clearInterval(poll);
        reject(new Error(`pgbouncer did not start (exit ${child.exitCode}):\n${log.slice(-2000)}`));
      }
    }, 50);
  });
}

export async function startPgBouncer(options: PgBouncerOptions): Promise<PgBouncerServer> {
  const binary = pgbouncerBinary();
  if (!binary) throw new Error('pgbouncer not found: apt-get install pgbouncer');
  for (const [field, value] of [
    ['maxClientConn', options.maxClientConn],
    ['defaultPoolSize', options.defaultPoolSize],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`pgbouncer ${field}: expected an integer >= 1, got ${value}`);
  }
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'local-pgbouncer-'));
  // Copies the server user can read (the caller's directory may be private to it).
  const key = path.join(directory, 'server.key');
  const cert = path.join(directory, 'server.crt');
  const caFile = path.join(directory, 'ca.crt');
  fs.copyFileSync(options.certificates.keyFile, key);
  fs.copyFileSync(options.certificates.certFile, cert);
  fs.copyFileSync(options.certificates.caFile, caFile);
  fs.chmodSync(key, 0o600);
  const authFile = path.join(directory, 'users.txt');
  fs.writeFileSync(authFile, options.logins.map((l) => `${quote(l.user)} ${quote(l.password)}`).join('\n') + '\n', { mode: 0o600 });
  const logFile = path.join(directory, 'pgbouncer.log');
  const port = await freePort();
  const ini = [
    '[databases]',
    `${options.databaseName} = host=127.0.0.1 port=${options.serverPort} dbname=${options.databaseName}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    'unix_socket_dir =',
    `logfile = ${logFile}`,
    `pidfile = ${path.join(directory, 'pgbouncer.pid')}`,
    'auth_type = scram-sha-256',
    `auth_file = ${authFile}`,
    'pool_mode = transaction',
    `max_client_conn = ${options.maxClientConn}`,
    `default_pool_size = ${options.defaultPoolSize}`,
    'reserve_pool_size = 0',
    'min_pool_size = 0',
    'client_tls_sslmode = require',
    `client_tls_key_file = ${key}`,
    `client_tls_cert_file = ${cert}`,
    'server_tls_sslmode = verify-full',
    `server_tls_ca_file = ${caFile}`,
    // pg sends these at login; transaction pooling cannot keep per-session settings.
    'ignore_startup_parameters = extra_float_digits,options,statement_timeout',
    'log_connections = 0',
    'log_disconnections = 0',
  ].join('\n');
  const iniFile = path.join(directory, 'pgbouncer.ini');
  fs.writeFileSync(iniFile, `${ini}\n`, { mode: 0o600 });
  giveToServerUser(directory);

  const [command, argv] = serverUserCommand(binary, [iniFile]);
  const child = spawn(command, argv, { stdio: 'ignore', env: { ...process.env, HOME: directory } });
  const kill = () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL');
  process.once('exit', kill);
  await waitForListen(child, logFile, port).catch((e: unknown) => {
    kill();
    throw e;
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // SIGINT: PgBouncer's "safe shutdown" waits for clients; the harness's runs are over, so SIGTERM (immediate).
    child.kill('SIGTERM');
    await exited;
  };
  const ca = fs.readFileSync(options.certificates.caFile, 'utf8');
  return {
    host: '127.0.0.1',
    port,
    directory,
    maxClientConn: options.maxClientConn,
    defaultPoolSize: options.defaultPoolSize,
    clientConfig: (login) => ({
      host: '127.0.0.1',
      port,
      database: options.databaseName,
      user: login.user,
      password: login.password,
      ssl: { ca, rejectUnauthorized: true },
      connectionTimeoutMillis: 10_000,
    }),
    stop,
    async dispose() {
      await stop();
      process.removeListener('exit', kill);
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

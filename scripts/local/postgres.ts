/**
 * A real PostgreSQL for tests and the local workload: a fresh cluster in a temporary directory, on 127.0.0.1
 * and a free port, TLS only, SCRAM passwords, stopped and deleted by `stop()` (or when the process exits).
 *
 * It is shaped like RDS where that matters to what the tests prove:
 * - the application database belongs to a **master role that is not a superuser** but has CREATEROLE, as the
 *   RDS master user (a member of `rds_superuser`) is; the identity SQL runs as that role, so a statement that
 *   needs a superuser fails here as it would on RDS;
 * - the `rds_iam` role exists (`RDS_IAM_STANDIN_SQL`), so the same `GRANT rds_iam` runs; a plain PostgreSQL
 *   does not enforce IAM for its members, so tests log in with passwords instead of tokens;
 * - only `hostssl` lines in pg_hba.conf: a connection without TLS is refused, as the proxy refuses one.
 *
 * PostgreSQL refuses to run as root; when this process is root (CI), initdb and pg_ctl run as the `postgres`
 * OS user (Debian's package creates it) through runuser, and the directory is handed to that user.
 *
 * Designed to be extended (a streaming replica, pgbouncer in front): `settings` and `hba` take extra
 * postgresql.conf and pg_hba.conf lines, and the server exposes its directory, superuser and certificates.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, type ClientConfig } from 'pg';
import { RDS_IAM_STANDIN_SQL, quoteIdentifier } from '../../lib/database/identity-sql';
import { freePort } from './ports';
import { type Certificates, createCertificates } from './tls';

export interface PostgresOptions {
  /** The application database. @default 'app' */
  readonly databaseName?: string;
  /** The RDS-like master role: owns the database, CREATEROLE, not a superuser. @default 'postgres_admin' (the stack's) */
  readonly masterUser?: string;
  /** @default - random */
  readonly masterPassword?: string;
  /** TLS material; the CA file is what clients trust. @default - a fresh CA and server certificate */
  readonly certificates?: Certificates;
  /** Extra postgresql.conf settings, e.g. `{ wal_level: 'replica', max_wal_senders: '4' }`. @default {} */
  readonly settings?: Readonly<Record<string, string>>;
  /** Extra pg_hba.conf lines, after the default `hostssl all all 127.0.0.1/32 scram-sha-256`. @default [] */
  readonly hba?: readonly string[];
  /** Directory of initdb and pg_ctl. @default - PG_BINDIR, else the newest /usr/lib/postgresql/N/bin */
  readonly binDir?: string;
}

export interface Login {
  readonly user: string;
  readonly password: string;
}

export interface PostgresServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly databaseName: string;
  /** The RDS-like master role (not a superuser). */
  readonly master: Login;
  /** The cluster's bootstrap superuser: for what RDS itself does (creating `rds_iam`), never for the SQL under test. */
  readonly superuser: Login;
  readonly certificates: Certificates;
  /** The temporary directory: `data/` (the cluster), `tls/`, `postgres.log`. */
  readonly directory: string;
  /** A pg client configuration that verifies the server against the CA. @default database - the application database */
  clientConfig(login: Login, database?: string): ClientConfig;
  /** Runs `statements` in order on one connection as `login`. */
  run(login: Login, statements: readonly string[], database?: string): Promise<void>;
  /** Stops the server (fast shutdown: open sessions are ended). The directory stays until `dispose()`. */
  stop(): Promise<void>;
  /** Stops the server if it runs, and deletes its directory. */
  dispose(): Promise<void>;
}

/** The newest PostgreSQL server binaries, or undefined when none is installed. */
export function postgresBinDir(): string | undefined {
  const candidates = process.env.PG_BINDIR
    ? [process.env.PG_BINDIR]
    : (fs.existsSync('/usr/lib/postgresql') ? fs.readdirSync('/usr/lib/postgresql') : [])
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => `/usr/lib/postgresql/${v}/bin`);
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl')));
}

const secret = () => randomBytes(18).toString('hex');

/** The command line that runs `binary` as the `postgres` OS user when we are root (PostgreSQL and PgBouncer refuse root). */
export function serverUserCommand(binary: string, args: readonly string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, [...args]];
}

/** Runs a server binary as the server user; `env` adds variables (HOME of that user, a password file). */
export function asServerUser(binary: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): void {
  const [command, argv] = serverUserCommand(binary, args);
  execFileSync(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000, env: { ...process.env, ...env } });
}

/** Hands `dir` to the `postgres` OS user when we are root, so the server (run as that user) can use it. */
export function giveToServerUser(dir: string): void {
  if (process.getuid?.() !== 0) return;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
  chownRecursive(dir, uid, gid);
}

function chownRecursive(dir: string, uid: number, gid: number): void {
  fs.chownSync(dir, uid, gid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) chownRecursive(full, uid, gid);
    else fs.chownSync(full, uid, gid);
  }
}

/** postgresql.conf lines. */
export const conf = (settings: Readonly<Record<string, string>>) =>
  Object.entries(settings)
    .map(([k, v]) => `${k} = '${v.replace(/'/g, "''")}'`)
    .join('\n');

export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  const binDir = options.binDir ?? postgresBinDir();
  if (!binDir) throw new Error('PostgreSQL server binaries not found (initdb, pg_ctl): apt-get install postgresql, or set PG_BINDIR');
  const databaseName = options.databaseName ?? 'app';
  const master: Login = { user: options.masterUser ?? 'postgres_admin', password: options.masterPassword ?? secret() };
  const superuser: Login = { user: 'postgres', password: secret() };
  quoteIdentifier(databaseName);
  quoteIdentifier(master.user);

  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'local-postgres-'));
  const dataDir = path.join(directory, 'data');
  const logFile = path.join(directory, 'postgres.log');
  const certificates = options.certificates ?? createCertificates({ directory: path.join(directory, 'tls') });
  // The server reads its key as its own user; a caller's certificates are copied so that their modes can be set.
  const serverKey = path.join(directory, 'server.key');
  const serverCert = path.join(directory, 'server.crt');
  fs.copyFileSync(certificates.keyFile, serverKey);
  fs.copyFileSync(certificates.certFile, serverCert);
  fs.chmodSync(serverKey, 0o600);
  const pwFile = path.join(directory, 'superuser.pw');
  fs.writeFileSync(pwFile, superuser.password, { mode: 0o600 });
  giveToServerUser(directory);

  asServerUser(path.join(binDir, 'initdb'), [
    '-D',
    dataDir,
    '-U',
    superuser.user,
    `--pwfile=${pwFile}`,
    '--auth=scram-sha-256',
    '--encoding=UTF8',
    '--locale=C',
    '--no-sync',
    '--no-instructions',
  ]);
  fs.rmSync(pwFile);

  const server: { port: number; running: boolean } = { port: 0, running: false };
  const pgCtl = (args: string[]) => asServerUser(path.join(binDir, 'pg_ctl'), ['-D', dataDir, ...args]);
  const stopNow = () => {
    if (!server.running) return;
    server.running = false;
    const [command, argv] = serverUserCommand(path.join(binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', 'stop']);
    spawnSync(command, argv, { stdio: 'ignore' });
  };
  // A test run that dies must not leave a server behind.
  process.once('exit', stopNow);

  const hba = ['hostssl all all 127.0.0.1/32 scram-sha-256', ...(options.hba ?? [])];
  fs.writeFileSync(path.join(dataDir, 'pg_hba.conf'), `${hba.join('\n')}\n`);
  for (let attempt = 1; ; attempt++) {
    server.port = await freePort();
    const settings = {
      listen_addresses: '127.0.0.1',
      port: String(server.port),
      unix_socket_directories: '',
      ssl: 'on',
      ssl_cert_file: serverCert,
      ssl_key_file: serverKey,
      password_encryption: 'scram-sha-256',
      // A throwaway cluster: durability costs time and buys nothing.
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      max_connections: '50',
      shared_buffers: '16MB',
      ...options.settings,
    };
    fs.writeFileSync(path.join(dataDir, 'postgresql.auto.conf'), `${conf(settings)}\n`);
    try {
      pgCtl(['-l', logFile, '-w', '-t', '30', 'start']);
      server.running = true;
      break;
    } catch (e) {
      const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
      if (attempt < 3 && /already in use/.test(log)) continue;
      throw new Error(`PostgreSQL did not start: ${(e as Error).message}\n${log.slice(-2000)}`, { cause: e });
    }
  }

  const ca = fs.readFileSync(certificates.caFile, 'utf8');
  const clientConfig = (login: Login, database = databaseName): ClientConfig => ({
    host: '127.0.0.1',
    port: server.port,
    database,
    user: login.user,
    password: login.password,
    ssl: { ca, rejectUnauthorized: true },
    connectionTimeoutMillis: 10_000,
  });
  const run = async (login: Login, statements: readonly string[], database?: string) => {
    const client = new Client(clientConfig(login, database));
    await client.connect();
    try {
      for (const statement of statements) await client.query(statement);
    } finally {
      await client.end();
    }
  };

  // What RDS sets up before anyone logs in: the master role (CREATEROLE, not a superuser) owning the database,
  // and the rds_iam role. PostgreSQL 15 lets CREATEROLE grant any non-superuser role, so the master may grant
  // rds_iam as RDS's master does; PostgreSQL 16 would need ADMIN OPTION on it.
  await run(
    superuser,
    [
      `CREATE ROLE ${quoteIdentifier(master.user)} LOGIN CREATEROLE PASSWORD '${master.password}'`,
      `CREATE DATABASE ${quoteIdentifier(databaseName)} OWNER ${quoteIdentifier(master.user)}`,
      RDS_IAM_STANDIN_SQL,
    ],
    'postgres',
  );

  const stop = async () => {
    if (!server.running) return;
    pgCtl(['-m', 'fast', '-w', 'stop']);
    server.running = false;
  };
  return {
    host: '127.0.0.1',
    port: server.port,
    databaseName,
    master,
    superuser,
    certificates,
    directory,
    clientConfig,
    run,
    stop,
    async dispose() {
      await stop();
      process.removeListener('exit', stopNow);
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

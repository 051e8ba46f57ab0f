/**
 * A streaming replica of a harness PostgreSQL (postgres.ts), the local stand-in for an RDS read replica:
 * `pg_basebackup -R` copies the primary into a temporary directory and writes the standby's connection to it,
 * then the copy starts as a hot standby on another free port of 127.0.0.1, TLS only like its primary.
 *
 * `applyDelayMs` sets `recovery_min_apply_delay`: the replica applies each commit that much later, which makes
 * replica lag, milliseconds and unpredictable in real life, a fixed and visible quantity, so the workload can
 * show reads that miss a user's own write when they go to the replica, and none on the read-your-writes path.
 *
 * As root (CI), the tools run as the `postgres` OS user, with HOME set to the replica's directory (runuser
 * keeps root's HOME, where that user may not read a .pgpass).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type ClientConfig } from 'pg';
import { quoteIdentifier } from '../../lib/database/identity-sql';
import { freePort } from './ports';
import { type Login, type PostgresServer, asServerUser, conf, giveToServerUser, postgresBinDir } from './postgres';

export interface ReplicaOptions {
  /** `recovery_min_apply_delay` in ms. @default 0 */
  readonly applyDelayMs?: number;
  /** Extra postgresql.conf settings of the replica. @default {} */
  readonly settings?: Readonly<Record<string, string>>;
}

export interface ReplicaServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly directory: string;
  /** A pg client configuration for the replica (same users, database and CA as the primary). */
  clientConfig(login: Login, database?: string): ClientConfig;
  stop(): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * Adds a replication role and pg_hba line to `primary` (which must have been started with
 * `hba: [REPLICATION_HBA]`), copies it and starts the copy as a streaming standby.
 */
export async function startReplica(primary: PostgresServer, options: ReplicaOptions = {}): Promise<ReplicaServer> {
  const binDir = postgresBinDir();
  if (!binDir) throw new Error('PostgreSQL server binaries not found (pg_basebackup, pg_ctl): apt-get install postgresql');
  const replicator: Login = { user: 'replicator', password: randomBytes(18).toString('hex') };
  await primary.run(
    primary.superuser,
    [`CREATE ROLE ${quoteIdentifier(replicator.user)} LOGIN REPLICATION PASSWORD '${replicator.password}'`],
    'postgres',
  );

  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'local-replica-'));
  const dataDir = path.join(directory, 'data');
  const logFile = path.join(directory, 'postgres.log');
  // The password reaches pg_basebackup in a password file, never on its command line.
  const passFile = path.join(directory, 'pgpass');
  fs.writeFileSync(passFile, `127.0.0.1:${primary.port}:*:${replicator.user}:${replicator.password}\n`, { mode: 0o600 });
  // A copy of the CA the server user can read (the caller's directory may be private to it).
  const caFile = path.join(directory, 'ca.crt');
  fs.copyFileSync(primary.certificates.caFile, caFile);
  giveToServerUser(directory);
  const env = { HOME: directory, PGPASSFILE: passFile, PGSSLMODE: 'verify-full', PGSSLROOTCERT: caFile };
  const basebackup = () =>
    asServerUser(
      path.join(binDir, 'pg_basebackup'),
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(primary.port),
        '-U',
        replicator.user,
        '-D',
        dataDir,
        '-R',
        '-X',
        'stream',
        '--no-sync',
        '--checkpoint=fast',
        '--no-password',
      ],
      env,
    );
  try {
    basebackup();
  } catch (error) {
    // Nothing of a failed copy is kept (the message names the cause: a refused login, an untrusted certificate).
    fs.rmSync(directory, { recursive: true, force: true });
    throw new Error(`pg_basebackup failed: ${(error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message}`, {
      cause: error,
    });
  }

  let port = 0;
  let running = false;
  const pgCtl = (args: string[]) => asServerUser(path.join(binDir, 'pg_ctl'), ['-D', dataDir, ...args], env);
  const stopNow = () => {
    if (!running) return;
    running = false;
    try {
      pgCtl(['-m', 'immediate', 'stop']);
    } catch {
      // already gone
    }
  };
  process.once('exit', stopNow);
  // The copy carries the primary's postgresql.auto.conf (its port) and the standby's primary_conninfo (-R);
  // later lines win, so the replica's own settings are appended.
  const autoConf = path.join(dataDir, 'postgresql.auto.conf');
  const copied = fs.readFileSync(autoConf, 'utf8');
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    const settings = {
      port: String(port),
      hot_standby: 'on',
      recovery_min_apply_delay: `${options.applyDelayMs ?? 0}ms`,
      ...options.settings,
    };
    fs.writeFileSync(autoConf, `${copied}\n${conf(settings)}\n`);
    try {
      pgCtl(['-l', logFile, '-w', '-t', '30', 'start']);
      running = true;
      break;
    } catch (e) {
      const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
      if (attempt < 3 && /already in use/.test(log)) continue;
      process.removeListener('exit', stopNow);
      fs.rmSync(directory, { recursive: true, force: true });
      throw new Error(`the replica did not start: ${(e as Error).message}\n${log.slice(-2000)}`, { cause: e });
    }
  }

  const stop = async () => {
    if (!running) return;
    pgCtl(['-m', 'fast', '-w', 'stop']);
    running = false;
  };
  return {
    host: '127.0.0.1',
    port,
    directory,
    clientConfig: (login, database) => ({ ...primary.clientConfig(login, database), port }),
    stop,
    async dispose() {
      await stop();
      process.removeListener('exit', stopNow);
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** The pg_hba.conf line the primary needs for the replica's base backup and streaming. */
export const REPLICATION_HBA = 'hostssl replication replicator 127.0.0.1/32 scram-sha-256';

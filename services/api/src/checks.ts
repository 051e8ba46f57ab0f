/**
 * Dependency checks of /health/ready: each opens one connection, proves the other end speaks its protocol,
 * and closes it, within a deadline. Built on node:net and node:tls only, so the service has no dependencies.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { CacheTarget, DatabaseTarget } from './settings';

/**
 * Runs `talk` on a connection to host:port and settles when it does, or fails after `timeoutMs` (connect
 * included): a dependency that accepts the connection and then says nothing is as down as one that refuses it.
 */
function withConnection(
  connect: () => net.Socket,
  timeoutMs: number,
  talk: (socket: net.Socket, done: (error?: Error) => void) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect();
    let settled = false;
    const done = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => done(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    socket.once('error', (e: NodeJS.ErrnoException) => done(new Error(e.code ? `${e.code}: ${e.message}` : e.message)));
    socket.once('close', () => done(new Error('connection closed before an answer')));
    talk(socket, done);
  });
}

/** The PostgreSQL SSLRequest message: length 8, code 80877103. */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

/**
 * Connects to the database proxy and sends the PostgreSQL SSLRequest that opens every TLS session. The proxy
 * answers `S` (TLS available) or `N`: either proves it is up and speaking PostgreSQL, without credentials or a
 * query, so the check costs the proxy no database connection.
 */
export function checkPostgres(target: DatabaseTarget, timeoutMs: number): Promise<void> {
  if (target.secretProblem) return Promise.reject(new Error(target.secretProblem));
  return withConnection(
    () => net.connect({ host: target.host, port: target.port }),
    timeoutMs,
    (socket, done) => {
      socket.once('connect', () => socket.write(SSL_REQUEST));
      socket.once('data', (data: Buffer) => {
        const answer = String.fromCharCode(data[0]);
        done(answer === 'S' || answer === 'N' ? undefined : new Error(`unexpected answer to SSLRequest: ${JSON.stringify(answer)}`));
      });
    },
  );
}

function command(...args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/**
 * Connects to a cache tier (over TLS unless turned off), authenticates with the tier's AUTH token and sends
 * PING. Both commands are pipelined; the answers must be `+OK` (for AUTH) and `+PONG`.
 */
export function checkRedis(target: CacheTarget, timeoutMs: number, tlsOptions: tls.ConnectionOptions = {}): Promise<void> {
  const connect = () =>
    target.tls
      ? tls.connect({ host: target.host, port: target.port, servername: net.isIP(target.host) ? undefined : target.host, ...tlsOptions })
      : net.connect({ host: target.host, port: target.port });
  const expected = [...(target.authToken ? ['+OK'] : []), '+PONG'];
  return withConnection(connect, timeoutMs, (socket, done) => {
    socket.once(target.tls ? 'secureConnect' : 'connect', () => {
      socket.write((target.authToken ? command('AUTH', target.authToken) : '') + command('PING'));
    });
    let buffered = '';
    let index = 0;
    socket.on('data', (data: Buffer) => {
      buffered += data.toString('utf8');
      let end: number;
      while ((end = buffered.indexOf('\r\n')) >= 0) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const step = target.authToken && index === 0 ? 'AUTH' : 'PING';
        if (line !== expected[index]) return done(new Error(`${step} answered ${JSON.stringify(line.slice(0, 80))}`));
        if (++index === expected.length) return done();
      }
    });
  });
}

export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly error?: string;
}

export interface Check {
  readonly name: string;
  run(): Promise<void>;
}

/** Runs every check at once, so /health/ready takes as long as the slowest dependency, not their sum. */
export function runChecks(checks: readonly Check[]): Promise<CheckResult[]> {
  return Promise.all(
    checks.map(async (check) => {
      const start = Date.now();
      try {
        await check.run();
        return { name: check.name, ok: true, ms: Date.now() - start };
      } catch (e) {
        return { name: check.name, ok: false, ms: Date.now() - start, error: (e as Error).message };
      }
    }),
  );
}

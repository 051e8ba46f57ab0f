/**
 * A real Redis for tests and the local workload, shaped like an ElastiCache tier: TLS only (`port 0`, a
 * `tls-port`), an AUTH password (`requirepass`, what ElastiCache's AUTH token is), no persistence, and the
 * tier's memory limit and eviction policy when given. On 127.0.0.1 and a free port, in a temporary directory,
 * stopped and deleted by `stop()` (or killed when the process exits).
 *
 * The configuration goes to redis-server on stdin (`redis-server -`), so the password never shows in `ps`.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './ports';
import { type Certificates, createCertificates } from './tls';

export interface RedisServerOptions {
  /** The AUTH password. @default - random */
  readonly password?: string;
  /** TLS material; the CA file is what clients trust. @default - a fresh CA and server certificate */
  readonly certificates?: Certificates;
  /** `maxmemory`, e.g. '64mb'. @default - no limit */
  readonly maxmemory?: string;
  /** `maxmemory-policy`, e.g. 'noeviction' (the critical tier) or 'allkeys-lru' (the hot tier). @default 'noeviction' */
  readonly maxmemoryPolicy?: string;
  /** Further redis.conf directives, e.g. `{ 'maxmemory-samples': '10' }`. @default {} */
  readonly config?: Readonly<Record<string, string>>;
  /** @default - `redis-server` on the PATH */
  readonly binary?: string;
}

export interface RedisServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly password: string;
  readonly certificates: Certificates;
  readonly directory: string;
  /** Stops the server (SIGTERM, waits for it to exit). The directory stays until `dispose()`. */
  stop(): Promise<void>;
  /** Stops the server if it runs, and deletes its directory. */
  dispose(): Promise<void>;
}

/** The redis-server binary, or undefined when none is installed. */
export function redisBinary(): string | undefined {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Starts redis-server and resolves once it accepts connections. */
function launch(binary: string, config: string, directory: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['-'], { cwd: directory, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start within 15 s:\n${output.slice(-2000)}`));
    }, 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Ready to accept connections/.test(output)) {
        clearTimeout(timer);
        child.stdout!.removeListener('data', onData);
        child.stdout!.resume();
        child.stderr!.resume();
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code} before it was ready:\n${output.slice(-2000)}`));
    });
    child.stdin!.end(config);
  });
}

export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = options.binary ?? redisBinary();
  if (!binary) throw new Error('redis-server not found: apt-get install redis-server');
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'local-redis-'));
  const certificates = options.certificates ?? createCertificates({ directory: path.join(directory, 'tls') });
  const password = options.password ?? randomBytes(18).toString('hex');

  let child: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 1; !child; attempt++) {
    port = await freePort();
    const directives: Record<string, string> = {
      bind: '127.0.0.1',
      port: '0',
      'tls-port': String(port),
      'tls-cert-file': certificates.certFile,
      'tls-key-file': certificates.keyFile,
      'tls-ca-cert-file': certificates.caFile,
      // ElastiCache does not ask clients for certificates either.
      'tls-auth-clients': 'no',
      requirepass: password,
      save: '',
      appendonly: 'no',
      dir: directory,
      'maxmemory-policy': options.maxmemoryPolicy ?? 'noeviction',
      ...(options.maxmemory ? { maxmemory: options.maxmemory } : {}),
      ...options.config,
    };
    const config = Object.entries(directives)
      .map(([k, v]) => `${k} ${quote(v)}`)
      .join('\n');
    try {
      child = await launch(binary, `${config}\n`, directory);
    } catch (e) {
      if (attempt < 3 && /Address already in use/.test((e as Error).message)) continue;
      throw e;
    }
  }

  const running = child;
  const kill = () => running.exitCode === null && running.signalCode === null && running.kill('SIGKILL');
  // A test run that dies must not leave a server behind.
  process.once('exit', kill);
  const stop = async () => {
    if (running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  };

  return {
    host: '127.0.0.1',
    port,
    password,
    certificates,
    directory,
    stop,
    async dispose() {
      await stop();
      process.removeListener('exit', kill);
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

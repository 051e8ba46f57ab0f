/**
 * The HTTP surface of the reference service:
 *
 * - `GET /health/live`: shallow. 200 while the process serves requests. The load balancer and the container
 *   health check probe it; it must not check dependencies, or one slow cache would take every task out of
 *   rotation at once (the cascade the failure-mode table warns about).
 * - `GET /health/ready`: deep. Logs in to every dependency, each within the deadline: `SELECT 1` on a new
 *   connection to the writer endpoint (as the service's user) and to the reader endpoint (as its read-only
 *   user), AUTH and PING on a new connection to each cache tier. 200 when all pass; 503 naming each failed
 *   dependency and why (a reason class), never a secret. For deploy verification and on-call, not for the
 *   load balancer.
 * - `GET /`: a greeting, so a fresh environment answers something.
 */
import * as http from 'node:http';
import type { Caches } from './caches';
import type { Database } from './database';
import { describeFailure, type FailureReason } from './failure';
import type { Settings } from './settings';

export interface AppOptions {
  readonly settings: Settings;
  /** The database pools (createDatabase); required when the settings name a database. @default - none */
  readonly database?: Database;
  /** The cache clients (createCaches); required when the settings name a cache tier. @default - none */
  readonly caches?: Caches;
}

export interface CheckResult {
  /** `database:writer`, `database:reader`, `cache:<tier>`. */
  readonly name: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly reason?: FailureReason;
  readonly error?: string;
}

export interface ReadyReport {
  readonly status: 'ready' | 'not ready';
  readonly failed: readonly string[];
  readonly checks: readonly CheckResult[];
}

interface Check {
  readonly name: string;
  run(): Promise<void>;
}

/** The dependency checks of /health/ready. */
function dependencyChecks({ settings, database, caches }: AppOptions): Check[] {
  const timeoutMs = settings.readyTimeoutMs;
  const checks: Check[] = [];
  if (database) {
    checks.push({ name: 'database:writer', run: () => database.checkLogin('writer', timeoutMs) });
    checks.push({ name: 'database:reader', run: () => database.checkLogin('reader', timeoutMs) });
  }
  for (const name of caches?.names ?? []) {
    checks.push({ name: `cache:${name}`, run: () => caches!.checkLogin(name, timeoutMs) });
  }
  return checks;
}

/** Every secret the service holds, so that no error message can carry one out. */
function secretsOf(settings: Settings): string[] {
  const secrets = settings.caches.map((c) => c.authToken ?? '');
  if (settings.database?.auth.kind === 'password') secrets.push(settings.database.auth.password, settings.database.auth.readerPassword);
  return secrets.filter(Boolean);
}

/** Runs every check at once, so /health/ready takes as long as the slowest dependency, not their sum. */
async function runChecks(checks: readonly Check[], secrets: readonly string[]): Promise<CheckResult[]> {
  return Promise.all(
    checks.map(async (check): Promise<CheckResult> => {
      const start = Date.now();
      try {
        await check.run();
        return { name: check.name, ok: true, ms: Date.now() - start };
      } catch (e) {
        return { name: check.name, ok: false, ms: Date.now() - start, ...describeFailure(e, secrets) };
      }
    }),
  );
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function createApp(options: AppOptions): http.Server {
  // A dependency the settings name but the app was not given would never be checked: readiness would pass
  // without looking. Refuse to start instead.
  if (options.settings.database && !options.database) throw new Error('createApp: the settings name a database; pass createDatabase(...)');
  if (options.settings.caches.length > 0 && !options.caches)
    throw new Error('createApp: the settings name cache tiers; pass createCaches(...)');
  const checks = dependencyChecks(options);
  const secrets = secretsOf(options.settings);
  // Probes that arrive while a check runs share its result, so a burst of probes opens one connection per
  // dependency, not one per probe.
  let inFlight: Promise<ReadyReport> | undefined;
  const ready = (): Promise<ReadyReport> => {
    inFlight ??= runChecks(checks, secrets)
      .then((results): ReadyReport => {
        const failed = results.filter((r) => !r.ok).map((r) => r.name);
        return { status: failed.length === 0 ? 'ready' : 'not ready', failed, checks: results };
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'method not allowed' });
    switch (url.pathname) {
      case '/health/live':
        return send(res, 200, { status: 'live' });
      case '/health/ready':
        ready().then(
          (report) => send(res, report.status === 'ready' ? 200 : 503, report),
          // runChecks catches every check's error, so this is a defect of the service itself: fail closed.
          () => send(res, 503, { status: 'not ready', failed: ['internal'], checks: [] }),
        );
        return;
      case '/':
        return send(res, 200, { service: options.settings.serviceName });
      default:
        return send(res, 404, { error: 'not found' });
    }
  });
}

/**
 * The HTTP surface of the reference service:
 *
 * - `GET /health/live`: shallow. 200 while the process serves requests. The load balancer and the container
 *   health check probe it; it must not check dependencies, or one slow cache would take every task out of
 *   rotation at once (the cascade the failure-mode table warns about).
 * - `GET /health/ready`: deep. 200 when the database proxy and every cache tier answer within the deadline,
 *   503 naming the dependencies that did not. For deploy verification and on-call, not for the load balancer.
 * - `GET /`: a greeting, so a fresh environment answers something.
 */
import * as http from 'node:http';
import type * as tls from 'node:tls';
import { type Check, type CheckResult, checkPostgres, checkRedis, runChecks } from './checks';
import type { Settings } from './settings';

export interface AppOptions {
  readonly settings: Settings;
  /** Extra TLS options for cache connections (a private CA in tests). @default - the system trust store */
  readonly cacheTls?: tls.ConnectionOptions;
}

export interface ReadyReport {
  readonly status: 'ready' | 'not ready';
  readonly failed: readonly string[];
  readonly checks: readonly CheckResult[];
}

/** The dependency checks of /health/ready, named `database` and `cache:<tier>`. */
export function dependencyChecks({ settings, cacheTls }: AppOptions): Check[] {
  const checks: Check[] = [];
  const { database, readyTimeoutMs } = settings;
  if (database) checks.push({ name: 'database', run: () => checkPostgres(database, readyTimeoutMs) });
  for (const cache of settings.caches) {
    checks.push({ name: `cache:${cache.name}`, run: () => checkRedis(cache, readyTimeoutMs, cacheTls) });
  }
  return checks;
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function createApp(options: AppOptions): http.Server {
  const checks = dependencyChecks(options);
  // Probes that arrive while a check runs share its result, so a burst of probes opens one connection per
  // dependency, not one per probe.
  let inFlight: Promise<ReadyReport> | undefined;
  const ready = (): Promise<ReadyReport> => {
    inFlight ??= runChecks(checks)
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
          (e: Error) => send(res, 503, { status: 'not ready', failed: ['internal'], error: e.message }),
        );
        return;
      case '/':
        return send(res, 200, { service: options.settings.serviceName });
      default:
        return send(res, 404, { error: 'not found' });
    }
  });
}

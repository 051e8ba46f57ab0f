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
 *   The report also carries each dependency's circuit-breaker state (`breakers`): informational, it does not
 *   fail the check (an open breaker heals by itself; the logins above say whether the dependency is back).
 * - `GET /`: a greeting, so a fresh environment answers something.
 *
 * The application routes (feed.ts explains the pattern behind each), served when the app was given a Feed:
 * - `GET /feed/:author[?viewer=name]`: the author's latest posts (reader, cached; the writer for the author
 *   inside their read-your-writes window).
 * - `POST /posts` `{"author","title"}`: a write that invalidates the author's cached feed. 201 `{"id"}`.
 * - `GET /summary/:author`: a query, then business logic, with the connection held for the query only.
 * - `POST /sessions` `{"user"}`: 201 `{"id"}`, or 503 `{"error":"session store full"}` when the tier is full.
 * - `GET /sessions/:id`: 200 or 404.
 * - `GET /metrics`: the breakers, pool figures and counters, as JSON (the workload reads them).
 * A dependency whose breaker is open answers 503 at once, naming it.
 */
import * as http from 'node:http';
import type { Caches } from './caches';
import type { Database } from './database';
import { describeFailure, type FailureReason } from './failure';
import type { Feed } from './feed';
import { type BreakerSnapshot, CircuitOpenError } from './patterns/breaker';
import { DeadlineExceededError } from './patterns/resilience';
import { SessionStoreFullError } from './patterns/sessions';
import type { Settings } from './settings';

export interface AppOptions {
  readonly settings: Settings;
  /** The database pools (createDatabase); required when the settings name a database. @default - none */
  readonly database?: Database;
  /** The cache clients (createCaches); required when the settings name a cache tier. @default - none */
  readonly caches?: Caches;
  /** The application routes (feed.ts). @default - health checks only */
  readonly feed?: Feed;
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
  /** Circuit-breaker state per dependency; present when the app serves its routes. */
  readonly breakers?: readonly BreakerSnapshot[];
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
        const breakers = options.feed?.metrics().breakers;
        return { status: failed.length === 0 ? 'ready' : 'not ready', failed, checks: results, ...(breakers ? { breakers } : {}) };
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // The load balancer routes on the path as sent; URL parsing removes dot segments (`/x/../health/ready`, `%2e`) and
    // reads `//host/...` as a host. A path the parser would change could reach a route the load balancer keeps from
    // the internet (loadBalancer.internalPaths), so it is refused rather than normalized.
    if ((req.url ?? '/').split('?')[0] !== url.pathname) return send(res, 400, { error: 'path not in normal form' });
    if (options.feed && /^\/(feed|posts|summary|sessions|metrics)(\/|$)/.test(url.pathname)) {
      void appRoute(options.feed, req, url).then(
        ([status, body]) => send(res, status, body),
        (error: unknown) => {
          const [status, body] = errorAnswer(error, secrets);
          send(res, status, body);
        },
      );
      return;
    }
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

class BadRequest extends Error {}

/** Names (authors, users): what a key and a log line can carry safely. */
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

function name(value: unknown, field: string): string {
  if (typeof value === 'string' && NAME.test(value)) return value;
  throw new BadRequest(`${field}: expected 1-64 letters, digits, '_', '.' or '-', got ${JSON.stringify(value)?.slice(0, 80)}`);
}

const MAX_BODY = 16 * 1024;

async function jsonBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > MAX_BODY) throw new BadRequest(`body: expected at most ${MAX_BODY} bytes`);
  }
  try {
    const body = JSON.parse(text) as unknown;
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new BadRequest('body: expected a JSON object');
}

async function appRoute(feed: Feed, req: http.IncomingMessage, url: URL): Promise<[number, unknown]> {
  const [, resource, id, extra] = url.pathname.split('/');
  const method = req.method ?? 'GET';
  if (extra !== undefined) return [404, { error: 'not found' }];
  if (method === 'GET' && resource === 'feed' && id) {
    const viewer = url.searchParams.get('viewer');
    return [200, await feed.feed(name(id, 'author'), viewer === null ? undefined : name(viewer, 'viewer'))];
  }
  if (method === 'GET' && resource === 'summary' && id) return [200, await feed.summary(name(id, 'author'))];
  if (method === 'POST' && resource === 'posts' && !id) {
    const body = await jsonBody(req);
    const title = body.title;
    if (typeof title !== 'string' || title.length === 0 || title.length > 200)
      throw new BadRequest(`title: expected a string of 1-200 characters, got ${JSON.stringify(title)?.slice(0, 80)}`);
    return [201, await feed.createPost(name(body.author, 'author'), title)];
  }
  if (method === 'POST' && resource === 'sessions' && !id) {
    const session = await feed.createSession(name((await jsonBody(req)).user, 'user'));
    return [201, { id: session.id }];
  }
  if (method === 'GET' && resource === 'sessions' && id) {
    const session = await feed.session(id);
    return session ? [200, { user: session.user, createdAt: session.createdAt }] : [404, { error: 'no such session' }];
  }
  // Exactly /metrics: the path the load balancer answers itself (loadBalancer.internalPaths), not /metrics/.
  if (method === 'GET' && resource === 'metrics' && id === undefined) return [200, feed.metrics()];
  return [resource === 'posts' || resource === 'sessions' ? 405 : 404, { error: 'not found' }];
}

/** What a failed application request answers: a clear class and status, never a secret. */
function errorAnswer(error: unknown, secrets: readonly string[]): [number, unknown] {
  if (error instanceof BadRequest) return [400, { error: error.message }];
  if (error instanceof SessionStoreFullError) return [503, { error: 'session store full', detail: error.message }];
  if (error instanceof CircuitOpenError)
    return [503, { error: 'dependency unavailable', dependency: error.dependency, retryInMs: error.retryInMs }];
  if (error instanceof DeadlineExceededError) return [503, { error: 'dependency timed out', dependency: error.what }];
  const { reason, error: detail } = describeFailure(error, secrets);
  return [500, { error: 'internal error', reason, detail }];
}

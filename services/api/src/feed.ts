/**
 * The reference service's application: a feed of posts, written by authors, read by everyone, and sessions.
 * Small on purpose; each route is one of the patterns (services/api/src/patterns) wired to the real clients:
 *
 * - `feed`: an indexed query on the **reader** pool, cached in the evicting tier (`allkeys-lru`) with a TTL plus
 *   jitter and a stampede lock (cache-aside.ts); an author reading their own feed within the read-your-writes
 *   window after a write reads the **writer**, uncached (routing.ts).
 * - `createPost`: an insert on the writer, then the cached feed of that author is invalidated and the author's
 *   read-your-writes window opens.
 * - `summary`: a query, then business logic (a call to another service, simulated by `businessLogicMs`); the
 *   connection goes back to the pool before the business logic (connections.ts). `holdAcrossBusinessLogic` is
 *   the anti-pattern, for the workload's comparison only.
 * - `createSession` / `session`: sessions in the `noeviction` tier; a full tier refuses a new session with
 *   SessionStoreFullError (a 503) and keeps every existing one (sessions.ts).
 *
 * Every dependency call goes through that dependency's circuit breaker (deadline, retries with backoff and
 * jitter, fast refusal while open); `metrics()` reports the breakers and the counters the workload reads.
 */
import type Redis from 'ioredis';
import type { AppSettings } from './settings';
import { RedisStore } from './cache-store';
import { BREAKER_STATE_VALUE, type BreakerSnapshot, CircuitBreaker } from './patterns/breaker';
import { type CacheOutcome, CachedReader } from './patterns/cache-aside';
import { MeteredPool, type PoolFigures, type PoolLike, holdAcrossWork } from './patterns/connections';
import { isTransient } from './patterns/resilience';
import { ReadYourWrites, type Route } from './patterns/routing';
import { type Session, SessionStore } from './patterns/sessions';

export interface Post {
  readonly id: number;
  readonly author: string;
  readonly title: string;
  readonly createdAt: string;
}

/**
 * The feed's settings are the service's (`AppSettings`, which settings.ts reads from the environment with their
 * defaults), but for the metric interval, which main.ts runs.
 */
export type FeedSettings = Omit<AppSettings, 'metricsIntervalMs'>;

export interface FeedOptions extends FeedSettings {
  /** The writer and reader pools (createDatabase's `writer` and `reader`). */
  readonly writer: PoolLike;
  readonly reader: PoolLike;
  /** The evicting tier's client (feeds) and the `noeviction` tier's (sessions, read-your-writes windows). */
  readonly cache: Redis;
  readonly sessions: Redis;
}

export interface FeedResult {
  readonly posts: readonly Post[];
  /** Where the answer came from: `cache` (any cached outcome), `reader` or `writer`. */
  readonly source: 'cache' | Route;
}

export interface FeedMetrics {
  readonly breakers: readonly BreakerSnapshot[];
  readonly pools: { readonly writer: PoolFigures; readonly reader: PoolFigures };
  /** Queries run, per pool. */
  readonly queries: { readonly writer: number; readonly reader: number };
  /** Feed reads by outcome (cache-aside.ts) and by route. */
  readonly cache: Readonly<Record<CacheOutcome, number>>;
  readonly routes: Readonly<Record<Route, number>>;
  readonly sessions: { readonly created: number; readonly refused: number };
  /**
   * What failed after a post had committed, and so did not fail the request: the read-your-writes window (its key
   * lives in the `noeviction` tier, which refuses writes when full) and the invalidation of the author's feed.
   */
  readonly afterWriteFailures: { readonly window: number; readonly invalidation: number };
}

const FEED_SQL =
  'SELECT id, author, title, created_at AS "createdAt" FROM posts WHERE author = $1 ORDER BY created_at DESC, id DESC LIMIT 20';
const SUMMARY_SQL = 'SELECT count(*)::int AS posts, max(created_at) AS latest FROM posts WHERE author = $1';
const INSERT_SQL = 'INSERT INTO posts (author, title) VALUES ($1, $2) RETURNING id';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Errors after which a write certainly did not reach the database (the connection was never made), so that a
 * retry cannot insert twice. A timeout is not among them: the insert may have committed.
 */
function neverSent(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ECONNREFUSED' || code === '57P03' || code === '53300';
}

export class Feed {
  readonly breakers: {
    readonly writer: CircuitBreaker;
    readonly reader: CircuitBreaker;
    readonly cache: CircuitBreaker;
    readonly sessions: CircuitBreaker;
  };
  private readonly writer: MeteredPool;
  private readonly reader: MeteredPool;
  private readonly cached: CachedReader;
  private readonly routing: ReadYourWrites;
  private readonly sessionStore: SessionStore;
  private readonly queries = { writer: 0, reader: 0 };
  private readonly outcomes: Record<CacheOutcome, number> = { hit: 0, loaded: 0, stale: 0, waited: 0, fallback: 0, 'cache-error': 0 };
  private readonly routes: Record<Route, number> = { writer: 0, reader: 0 };
  private readonly sessionCounts = { created: 0, refused: 0 };
  private readonly afterWriteFailures = { window: 0, invalidation: 0 };

  constructor(private readonly options: FeedOptions) {
    const deadlineMs = options.dependencyDeadlineMs;
    this.breakers = {
      writer: new CircuitBreaker('database:writer', { deadlineMs, retry: { retryable: neverSent } }),
      reader: new CircuitBreaker('database:reader', { deadlineMs }),
      cache: new CircuitBreaker(`cache:${options.cacheTier}`, { deadlineMs }),
      sessions: new CircuitBreaker(`cache:${options.sessionTier}`, { deadlineMs }),
    };
    this.writer = new MeteredPool('writer', options.writer);
    this.reader = new MeteredPool('reader', options.reader);
    const cacheStore = new RedisStore(options.cache, this.breakers.cache);
    const sessionStore = new RedisStore(options.sessions, this.breakers.sessions);
    this.cached = new CachedReader(
      cacheStore,
      { ttlMs: options.feedTtlMs, waitMs: options.feedLockWaitMs, protect: options.stampedeProtection },
      (outcome) => this.outcomes[outcome]++,
    );
    this.routing = new ReadYourWrites(sessionStore, options.readYourWritesMs);
    this.sessionStore = new SessionStore(sessionStore, options.sessionTtlMs);
  }

  static feedKey(author: string): string {
    return `feed:${author}`;
  }

  private query<R>(role: Route, text: string, values: unknown[]): Promise<R[]> {
    const pool = role === 'writer' ? this.writer : this.reader;
    // A constraint violation or a syntax error says the database is up: only transient errors count.
    return this.breakers[role].call(async () => {
      this.queries[role]++;
      return (await pool.query<R>(text, values)).rows;
    }, isTransient);
  }

  /** The latest posts of `author`; `viewer` is who asks (the author, after their own write, reads the writer). */
  async feed(author: string, viewer?: string): Promise<FeedResult> {
    const route = viewer === author ? await this.routing.route(viewer) : 'reader';
    this.routes[route]++;
    if (route === 'writer') {
      // Inside the window: the writer, and not the cache, which may hold the feed from before the write.
      return { posts: await this.query<Post>('writer', FEED_SQL, [author]), source: 'writer' };
    }
    let loaded = false;
    const posts = await this.cached.read(Feed.feedKey(author), () => {
      loaded = true;
      return this.query<Post>('reader', FEED_SQL, [author]);
    });
    return { posts, source: loaded ? 'reader' : 'cache' };
  }

  /**
   * Inserts a post, invalidates the author's cached feed, and opens the author's read-your-writes window.
   * Once the insert has committed nothing may fail the request: a client that saw an error would retry and post
   * twice. So the two follow-ups fail quietly (counted in `afterWriteFailures`), and the answer says whether the
   * window opened; without it the author may read the replica's older feed for up to its lag.
   */
  async createPost(author: string, title: string): Promise<{ id: number; readYourWrites: boolean }> {
    const [row] = await this.query<{ id: string }>('writer', INSERT_SQL, [author, title]);
    // The window opens before the invalidation: from here on the author reads the writer, whatever the cache holds.
    const readYourWrites = await this.routing.afterWrite(author).then(
      () => true,
      () => {
        this.afterWriteFailures.window++;
        return false;
      },
    );
    // A failed invalidation leaves the old feed for at most one TTL.
    await this.cached.invalidate([Feed.feedKey(author)]).catch(() => {
      this.afterWriteFailures.invalidation++;
    });
    return { id: Number(row.id), readYourWrites };
  }

  /** A query, then business logic on its rows; the connection is held for the query only (unless the anti-pattern is on). */
  async summary(author: string): Promise<{ posts: number; latest: string | null }> {
    type Row = { posts: number; latest: string | null };
    const businessLogic = async (rows: Row[]) => {
      // Stands for what a handler does after its query: calls to other services, rendering.
      await sleep(this.options.businessLogicMs);
      return rows[0];
    };
    if (this.options.holdAcrossBusinessLogic) {
      // The anti-pattern, for the workload's comparison: the connection, and so the breaker's call and its deadline,
      // spans the business logic.
      return this.breakers.reader.call(() => {
        this.queries.reader++;
        return holdAcrossWork<Row, Row>(this.reader, SUMMARY_SQL, [author], businessLogic);
      }, isTransient);
    }
    // The pattern: the deadline, retries and breaker cover the query alone; slow business logic neither times the
    // query out, nor re-runs it, nor counts against the database's breaker.
    return businessLogic(await this.query<Row>('reader', SUMMARY_SQL, [author]));
  }

  async createSession(user: string): Promise<Session> {
    try {
      const session = await this.sessionStore.create(user);
      this.sessionCounts.created++;
      return session;
    } catch (error) {
      if ((error as { code?: unknown }).code === 'session_store_full') this.sessionCounts.refused++;
      throw error;
    }
  }

  session(id: string): Promise<Session | undefined> {
    return this.sessionStore.get(id);
  }

  metrics(): FeedMetrics {
    return {
      breakers: Object.values(this.breakers).map((b) => b.snapshot()),
      pools: { writer: this.writer.figures(), reader: this.reader.figures() },
      queries: { ...this.queries },
      cache: { ...this.outcomes },
      routes: { ...this.routes },
      sessions: { ...this.sessionCounts },
      afterWriteFailures: { ...this.afterWriteFailures },
    };
  }
}

/**
 * One CloudWatch embedded-metric-format line: `dependency_breaker_state` per dependency (0 closed, 1 half-open,
 * 2 open), which CloudWatch Logs turns into a metric without an agent or an API call from the task.
 */
export function breakerMetricLine(service: string, breakers: readonly BreakerSnapshot[], now = Date.now()): string[] {
  return breakers.map((b) =>
    JSON.stringify({
      _aws: {
        Timestamp: now,
        CloudWatchMetrics: [
          {
            Namespace: 'ScaledApp/Service',
            Dimensions: [['Service', 'Dependency']],
            Metrics: [{ Name: 'dependency_breaker_state', Unit: 'None' }],
          },
        ],
      },
      Service: service,
      Dependency: b.name,
      dependency_breaker_state: BREAKER_STATE_VALUE[b.state],
      state: b.state,
      rejected: b.rejected,
    }),
  );
}

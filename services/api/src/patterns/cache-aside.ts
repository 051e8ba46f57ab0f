/**
 * Cache-aside reads with stampede protection, for data the application can recompute (the evicting tier).
 *
 * The outage it prevents: a hot key expires, and every request that misses in the next few milliseconds runs
 * the same query on the database at once (a stampede), which slows the query, which widens the window, ...
 * Here only one request per key loads: it holds a short lock (`SET NX PX`), and the others serve the entry
 * that just went stale, or, when there is none, wait briefly for the loader's result.
 *
 * - Entries carry their own freshness time and live in the cache a little longer (`staleMs`), so that there
 *   is something to serve while one request reloads.
 * - TTLs have jitter, so keys written together (a deploy, a cold cache) do not all expire together.
 * - A write invalidates (deletes) the keys it affects; the next read reloads under the lock.
 * - The cache is an optimization: when it fails, reads go to the database (the breaker in front of the cache
 *   makes that failure fast).
 *
 * Known race, accepted on purpose: a load that began before a write may store the old value just after the
 * write's invalidation; it lives at most one TTL. Reads that must see a user's own write do not use this
 * cache (see routing.ts).
 */
import { randomUUID } from 'node:crypto';

/** The cache commands this pattern needs; the ioredis adapter (cache-store.ts) and the tests' in-memory store implement it. */
export interface CacheStore {
  get(key: string): Promise<string | null>;
  /** SET key value PX ttlMs. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** SET key value NX PX ttlMs: true when this call set it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Deletes `key` only while it still holds `value` (a lock released by its holder only). */
  deleteIfEquals(key: string, value: string): Promise<boolean>;
  del(keys: readonly string[]): Promise<number>;
}

/** How a read was answered; counted by the service's metrics. */
export type CacheOutcome = 'hit' | 'loaded' | 'stale' | 'waited' | 'fallback' | 'cache-error';

export interface CachedReadOptions {
  /** How long an entry is fresh. */
  readonly ttlMs: number;
  /** Up to this share of `ttlMs` is added at random to each entry's TTL. @default 0.2 */
  readonly jitter?: number;
  /** How long after it stops being fresh an entry may still be served while one request reloads it. @default ttlMs */
  readonly staleMs?: number;
  /** The loader's lock: longer than a load takes, short enough that a crashed loader blocks nobody for long. @default 2000 */
  readonly lockMs?: number;
  /** How long a request without the lock and without a stale entry waits for the loader. @default 250 */
  readonly waitMs?: number;
  /** Interval of those waits' polls. @default 10 */
  readonly pollMs?: number;
  /** Turn the protection off (the workload's "without" run): every miss loads. @default true */
  readonly protect?: boolean;
  readonly random?: () => number;
  readonly now?: () => number;
}

interface Entry {
  /** The value, as the loader returned it (JSON). */
  readonly v: unknown;
  /** Epoch ms until which the entry is fresh. */
  readonly f: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function parse(raw: string | null): Entry | undefined {
  if (raw === null) return undefined;
  try {
    const entry = JSON.parse(raw) as Entry;
    return typeof entry === 'object' && entry !== null && typeof entry.f === 'number' ? entry : undefined;
  } catch {
    return undefined;
  }
}

export class CachedReader {
  constructor(
    private readonly store: CacheStore,
    private readonly options: CachedReadOptions,
    private readonly onOutcome: (outcome: CacheOutcome) => void = () => {},
  ) {}

  /** The lock key of `key`: beside it, so both land on the same shard in cluster mode. */
  static lockKey(key: string): string {
    return `${key}:lock`;
  }

  /** The TTL an entry is written with: fresh time plus jitter plus the stale window. */
  entryTtlMs(): number {
    const { ttlMs, jitter = 0.2, random = Math.random } = this.options;
    return Math.round(ttlMs * (1 + jitter * random())) + (this.options.staleMs ?? ttlMs);
  }

  async read<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.options.now ?? Date.now;
    let entry: Entry | undefined;
    try {
      entry = parse(await this.store.get(key));
    } catch {
      this.onOutcome('cache-error');
      return load();
    }
    if (entry && now() < entry.f) {
      this.onOutcome('hit');
      return entry.v as T;
    }
    if (this.options.protect === false) {
      this.onOutcome('loaded');
      return this.loadAndStore(key, load);
    }

    const token = randomUUID();
    const lock = CachedReader.lockKey(key);
    let locked: boolean;
    try {
      locked = await this.store.setIfAbsent(lock, token, this.options.lockMs ?? 2_000);
    } catch {
      this.onOutcome('cache-error');
      return load();
    }
    if (locked) {
      try {
        this.onOutcome('loaded');
        return await this.loadAndStore(key, load);
      } finally {
        await this.store.deleteIfEquals(lock, token).catch(() => false);
      }
    }
    if (entry) {
      this.onOutcome('stale');
      return entry.v as T;
    }
    // Nothing to serve: the loader is at work, wait for its result rather than query the database too.
    const waitMs = this.options.waitMs ?? 250;
    const pollMs = this.options.pollMs ?? 10;
    for (let waited = 0; waited < waitMs; waited += pollMs) {
      await sleep(pollMs);
      const fresh = parse(await this.store.get(key).catch(() => null));
      if (fresh && now() < fresh.f) {
        this.onOutcome('waited');
        return fresh.v as T;
      }
    }
    // The loader is slower than the wait: load without storing (the loader will), counted so a too-short wait shows.
    this.onOutcome('fallback');
    return load();
  }

  /** Deletes the entries a write affects, so that the next read reloads them. */
  async invalidate(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await this.store.del(keys);
  }

  private async loadAndStore<T>(key: string, load: () => Promise<T>): Promise<T> {
    const value = await load();
    const now = this.options.now ?? Date.now;
    const entry: Entry = { v: value, f: now() + this.options.ttlMs };
    // A failed write to the cache costs the next reader a load, not this request its answer.
    await this.store.set(key, JSON.stringify(entry), this.entryTtlMs()).catch(() => undefined);
    return value;
  }
}

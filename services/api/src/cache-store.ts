/**
 * The patterns' cache interfaces (CacheStore, WindowStore, SessionBackend) on an ioredis client, every command
 * through the tier's circuit breaker: a deadline per attempt, retries with backoff and jitter for what a retry
 * can fix, and a fast refusal once the tier keeps failing. A refusal of the server itself (`OOM` of a full
 * `noeviction` tier, a wrong type) means the tier is up: it does not count against the breaker.
 */
import type Redis from 'ioredis';
import type { CircuitBreaker } from './patterns/breaker';
import type { CacheStore } from './patterns/cache-aside';
import { isTransient } from './patterns/resilience';
import type { WindowStore } from './patterns/routing';
import type { SessionBackend } from './patterns/sessions';

/** Deletes KEYS[1] only while it holds ARGV[1]: a lock is released by its holder, never by a later one. */
const DELETE_IF_EQUALS = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

export class RedisStore implements CacheStore, WindowStore, SessionBackend {
  constructor(
    private readonly client: Redis,
    private readonly breaker: CircuitBreaker,
  ) {}

  private call<T>(work: () => Promise<T>): Promise<T> {
    // Only a timeout or a lost connection says the tier is unwell; a server's error reply says it is up.
    return this.breaker.call(work, isTransient);
  }

  get(key: string): Promise<string | null> {
    return this.call(() => this.client.get(key));
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.call(() => this.client.set(key, value, 'PX', ttlMs));
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.call(() => this.client.set(key, value, 'PX', ttlMs, 'NX'))) === 'OK';
  }

  async deleteIfEquals(key: string, value: string): Promise<boolean> {
    return (await this.call(() => this.client.eval(DELETE_IF_EQUALS, 1, key, value))) === 1;
  }

  del(keys: readonly string[]): Promise<number> {
    return this.call(() => this.client.del(...keys));
  }

  async open(key: string, ms: number): Promise<void> {
    await this.set(key, '1', ms);
  }

  async isOpen(key: string): Promise<boolean> {
    return (await this.call(() => this.client.exists(key))) === 1;
  }
}

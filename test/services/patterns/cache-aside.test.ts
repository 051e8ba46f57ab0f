import { type CacheOutcome, CachedReader } from '../../../services/api/src/patterns/cache-aside';
import { MemoryStore } from './memory-store';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function counting(outcomes: CacheOutcome[]) {
  return (o: CacheOutcome) => void outcomes.push(o);
}

describe('CachedReader (cache-aside with stampede protection)', () => {
  test('GIVEN a missing hot key WHEN 50 requests read it at once THEN the database is queried once and all get its value', async () => {
    const store = new MemoryStore();
    const outcomes: CacheOutcome[] = [];
    const reader = new CachedReader(store, { ttlMs: 1_000, waitMs: 1_000 }, counting(outcomes));
    let loads = 0;
    const load = async () => (loads++, await sleep(30), { posts: [1, 2, 3] });
    const results = await Promise.all(Array.from({ length: 50 }, () => reader.read('feed:t', load)));
    expect(loads).toBe(1);
    expect(results.every((r) => r.posts.length === 3)).toBe(true);
    expect(outcomes.filter((o) => o === 'loaded')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'waited')).toHaveLength(49);
    // the lock is released once the value is stored
    expect(store.data.has(CachedReader.lockKey('feed:t'))).toBe(false);
  });

  test('GIVEN the protection turned off WHEN 50 requests miss at once THEN each one queries the database (the stampede)', async () => {
    const reader = new CachedReader(new MemoryStore(), { ttlMs: 1_000, protect: false });
    let loads = 0;
    await Promise.all(Array.from({ length: 50 }, () => reader.read('feed:t', async () => (loads++, await sleep(10), 'v'))));
    expect(loads).toBe(50);
  });

  test('GIVEN an entry that just went stale WHEN many read it THEN one reloads and the others are served the stale value at once', async () => {
    const clock = { t: 1_000_000 };
    const store = new MemoryStore(() => clock.t);
    const outcomes: CacheOutcome[] = [];
    const reader = new CachedReader(store, { ttlMs: 100, staleMs: 10_000, now: () => clock.t }, counting(outcomes));
    await reader.read('k', async () => 'old');
    clock.t += 150;
    let release: () => void = () => {};
    const slowLoad = () => new Promise<string>((resolve) => (release = () => resolve('new')));
    const loader = reader.read('k', slowLoad);
    const others = await Promise.all(Array.from({ length: 10 }, () => reader.read('k', async () => 'must not load')));
    expect(others).toEqual(Array(10).fill('old'));
    release();
    await expect(loader).resolves.toBe('new');
    expect(await reader.read('k', async () => 'must not load')).toBe('new');
    expect(outcomes).toEqual(['loaded', 'loaded', ...Array(10).fill('stale'), 'hit']);
  });

  test('GIVEN a write WHEN it invalidates the key THEN the next read loads the new value instead of serving the old one', async () => {
    const reader = new CachedReader(new MemoryStore(), { ttlMs: 60_000 });
    expect(await reader.read('feed:a', async () => 'before')).toBe('before');
    await reader.invalidate(['feed:a']);
    expect(await reader.read('feed:a', async () => 'after')).toBe('after');
  });

  test('GIVEN a loader slower than the wait WHEN a request finds neither an entry nor the lock THEN it loads itself, counted as a fallback', async () => {
    const store = new MemoryStore();
    const outcomes: CacheOutcome[] = [];
    const reader = new CachedReader(store, { ttlMs: 1_000, waitMs: 20, pollMs: 5 }, counting(outcomes));
    await store.setIfAbsent(CachedReader.lockKey('k'), 'someone else', 5_000);
    await expect(reader.read('k', async () => 'v')).resolves.toBe('v');
    expect(outcomes).toEqual(['fallback']);
  });

  test('entry TTLs carry jitter within [ttl, ttl x (1 + jitter)] plus the stale window, so keys written together expire apart', () => {
    const low = new CachedReader(new MemoryStore(), { ttlMs: 1_000, jitter: 0.2, staleMs: 500, random: () => 0 });
    const high = new CachedReader(new MemoryStore(), { ttlMs: 1_000, jitter: 0.2, staleMs: 500, random: () => 0.999 });
    expect(low.entryTtlMs()).toBe(1_500);
    expect(high.entryTtlMs()).toBe(1_700);
    const ttls = new Set(Array.from({ length: 50 }, () => new CachedReader(new MemoryStore(), { ttlMs: 1_000 }).entryTtlMs()));
    expect(ttls.size).toBeGreaterThan(10);
  });

  test('GIVEN the cache failing WHEN a request reads THEN it is answered from the database', async () => {
    const store = new MemoryStore();
    store.get = () => Promise.reject(new Error('ECONNREFUSED'));
    const outcomes: CacheOutcome[] = [];
    const reader = new CachedReader(store, { ttlMs: 1_000 }, counting(outcomes));
    await expect(reader.read('k', async () => 'from db')).resolves.toBe('from db');
    expect(outcomes).toEqual(['cache-error']);
  });

  test("a lock is released only by its holder: a loader whose lock expired does not delete the next holder's lock", async () => {
    const clock = { t: 0 };
    const store = new MemoryStore(() => clock.t);
    const reader = new CachedReader(store, { ttlMs: 1_000, lockMs: 100, now: () => clock.t });
    const slow = reader.read('k', async () => {
      clock.t += 200; // the lock expired during the load
      await store.setIfAbsent(CachedReader.lockKey('k'), 'next holder', 1_000);
      return 'v';
    });
    await slow;
    expect(store.data.get(CachedReader.lockKey('k'))?.value).toBe('next holder');
  });
});

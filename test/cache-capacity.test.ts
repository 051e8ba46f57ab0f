import { CACHE_HEADROOM, CACHE_NODE_TYPES, NODE_MEMORY_GIB, cacheCapacity, memoryUse } from '../lib/capacity';

const GIB = 1024 ** 3;

describe('cache capacity model', () => {
  test('usable memory is node memory less reserved memory; the budget keeps 30% headroom', () => {
    const c = cacheCapacity({ nodeType: 'cache.r7g.large', shards: 1, reservedMemoryPercent: 25, bytesPerKey: 4_096 });
    expect(c.nodeMemoryGiB).toBe(13.07);
    expect(c.usableBytesPerNode).toBe(Math.floor(13.07 * GIB * 0.75));
    expect(c.budgetBytes).toBe(Math.floor(c.usableBytesPerNode * 0.7));
    expect(c.maxKeys).toBe(1_798_766);
    expect(c.explanation).toBe('cache.r7g.large 13.07 GiB x 75% usable x 70% headroom / 4,096 bytes per key');
  });

  test('shards multiply the capacity and say so', () => {
    const one = cacheCapacity({ nodeType: 'cache.m7g.large', shards: 1, reservedMemoryPercent: 25, bytesPerKey: 1_000 });
    const four = cacheCapacity({ nodeType: 'cache.m7g.large', shards: 4, reservedMemoryPercent: 25, bytesPerKey: 1_000 });
    expect(four.maxKeys).toBeGreaterThanOrEqual(4 * one.maxKeys);
    expect(four.maxKeys).toBeLessThan(4 * (one.maxKeys + 1));
    expect(four.explanation).toMatch(/^4 shards x cache\.m7g\.large 6\.38 GiB/);
  });

  test('more reserved memory means fewer keys', () => {
    const at25 = cacheCapacity({ nodeType: 'cache.t4g.small', shards: 1, reservedMemoryPercent: 25, bytesPerKey: 2_048 });
    const at50 = cacheCapacity({ nodeType: 'cache.t4g.small', shards: 1, reservedMemoryPercent: 50, bytesPerKey: 2_048 });
    expect(at50.maxKeys).toBeLessThan(at25.maxKeys);
    expect(at50.explanation).toContain('x 50% usable');
  });

  test('at its maximum key count a tier uses at most 70% of usable memory, one key more goes over', () => {
    for (const nodeType of CACHE_NODE_TYPES) {
      const input = { nodeType, shards: 2, reservedMemoryPercent: 25, bytesPerKey: 3_000 };
      const { maxKeys } = cacheCapacity(input);
      expect(memoryUse({ ...input, expectedKeys: maxKeys })).toBeLessThanOrEqual(CACHE_HEADROOM);
      expect(memoryUse({ ...input, expectedKeys: maxKeys + 1000 })).toBeGreaterThan(CACHE_HEADROOM);
    }
  });

  test('the node table lists memory in GiB, larger sizes holding more', () => {
    expect(NODE_MEMORY_GIB['cache.t4g.micro']).toBeLessThan(NODE_MEMORY_GIB['cache.t4g.small']);
    expect(NODE_MEMORY_GIB['cache.r7g.large']).toBeLessThan(NODE_MEMORY_GIB['cache.r7g.xlarge']);
    expect(NODE_MEMORY_GIB['cache.m7g.large']).toBeLessThan(NODE_MEMORY_GIB['cache.r7g.large']);
  });
});

/**
 * Specifications of the cache-tier configuration: the tiers map (added and removed by config alone), the
 * capacity model, and each kind of bad input with the exact line it produces.
 */
import dev from '../../config/environments/dev';
import prod from '../../config/environments/prod';
import { FILE, problems } from '../support/problems';
import { resolveConfig } from '../../config/load';
import { deepMerge } from '../../config/merge';
import { RATELIMIT_TIER } from '../support/fixtures';

const RATELIMIT = RATELIMIT_TIER;

describe('cache tiers in config', () => {
  test('the defaults hold a critical noeviction tier and a hot allkeys-lru tier', () => {
    const config = resolveConfig('test', dev);
    expect(Object.keys(config.cache.tiers)).toEqual(['critical', 'hot']);
    expect(config.cache.tiers.critical.evictionPolicy).toBe('noeviction');
    expect(config.cache.tiers.hot.evictionPolicy).toBe('allkeys-lru');
  });

  test('an environment adds a tier by config alone, and the schema fills in engine, port and windows', () => {
    const config = resolveConfig('test', deepMerge(dev, { cache: { tiers: { ratelimit: RATELIMIT } } }));
    expect(Object.keys(config.cache.tiers)).toEqual(['critical', 'hot', 'ratelimit']);
    expect(config.cache.tiers.ratelimit).toMatchObject({
      evictionPolicy: 'volatile-ttl',
      engineVersion: '8.0',
      parameterGroupFamily: 'valkey8',
      clusterMode: false,
      shards: 1,
      port: 6379,
      reservedMemoryPercent: 25,
    });
  });

  test('an environment changes one field of a default tier and keeps the rest', () => {
    const config = resolveConfig('test', deepMerge(dev, { cache: { tiers: { hot: { evictionPolicy: 'allkeys-lfu' } } } }));
    expect(config.cache.tiers.hot).toMatchObject({ evictionPolicy: 'allkeys-lfu', nodeType: 'cache.t4g.small', replicas: 0 });
  });

  test('null removes a default tier', () => {
    // What an environment file writes: `hot: null` next to the tiers it keeps.
    const config = resolveConfig('test', { ...dev, cache: { ...dev.cache, tiers: { critical: dev.cache.tiers.critical, hot: null } } });
    expect(Object.keys(config.cache.tiers)).toEqual(['critical']);
  });

  test('a tier added without its size fails, naming each missing field', () => {
    expect(problems(dev, { cache: { tiers: { ratelimit: { ...RATELIMIT, expectedKeys: undefined, nodeType: undefined } } } })).toEqual([
      `${FILE}: cache.tiers.ratelimit.nodeType: expected a node type of the capacity table in lib/capacity/cache.ts: cache.t4g.micro, cache.t4g.small, cache.t4g.medium, cache.m6g.large, cache.m6g.xlarge, cache.m7g.large, cache.m7g.xlarge, cache.m7g.2xlarge, cache.r6g.large, cache.r6g.xlarge, cache.r7g.large, cache.r7g.xlarge, cache.r7g.2xlarge, cache.r7g.4xlarge, got nothing (the field is missing)`,
      `${FILE}: cache.tiers.ratelimit.expectedKeys: expected an integer, got nothing (the field is missing)`,
    ]);
  });
});

describe('bad cache input', () => {
  test('fails on an unknown eviction policy', () => {
    expect(problems(dev, { cache: { tiers: { hot: { evictionPolicy: 'allkeys-lfru' } } } })).toEqual([
      `${FILE}: cache.tiers.hot.evictionPolicy: expected a Valkey maxmemory-policy: noeviction, allkeys-lru, allkeys-lfu, allkeys-random, volatile-lru, volatile-lfu, volatile-random, volatile-ttl, got "allkeys-lfru"`,
    ]);
  });

  test('fails when the parameter group family does not match the engine version', () => {
    expect(problems(dev, { cache: { tiers: { critical: { engineVersion: '7.2' } } } })).toEqual([
      `${FILE}: cache.tiers.critical.parameterGroupFamily: expected "valkey7", the family of engine version 7.2, got "valkey8" (the schema's default)`,
    ]);
  });

  test('fails on Multi-AZ with zero replicas', () => {
    expect(problems(dev, { cache: { tiers: { critical: { multiAz: true } } } })).toEqual([
      `${FILE}: cache.tiers.critical.multiAz: expected false when replicas is 0 (Multi-AZ fails over to a replica, and this tier has none), got true`,
    ]);
  });

  test('fails on a tier name that is not a DNS-safe identifier', () => {
    expect(problems(dev, { cache: { tiers: { Rate_Limit: RATELIMIT } } })).toEqual([
      `${FILE}: cache.tiers.Rate_Limit: expected a DNS-safe name: lowercase letters, digits and hyphens, starting with a letter, at most 32 characters, got the name "Rate_Limit"`,
    ]);
  });

  test('fails on an unknown node type', () => {
    expect(problems(dev, { cache: { tiers: { hot: { nodeType: 'cache.r7g.huge' } } } })).toEqual([
      expect.stringMatching(
        /^config\/environments\/test\.ts: cache\.tiers\.hot\.nodeType: expected a node type of the capacity table in lib\/capacity\/cache\.ts: cache\.t4g\.micro, .*, got "cache\.r7g\.huge"$/,
      ),
    ]);
  });

  test('fails on an unknown tier field, suggesting the likely spelling', () => {
    expect(problems(dev, { cache: { tiers: { hot: { evictionPolcy: 'allkeys-lru' } } } })).toEqual([
      expect.stringMatching(
        /cache\.tiers\.hot\.evictionPolcy: expected "evictionPolicy" or another known field \(purpose, .*\), got the unknown field/,
      ),
    ]);
  });

  test('fails on more than one shard without cluster mode', () => {
    expect(problems(dev, { cache: { tiers: { hot: { shards: 2 } } } })).toEqual([
      `${FILE}: cache.tiers.hot.shards: expected 1 without cluster mode (set clusterMode: true to shard), got 2`,
    ]);
  });

  test('fails when the snapshot window overlaps the maintenance window', () => {
    expect(problems(dev, { cache: { tiers: { critical: { snapshotWindow: '05:00-06:00' } } } })).toEqual([
      `${FILE}: cache.tiers.critical.snapshotWindow: expected a window that does not overlap cache.tiers.critical.maintenanceWindow (sun:05:30-sun:06:30), got "05:00-06:00"`,
    ]);
  });

  test('reports problems of several tiers at once', () => {
    const lines = problems(dev, {
      cache: { logRetentionDays: 10, tiers: { critical: { replicas: -1 }, hot: { evictionPolicy: 'lru' } } },
    });
    expect(lines.map((l) => l.split(': ')[1])).toEqual([
      'cache.logRetentionDays',
      'cache.tiers.critical.replicas',
      'cache.tiers.hot.evictionPolicy',
    ]);
  });
});

describe('capacity model', () => {
  test('fails when the critical tier cannot hold its stated load with headroom, showing the arithmetic', () => {
    expect(problems(prod, { cache: { tiers: { critical: { expectedKeys: 5_000_000, bytesPerKey: 4_096 } } } })).toEqual([
      `${FILE}: cache.tiers.critical.expectedKeys: expected at most 1,798,766 keys (cache.r7g.large 13.07 GiB x 75% usable x 70% headroom / 4,096 bytes per key), got 5,000,000`,
    ]);
  });

  test('shards in cluster mode multiply the capacity', () => {
    const change = { cache: { tiers: { critical: { expectedKeys: 5_000_000, bytesPerKey: 4_096, clusterMode: true, shards: 3 } } } };
    expect(problems(prod, change)).toEqual([]);
    expect(problems(prod, { cache: { tiers: { critical: { ...change.cache.tiers.critical, shards: 2 } } } })).toEqual([
      `${FILE}: cache.tiers.critical.expectedKeys: expected at most 3,597,533 keys (2 shards x cache.r7g.large 13.07 GiB x 75% usable x 70% headroom / 4,096 bytes per key), got 5,000,000`,
    ]);
  });

  test('reserved memory is taken off before the headroom', () => {
    expect(problems(dev, { cache: { tiers: { critical: { expectedKeys: 300_000, reservedMemoryPercent: 50 } } } })).toEqual([
      `${FILE}: cache.tiers.critical.expectedKeys: expected at most 251,396 keys (cache.t4g.small 1.37 GiB x 50% usable x 70% headroom / 2,048 bytes per key), got 300,000`,
    ]);
  });

  test('an evicting tier may hold more than its memory: the overflow is evicted, by design', () => {
    expect(problems(dev, { cache: { tiers: { hot: { expectedKeys: 100_000_000 } } } })).toEqual([]);
  });

  test('any noeviction tier is checked, not only the one named critical', () => {
    const tier = { ...RATELIMIT, evictionPolicy: 'noeviction', expectedKeys: 10_000_000, bytesPerKey: 1_024 };
    expect(problems(dev, { cache: { tiers: { ledger: tier } } })).toEqual([
      `${FILE}: cache.tiers.ledger.expectedKeys: expected at most 754,188 keys (cache.t4g.small 1.37 GiB x 75% usable x 70% headroom / 1,024 bytes per key), got 10,000,000`,
    ]);
  });
});

describe('cache production guard rails', () => {
  test('fails when a production tier turns Multi-AZ off', () => {
    expect(problems(prod, { cache: { tiers: { hot: { multiAz: false } } } })).toEqual([
      `${FILE}: cache.tiers.hot.multiAz: expected true in a production environment, got false`,
    ]);
  });

  test('fails when a production tier has no replica, since Multi-AZ needs one', () => {
    expect(problems(prod, { cache: { tiers: { hot: { replicas: 0 } } } })).toEqual([
      `${FILE}: cache.tiers.hot.multiAz: expected false when replicas is 0 (Multi-AZ fails over to a replica, and this tier has none), got true (inherited from config/defaults.ts)`,
    ]);
  });

  test('fails when a production noeviction tier keeps snapshots for fewer than 15 days', () => {
    expect(problems(prod, { cache: { tiers: { critical: { snapshotRetentionDays: 7 } } } })).toEqual([
      `${FILE}: cache.tiers.critical.snapshotRetentionDays: expected at least 15 days of snapshots for a noeviction tier in a production environment, got 7`,
    ]);
  });

  test('a production evicting tier may keep no snapshots', () => {
    expect(problems(prod, { cache: { tiers: { hot: { snapshotRetentionDays: 0 } } } })).toEqual([]);
  });
});

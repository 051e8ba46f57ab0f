/**
 * The cache capacity model: how many keys of a stated size a tier's nodes hold with headroom. Pure, so that
 * the configuration rules (which refuse a tier too small for its load) and the cache construct (which exposes
 * the figures to monitoring) compute the same numbers.
 *
 * The outage it prevents: a single cache at 98% memory evicted sessions and logged users out. A `noeviction`
 * tier never evicts, so at full memory it rejects writes instead; it must be sized so that this never happens.
 */

/**
 * Memory of each node type, in GiB, as the ElastiCache "Supported node types" page lists it (the memory
 * column, before reserved memory). A small table on purpose: the node types a team is likely to pick for
 * Valkey 7/8. Add a row (with the figure from that page) to allow another type.
 */
export const NODE_MEMORY_GIB = {
  'cache.t4g.micro': 0.5,
  'cache.t4g.small': 1.37,
  'cache.t4g.medium': 3.09,
  'cache.m6g.large': 6.38,
  'cache.m6g.xlarge': 12.93,
  'cache.m7g.large': 6.38,
  'cache.m7g.xlarge': 12.93,
  'cache.m7g.2xlarge': 26.04,
  'cache.r6g.large': 13.07,
  'cache.r6g.xlarge': 26.32,
  'cache.r7g.large': 13.07,
  'cache.r7g.xlarge': 26.32,
  'cache.r7g.2xlarge': 52.82,
  'cache.r7g.4xlarge': 105.81,
} as const;

export type CacheNodeType = keyof typeof NODE_MEMORY_GIB;
export const CACHE_NODE_TYPES = Object.keys(NODE_MEMORY_GIB) as CacheNodeType[];

/**
 * At most this share of usable memory may be in use at the stated load: the rest absorbs growth, key-size
 * drift, fragmentation and the copy-on-write of a snapshot, and leaves time for the early memory alarm.
 */
export const CACHE_HEADROOM = 0.7;

/**
 * Days of snapshots a `noeviction` tier of a production environment keeps: what it holds cannot be rebuilt. NIST
 * 800-53 R5 (CP-9) and HIPAA (164.308(a)(7)) in the compliance gate ask replication groups for this much.
 */
export const PRODUCTION_SNAPSHOT_DAYS = 15;

/** The `maxmemory-policy` values Valkey accepts. */
export const EVICTION_POLICIES = [
  'noeviction',
  'allkeys-lru',
  'allkeys-lfu',
  'allkeys-random',
  'volatile-lru',
  'volatile-lfu',
  'volatile-random',
  'volatile-ttl',
] as const;
export type EvictionPolicy = (typeof EVICTION_POLICIES)[number];

const GIB = 1024 ** 3;

export interface CacheCapacityInput {
  readonly nodeType: CacheNodeType;
  /** Shards (node groups) in cluster mode: each holds its share of the keys. 1 without cluster mode. */
  readonly shards: number;
  /** `reserved-memory-percent`: memory the engine keeps for itself (replication buffers, snapshots). */
  readonly reservedMemoryPercent: number;
  readonly bytesPerKey: number;
}

export interface CacheCapacity {
  /** Memory of one node, GiB. */
  readonly nodeMemoryGiB: number;
  /** Bytes the engine may fill with data on one node: node memory less reserved memory (`maxmemory`). */
  readonly usableBytesPerNode: number;
  /** Bytes of data the whole tier may hold at the stated load: every shard, with headroom. */
  readonly budgetBytes: number;
  /** Most keys of `bytesPerKey` the tier holds within the budget. */
  readonly maxKeys: number;
  /** The arithmetic, for a person: `cache.r7g.large 13.07 GiB x 75% usable x 70% headroom / 4,096 bytes per key`. */
  readonly explanation: string;
}

export function cacheCapacity(input: CacheCapacityInput): CacheCapacity {
  const nodeMemoryGiB = NODE_MEMORY_GIB[input.nodeType];
  const usableShare = (100 - input.reservedMemoryPercent) / 100;
  const usableBytesPerNode = Math.floor(nodeMemoryGiB * GIB * usableShare);
  const budgetBytes = Math.floor(input.shards * usableBytesPerNode * CACHE_HEADROOM);
  const maxKeys = Math.floor(budgetBytes / input.bytesPerKey);
  const shards = input.shards > 1 ? `${input.shards} shards x ` : '';
  const explanation =
    `${shards}${input.nodeType} ${nodeMemoryGiB} GiB x ${percent(usableShare)} usable x ${percent(CACHE_HEADROOM)} headroom` +
    ` / ${thousands(input.bytesPerKey)} bytes per key`;
  return { nodeMemoryGiB, usableBytesPerNode, budgetBytes, maxKeys, explanation };
}

/** Share of usable memory the stated load fills (0.5 = half), across all shards. */
export function memoryUse(input: CacheCapacityInput & { readonly expectedKeys: number }): number {
  const { usableBytesPerNode } = cacheCapacity(input);
  return (input.expectedKeys * input.bytesPerKey) / (input.shards * usableBytesPerNode);
}

export function thousands(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

function percent(share: number): string {
  return `${thousands(Math.round(share * 1000) / 10)}%`;
}

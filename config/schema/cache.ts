import { z } from 'zod';
import { CACHE_NODE_TYPES, EVICTION_POLICIES } from '../../lib/capacity';
import { dailyWindow, dnsLabel, int, logRetentionDays, weeklyWindow } from './primitives';

/** Valkey versions ElastiCache offers, and the parameter group family each belongs to. */
export const VALKEY_VERSIONS = { '7.2': 'valkey7', '8.0': 'valkey8', '8.1': 'valkey8' } as const;
export type ValkeyVersion = keyof typeof VALKEY_VERSIONS;
export const VALKEY_FAMILIES = ['valkey7', 'valkey8'] as const;

const enumOf = <T extends readonly [string, ...string[]]>(values: T, what: string) =>
  z.enum(values, { error: `expected ${what}: ${values.join(', ')}` });

/**
 * One tier. Fields that say what the tier is for and how big it is are required, so that a tier added by an
 * environment file states them; fields with one sensible value everywhere have a schema default.
 */
export const cacheTierSchema = z
  .strictObject({
    purpose: z
      .string()
      .min(1)
      .meta({ description: 'What the tier holds, e.g. "sessions and auth tokens"; the replication group description.' }),
    evictionPolicy: enumOf(EVICTION_POLICIES, 'a Valkey maxmemory-policy').meta({
      description:
        '`maxmemory-policy` of the tier. `noeviction` for data that must not silently disappear (sessions, tokens): at full memory writes fail instead, so the capacity model sizes it. `allkeys-lru` for data that can be recomputed.',
    }),
    engineVersion: enumOf(Object.keys(VALKEY_VERSIONS) as [ValkeyVersion, ...ValkeyVersion[]], 'a Valkey version ElastiCache offers')
      .default('8.0')
      .meta({ description: 'Valkey engine version.' }),
    parameterGroupFamily: enumOf(VALKEY_FAMILIES, 'a Valkey parameter group family')
      .default('valkey8')
      .meta({ description: 'Parameter group family; must be the family of `engineVersion` (valkey7 for 7.x, valkey8 for 8.x).' }),
    nodeType: enumOf(CACHE_NODE_TYPES as [string, ...string[]], 'a node type of the capacity table in lib/capacity/cache.ts').meta({
      description: 'Node type; its memory (lib/capacity/cache.ts) is what the capacity model checks the load against.',
    }),
    clusterMode: z
      .boolean()
      .default(false)
      .meta({ description: 'Cluster mode: keys spread over `shards`, clients connect to the configuration endpoint.' }),
    shards: int(1, 500)
      .default(1)
      .meta({ description: 'Shards (node groups) in cluster mode; each adds a node of memory. 1 without cluster mode.' }),
    replicas: int(0, 5).meta({ description: 'Replicas per shard: failover targets and reader-endpoint capacity.' }),
    multiAz: z.boolean().meta({
      description:
        'Place replicas in other zones and fail over automatically when the primary or its zone is lost. Needs at least one replica. Required in production.',
    }),
    port: int(1024, 65535).default(6379).meta({ description: 'Port the tier listens on.' }),
    reservedMemoryPercent: int(0, 90)
      .default(25)
      .meta({ description: '`reserved-memory-percent`: node memory kept back from data for replication buffers and snapshots.' }),
    expectedKeys: int(0).meta({ description: 'Keys the tier is expected to hold at peak (capacity model).' }),
    bytesPerKey: int(1).meta({ description: 'Average memory per key, value and overhead included, in bytes (capacity model).' }),
    snapshotRetentionDays: int(0, 35).meta({
      description:
        'Days of daily snapshots; 0 turns them off. A `noeviction` tier keeps at least 15 in production (the figure the NIST and HIPAA packs ask for).',
    }),
    snapshotWindow: dailyWindow().default('02:00-03:00').meta({ description: 'Daily UTC window for snapshots.' }),
    maintenanceWindow: weeklyWindow()
      .default('sun:05:30-sun:06:30')
      .meta({ description: 'Weekly UTC window for patching; must not overlap the snapshot window.' }),
  })
  .meta({ description: 'A cache tier: its own replication group, parameter group, security group, AUTH token and logs.' });

export const cacheSchema = z
  .strictObject({
    logRetentionDays: logRetentionDays().meta({ description: 'Days to keep the slow and engine logs of every tier.' }),
    tiers: z.record(dnsLabel(), cacheTierSchema).meta({
      description:
        'The tiers by name (a DNS-safe name; it names the replication group, its outputs and `CACHE_<NAME>_*` variables). An environment adds a tier by adding an entry and removes a default one with `null`.',
    }),
  })
  .meta({ description: 'ElastiCache (Valkey) tiers, each with its own eviction policy, size and safety settings.' });

/**
 * Cross-field rules of the cache tiers. Like every rule they read the configuration defensively: they run
 * even when other fields are invalid, so that every problem is reported at once.
 */
import { CACHE_NODE_TYPES, type CacheNodeType, cacheCapacity, thousands } from '../../lib/capacity';
import { PRODUCTION_SNAPSHOT_DAYS } from '../../lib/capacity';
import type { DeepPartial } from '../types';
import { VALKEY_VERSIONS, type ValkeyVersion } from './cache';
import type { z } from 'zod';
import type { AppConfig, CacheTierConfig } from './index';
import { type Path, type Rule, windowsOverlap } from './rules';

/** Like `Report`, and may render the received value itself (`5,000,000` rather than `5000000`). */
type CacheReport = (path: Path, expected: string, shown?: { readonly received: string }) => void;
type CacheRule = (config: Parameters<Rule>[0], report: CacheReport) => void;

type Tier = DeepPartial<CacheTierConfig>;

function tiersOf(config: Parameters<Rule>[0]): [string, Tier][] {
  const tiers = config.cache?.tiers;
  if (typeof tiers !== 'object' || tiers === null) return [];
  return Object.entries(tiers).filter((entry): entry is [string, Tier] => typeof entry[1] === 'object' && entry[1] !== null);
}

const at = (name: string, field: string) => ['cache', 'tiers', name, field];

/** ElastiCache rejects a parameter group whose family is not the engine version's at deploy time: catch it here. */
const familyMatchesVersion: CacheRule = (config, report) => {
  for (const [name, tier] of tiersOf(config)) {
    const family = VALKEY_VERSIONS[tier.engineVersion as ValkeyVersion];
    if (family && typeof tier.parameterGroupFamily === 'string' && tier.parameterGroupFamily !== family) {
      report(at(name, 'parameterGroupFamily'), `expected "${family}", the family of engine version ${tier.engineVersion}`);
    }
  }
};

/** Multi-AZ fails over to a replica in another zone; without one it cannot fail over at all. */
const multiAzNeedsReplicas: CacheRule = (config, report) => {
  for (const [name, tier] of tiersOf(config)) {
    if (tier.multiAz === true && tier.replicas === 0) {
      report(at(name, 'multiAz'), 'expected false when replicas is 0 (Multi-AZ fails over to a replica, and this tier has none)');
    }
  }
};

const shardsNeedClusterMode: CacheRule = (config, report) => {
  for (const [name, tier] of tiersOf(config)) {
    if (tier.clusterMode === false && typeof tier.shards === 'number' && tier.shards > 1) {
      report(at(name, 'shards'), 'expected 1 without cluster mode (set clusterMode: true to shard)');
    }
  }
};

/**
 * A `noeviction` tier never makes room: at full memory it refuses writes (sessions cannot be created: users
 * cannot log in). Refuse, at synth time, a node too small for the stated load with headroom.
 */
const noevictionTierHoldsItsLoad: CacheRule = (config, report) => {
  for (const [name, tier] of tiersOf(config)) {
    const { nodeType, shards, reservedMemoryPercent, bytesPerKey, expectedKeys } = tier;
    if (tier.evictionPolicy !== 'noeviction' || !CACHE_NODE_TYPES.includes(nodeType as CacheNodeType)) continue;
    if (![shards, reservedMemoryPercent, bytesPerKey, expectedKeys].every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0)) {
      continue;
    }
    if ((bytesPerKey as number) < 1 || (reservedMemoryPercent as number) > 90 || (shards as number) < 1) continue;
    const capacity = cacheCapacity({
      nodeType: nodeType as CacheNodeType,
      shards: shards as number,
      reservedMemoryPercent: reservedMemoryPercent as number,
      bytesPerKey: bytesPerKey as number,
    });
    if ((expectedKeys as number) > capacity.maxKeys) {
      report(at(name, 'expectedKeys'), `expected at most ${thousands(capacity.maxKeys)} keys (${capacity.explanation})`, {
        received: thousands(expectedKeys as number),
      });
    }
  }
};

/** ElastiCache refuses a snapshot window that overlaps the maintenance window. */
const snapshotOutsideMaintenance: CacheRule = (config, report) => {
  for (const [name, tier] of tiersOf(config)) {
    const daily = tier.snapshotWindow;
    const weekly = tier.maintenanceWindow;
    const dailyOk = typeof daily === 'string' && /^\d\d:\d\d-\d\d:\d\d$/.test(daily);
    const weeklyOk = typeof weekly === 'string' && /^[a-z]{3}:\d\d:\d\d-[a-z]{3}:\d\d:\d\d$/.test(weekly);
    if (tier.snapshotRetentionDays !== 0 && dailyOk && weeklyOk && windowsOverlap(daily, weekly)) {
      report(at(name, 'snapshotWindow'), `expected a window that does not overlap cache.tiers.${name}.maintenanceWindow (${weekly})`);
    }
  }
};

/** Production guard rails: every tier survives the loss of a zone; a tier that holds data keeps snapshots. */
const productionCacheGuardRails: CacheRule = (config, report) => {
  if (config.environment?.production !== true) return;
  for (const [name, tier] of tiersOf(config)) {
    if (tier.multiAz === false) report(at(name, 'multiAz'), 'expected true in a production environment');
    const retention = tier.snapshotRetentionDays;
    if (tier.evictionPolicy === 'noeviction' && typeof retention === 'number' && retention < PRODUCTION_SNAPSHOT_DAYS) {
      report(
        at(name, 'snapshotRetentionDays'),
        `expected at least ${PRODUCTION_SNAPSHOT_DAYS} days of snapshots for a noeviction tier in a production environment`,
      );
    }
  }
};

export const CACHE_RULES: readonly CacheRule[] = [
  familyMatchesVersion,
  multiAzNeedsReplicas,
  shardsNeedClusterMode,
  noevictionTierHoldsItsLoad,
  snapshotOutsideMaintenance,
  productionCacheGuardRails,
];

/** Runs the cache rules; composed into the schema next to `applyRules`. */
export function applyCacheRules(value: unknown, ctx: z.RefinementCtx): void {
  const report: CacheReport = (path, expected, shown) =>
    ctx.addIssue({ code: 'custom', path: [...path], message: expected, params: shown && { received: shown.received } });
  for (const rule of CACHE_RULES) rule(value as DeepPartial<AppConfig>, report);
}

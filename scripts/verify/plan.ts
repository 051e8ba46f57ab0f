/**
 * The plan of a verification, from the resolved configuration: what the deployment must match.
 */
import { planRecovery } from '../../config/recovery';
import { namePrefix } from '../../lib/names';
import { restoreTestingPlanName } from '../../lib/stacks/recovery-props';
import type { AppConfig } from '../../config/schema';
import { isPlainObject } from '../../config/merge';
import { DEFAULT_MAX_REPLICA_LAG_SECONDS } from './replicas';
import type { VerifyPlan } from './runner';

export interface PlanOptions {
  /** @default - the replica-lag alarm's threshold, `monitoring.thresholds.database.replicaLagSeconds` */
  readonly maxReplicaLagSeconds?: number;
}

export function planFromConfig(config: AppConfig, options: PlanOptions = {}): VerifyPlan {
  const database = config.database;
  return {
    appName: config.app.name,
    envName: config.environment.name,
    engine: database.engine,
    // Aurora auto scaling may take the readers down to its minimum; RDS replicas are a fixed count.
    minReaders: database.engine === 'aurora-postgresql' ? database.readerAutoScaling.min : database.readReplicas,
    // The same figure as the replica-lag alarm, so that verify and the alarm agree on what "stale" means.
    maxReplicaLagSeconds:
      options.maxReplicaLagSeconds ?? config.monitoring?.thresholds?.database?.replicaLagSeconds ?? DEFAULT_MAX_REPLICA_LAG_SECONDS,
    evictionPolicies: evictionPoliciesFromConfig(config),
    backups: backupsFromConfig(config),
  };
}

/** What the recovery points must show: the objectives of `recovery`, and what the snapshot rules deliver alone. */
export function backupsFromConfig(config: AppConfig): VerifyPlan['backups'] {
  const recovery = config.recovery;
  const name = namePrefix(config.app.name, config.environment.name);
  const snapshots = planRecovery({
    engine: config.database.engine,
    dataSizeGiB: recovery.dataSizeGiB,
    continuousBackup: false,
    rules: Object.entries(recovery.rules).map(([rule, r]) => ({ name: rule, frequency: r.frequency, copy: r.copy })),
    crossRegionCopy: recovery.crossRegionCopy.region !== undefined,
  });
  const copyRegion = recovery.crossRegionCopy.region;
  const regionLoss = recovery.objectives.regionLoss;
  return {
    vaultName: name,
    continuous: recovery.continuousBackup.enabled,
    rpoMinutes: recovery.objectives.inRegion.rpoMinutes,
    snapshotIntervalMinutes: snapshots.inRegion.rpo.minutes,
    copy: copyRegion
      ? { region: copyRegion, vaultName: `${name}-copy`, rpoMinutes: regionLoss?.rpoMinutes ?? snapshots.regionLoss.rpo.minutes }
      : undefined,
    restoreTesting: recovery.restoreTesting.enabled
      ? {
          planName: restoreTestingPlanName(config),
          rtoMinutes: recovery.objectives.inRegion.rtoMinutes,
          // The default weekly schedule, plus its start window, with a day to spare.
          withinDays: 7 + Math.ceil(recovery.restoreTesting.startWindowHours / 24) + 1,
        }
      : undefined,
  };
}

/** The field names under `cache.tiers.<name>` that may hold a tier's policy, in order of preference. */
const POLICY_FIELDS = ['evictionPolicy', 'maxmemoryPolicy', 'maxMemoryPolicy'] as const;

/**
 * Expected `maxmemory-policy` per tier, from config `cache.tiers.<name>.evictionPolicy` (or
 * `maxmemoryPolicy`). Read defensively: the cache section is not part of every configuration's schema
 * yet, so a configuration without it (or of another shape) gives no expectations, and the cache check
 * reports the policies it finds without comparing them.
 */
export function evictionPoliciesFromConfig(config: unknown): Record<string, string> {
  const cache = isPlainObject(config) ? config.cache : undefined;
  const tiers = isPlainObject(cache) ? cache.tiers : undefined;
  if (!isPlainObject(tiers)) return {};
  const policies: Record<string, string> = {};
  for (const [name, tier] of Object.entries(tiers)) {
    if (!isPlainObject(tier)) continue;
    const policy = POLICY_FIELDS.map((field) => tier[field]).find((value): value is string => typeof value === 'string');
    if (policy) policies[name] = policy;
  }
  return policies;
}

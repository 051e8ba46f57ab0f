/**
 * The plan of a verification, from the resolved configuration: what the deployment must match.
 */
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

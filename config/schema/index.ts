/**
 * The configuration schema: the single source of truth for the types the constructs receive, for
 * validation, and for the configuration reference in docs/configuration.md (generated from it).
 */
import { z } from 'zod';
import { capacitySchema } from './capacity';
import { chaosSchema } from './chaos';
import { costSchema } from './cost';
import { applyChaosRules } from './chaos-rules';
import { cacheSchema } from './cache';
import { applyCacheRules } from './cache-rules';
import { databaseSchema } from './database';
import { appSchema, environmentSchema, tagsSchema } from './environment';
import { monitoringSchema } from './monitoring';
import { applyMonitoringRules } from './monitoring-rules';
import { networkSchema } from './network';
import { recoverySchema } from './recovery';
import { applyRecoveryRules } from './recovery-rules';
import { applyRules } from './rules';
import { loadBalancerSchema, servicesSchema } from './services';

export const appConfigSchema = z
  .strictObject({
    app: appSchema,
    environment: environmentSchema,
    tags: tagsSchema,
    network: networkSchema,
    database: databaseSchema,
    capacity: capacitySchema,
    cache: cacheSchema,
    monitoring: monitoringSchema,
    services: servicesSchema,
    loadBalancer: loadBalancerSchema,
    chaos: chaosSchema,
    recovery: recoverySchema,
    cost: costSchema,
  })
  // `when` lets the cross-field rules run even when some field is invalid, so all problems come out together.
  .superRefine(applyRules, { when: () => true })
  .superRefine(applyCacheRules, { when: () => true })
  .superRefine(applyMonitoringRules, { when: () => true })
  .superRefine(applyChaosRules, { when: () => true })
  .superRefine(applyRecoveryRules, { when: () => true });

/** The validated configuration of one environment, as every construct receives it. */
export type AppConfig = z.infer<typeof appConfigSchema>;
/** What a configuration must state before the schema fills in its own defaults (`.default(...)`). */
export type AppConfigInput = z.input<typeof appConfigSchema>;
export type CacheConfig = AppConfig['cache'];
export type CacheTierConfig = CacheConfig['tiers'][string];

/**
 * Cross-field rules of the fault-injection experiments. Like every rule they read the configuration defensively:
 * they run even when other fields are invalid, so that every problem is reported at once.
 */
import type { z } from 'zod';
import type { DeepPartial } from '../types';
import type { AppConfig } from './index';
import type { Rule } from './rules';

/** In production, an experiment may take out at most half of what serves: the other half carries the load. */
export const PRODUCTION_MAX_FAULT_PERCENT = 50;

/**
 * Whether the environment has experiments: `chaos.enabled` when set, otherwise on outside production. The one
 * place this default is decided (the stacks, `npm run chaos` and docs/chaos.md all call it).
 */
export function chaosEnabled(config: Pick<DeepPartial<AppConfig>, 'chaos' | 'environment'>): boolean {
  return config.chaos?.enabled ?? config.environment?.production !== true;
}

/** The zone the zone-outage and cache experiments cut off: `chaos.zone`, or the environment's first zone. */
export function chaosZone(config: Pick<AppConfig, 'chaos' | 'environment'>): string {
  return config.chaos.zone ?? config.environment.availabilityZones[0];
}

const zoneOfEnvironment: Rule = (config, report) => {
  const zone = config.chaos?.zone;
  const azs = config.environment?.availabilityZones;
  if (typeof zone !== 'string' || !Array.isArray(azs)) return;
  if (!azs.includes(zone)) {
    report(['chaos', 'zone'], `expected one of the environment's availability zones (${azs.join(', ')})`);
  }
};

/**
 * Production has experiments only when its own file opts in (`chaos.enabled: true`; the defaults never do), and
 * then under tighter rules: someone hears the stop conditions fire, and half of the tasks keep serving.
 */
const productionOptIn: Rule = (config, report) => {
  if (config.environment?.production !== true || config.chaos?.enabled !== true) return;
  const subscriptions = config.monitoring?.alarmSubscriptions;
  if (Array.isArray(subscriptions) && subscriptions.length === 0) {
    report(
      ['monitoring', 'alarmSubscriptions'],
      'expected at least one subscription in a production environment that opts in to experiments (chaos.enabled: true): someone must hear a stop condition fire',
    );
  }
  for (const field of ['stopTasksPercent', 'taskFaultPercent'] as const) {
    const value = config.chaos?.[field];
    if (typeof value === 'number' && value > PRODUCTION_MAX_FAULT_PERCENT) {
      report(
        ['chaos', field],
        `expected at most ${PRODUCTION_MAX_FAULT_PERCENT} in a production environment that opts in to experiments, so that the other tasks carry the load`,
      );
    }
  }
};

/** FIS accepts five stop conditions per template: every service's degraded alarm and one of the layer's. */
export const MAX_SERVICES_WITH_EXPERIMENTS = 4;

const stopConditionsFit: Rule = (config, report) => {
  const services = config.services;
  if (!chaosEnabled(config) || typeof services !== 'object' || services === null) return;
  const count = Object.keys(services).length;
  if (count > MAX_SERVICES_WITH_EXPERIMENTS) {
    report(
      ['chaos', 'enabled'],
      `expected false with more than ${MAX_SERVICES_WITH_EXPERIMENTS} services (this environment has ${count}): every experiment stops on each service's degraded alarm, and FIS accepts at most 5 stop conditions`,
    );
  }
};

export const CHAOS_RULES: readonly Rule[] = [zoneOfEnvironment, productionOptIn, stopConditionsFit];

export function applyChaosRules(value: unknown, ctx: z.RefinementCtx): void {
  for (const rule of CHAOS_RULES) {
    rule(value as DeepPartial<AppConfig>, (path, expected) => ctx.addIssue({ code: 'custom', path: [...path], message: expected }));
  }
}

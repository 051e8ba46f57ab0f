/**
 * Cross-field rules of the alarm thresholds. Like every rule they read the configuration defensively: they run
 * even when other fields are invalid, so that every problem is reported at once.
 */
import type { z } from 'zod';
import { CACHE_HEADROOM } from '../../lib/capacity';
import type { DeepPartial } from '../types';
import type { AppConfig } from './index';
import type { Rule } from './rules';

const HEADROOM_PERCENT = Math.round(CACHE_HEADROOM * 100);

/**
 * The noeviction tier exists because a full cache logged users out: its memory alarm must fire before an
 * evicting tier's would, yet above the use the capacity model plans for at the stated load (or it always fires).
 */
const noevictionWarnsEarly: Rule = (config, report) => {
  const cache = config.monitoring?.thresholds?.cache;
  const early = cache?.noevictionMemoryPercent;
  const evicting = cache?.evictingMemoryPercent;
  if (typeof early !== 'number') return;
  const path = ['monitoring', 'thresholds', 'cache', 'noevictionMemoryPercent'];
  if (typeof evicting === 'number' && early >= evicting) {
    report(path, `expected less than evictingMemoryPercent (${evicting}), so that a noeviction tier warns before it refuses writes`);
  } else if (early <= HEADROOM_PERCENT) {
    report(
      path,
      `expected more than ${HEADROOM_PERCENT}, the memory use the capacity model plans for a noeviction tier at its stated load (the alarm would always fire)`,
    );
  }
};

export const MONITORING_RULES: readonly Rule[] = [noevictionWarnsEarly];

export function applyMonitoringRules(value: unknown, ctx: z.RefinementCtx): void {
  for (const rule of MONITORING_RULES) {
    rule(value as DeepPartial<AppConfig>, (path, expected) => ctx.addIssue({ code: 'custom', path: [...path], message: expected }));
  }
}

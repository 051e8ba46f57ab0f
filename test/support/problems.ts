import { ConfigError, type EnvironmentOverrides, resolveConfig } from '../../config/load';
import { deepMerge } from '../../config/merge';

/** The file name problems are reported against when a test builds an environment in memory. */
export const FILE = 'config/environments/test.ts';

/**
 * The problem lines for an environment file made of `base` (an environment file's overrides) plus `change`,
 * validated as environment `name`; empty when the configuration is valid.
 */
export function problems(base: EnvironmentOverrides, change: unknown, name = 'test'): string[] {
  try {
    resolveConfig(name, deepMerge(base, change));
  } catch (e) {
    if (e instanceof ConfigError) return e.message.split('\n');
    throw e;
  }
  return [];
}

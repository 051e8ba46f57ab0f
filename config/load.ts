/**
 * Loads one environment: its file's overrides merged onto the defaults, validated against the schema.
 * Nothing here reads CDK context or the process environment; callers pass the environment's name.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULTS } from './defaults';
import { ConfigError, type ConfigProblem, problemsFromIssues, render } from './errors';
import { deepMerge, isPlainObject } from './merge';
import { PROJECT_ROOT } from './project-root';
import { type AppConfig, appConfigSchema } from './schema';
import type { DeepPartial } from './types';

export { ConfigError } from './errors';
export type { AppConfig } from './schema';

/** What an environment file's default export may hold: any part of the configuration. */
export type EnvironmentOverrides = DeepPartial<Omit<AppConfig, 'environment'> & { environment: Omit<AppConfig['environment'], 'name'> }>;

export { PROJECT_ROOT } from './project-root';
export const ENVIRONMENTS_DIR = path.join(__dirname, 'environments');
const DEFAULTS_FILE = relative(path.join(__dirname, 'defaults.ts'));

/** The environments that exist: one per file in `config/environments/`, sorted by name. */
export function listEnvironments(dir: string = ENVIRONMENTS_DIR): string[] {
  const names = fs
    .readdirSync(dir)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .map((f) => f.replace(/\.(ts|js)$/, ''));
  return [...new Set(names)].sort();
}

/** Loads and validates the environment `name`; throws a ConfigError listing every problem. */
export function loadEnvironment(name: string, dir: string = ENVIRONMENTS_DIR): AppConfig {
  const known = listEnvironments(dir);
  if (!known.includes(name)) {
    throw new ConfigError([
      {
        file: 'environment name',
        path: '',
        expected: `expected one of ${known.join(', ')} (an environment is a file ${relative(dir)}/NAME.ts)`,
        received: render(name),
      },
    ]);
  }
  const file = path.join(dir, name);
  const envFile = relative(fs.existsSync(`${file}.ts`) ? `${file}.ts` : `${file}.js`);
  let overrides: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(file) as { default?: unknown };
    overrides = mod.default ?? mod;
  } catch (e) {
    throw new ConfigError([
      { file: envFile, path: '', expected: 'expected a module that loads', received: `an error: ${(e as Error).message}` },
    ]);
  }
  return resolveConfig(name, overrides, envFile);
}

/**
 * Merges `overrides` onto the defaults and validates the result: the pure core of `loadEnvironment`,
 * which tests call directly with overrides built in memory.
 */
export function resolveConfig(
  name: string,
  overrides: unknown,
  envFile = `config/environments/${name}.ts`,
  defaults: unknown = DEFAULTS,
): AppConfig {
  if (!isPlainObject(overrides)) {
    throw new ConfigError([
      { file: envFile, path: '', expected: 'expected a default export that is an object of overrides', received: render(overrides) },
    ]);
  }
  const problems: ConfigProblem[] = [];
  if (!/^[a-z][a-z0-9-]{0,15}$/.test(name)) {
    problems.push({
      file: envFile,
      path: '',
      expected: 'expected a file name of lowercase letters, digits and hyphens, at most 16 characters (it names stacks and resources)',
      received: render(name),
    });
  }
  const merged = deepMerge(defaults, overrides) as Record<string, unknown>;
  // The name is the file's name, so that adding a file is all it takes to add an environment.
  merged.environment = { ...(isPlainObject(merged.environment) ? merged.environment : {}), name };
  const result = appConfigSchema.safeParse(merged);
  if (!result.success) {
    problems.push(
      ...problemsFromIssues(result.error.issues, { merged, overrides, envFile, defaultsFile: DEFAULTS_FILE, schema: appConfigSchema }),
    );
  }
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return result.data;
}

function relative(file: string): string {
  return path.relative(PROJECT_ROOT, file).split(path.sep).join('/');
}

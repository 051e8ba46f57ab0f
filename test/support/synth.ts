/**
 * Synthesizes environments the way `cdk synth` does (same feature flags from cdk.json), without the CLI.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { deepMerge } from '../../config/merge';
import { type AppConfig, type EnvironmentOverrides, loadEnvironment, resolveConfig } from '../../config/load';
import { buildEnvironment, type EnvironmentStacks } from '../../lib/app';

const CDK_JSON = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };

/** A CDK App with the feature flags of cdk.json, as the CLI would create it. */
export function newApp(): App {
  return new App({ context: CDK_JSON.context });
}

/** The configuration of an environment file, optionally with further overrides applied on top. */
export function configOf(envName: string, extra?: EnvironmentOverrides): AppConfig {
  const base = loadEnvironment(envName);
  if (!extra) return base;
  const { name: _name, ...environment } = base.environment;
  return resolveConfig(envName, deepMerge({ ...base, environment }, extra));
}

export interface SynthesizedEnvironment {
  readonly app: App;
  readonly stacks: EnvironmentStacks;
  readonly config: AppConfig;
  template(stack: keyof EnvironmentStacks): Template;
}

const cache = new Map<string, SynthesizedEnvironment>();

/**
 * Builds an environment and returns its templates. Results are cached per test file (by environment name or
 * configuration content), since synthesizing is the slow part of the suite and assertions do not mutate
 * templates. A test that adds constructs builds its own app with `newApp()` and `buildEnvironment`.
 */
export function synth(env: string | AppConfig): SynthesizedEnvironment {
  // Keyed by name, or by the configuration's content: tests often build the same variant more than once.
  const key = typeof env === 'string' ? env : JSON.stringify(env);
  if (cache.has(key)) return cache.get(key)!;
  const config = typeof env === 'string' ? loadEnvironment(env) : env;
  const app = newApp();
  const stacks = buildEnvironment(app, config);
  const templates = new Map<string, Template>();
  const result: SynthesizedEnvironment = {
    app,
    stacks,
    config,
    template(name) {
      if (!templates.has(name)) templates.set(name, Template.fromStack(stacks[name] as Stack));
      return templates.get(name)!;
    },
  };
  cache.set(key, result);
  return result;
}

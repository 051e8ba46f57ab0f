/**
 * Synthesizes environments the way `cdk synth` does (same feature flags from cdk.json), without the CLI.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { App, type Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { deepMerge } from '../../config/merge';
import { type AppConfig, type EnvironmentOverrides, loadEnvironment, resolveConfig } from '../../config/load';
import { canonicalJson } from '../../lib/canonical-json';
import type { EnvironmentStacks } from '../../lib/app';
import type { ComplianceOptions } from '../../lib/compliance';
import type { StackTemplates } from '../../scripts/diff/synth';
import { TEMPLATE_CACHE_VARIABLE } from './global-setup';
import { SUITE_APP_CONTEXT, SUITE_TREE_METADATA } from './shortcuts';

/** cdk.json's context (the app's feature flags): the CLI hands it to every synthesis. */
export const CDK_JSON_CONTEXT = (
  JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
).context;

/**
 * A CDK App with cdk.json's context (its feature flags), as the CLI creates it, and the suite's `SUITE_APP_CONTEXT`
 * and `SUITE_TREE_METADATA` (shortcuts.ts) unless `suiteContext` is false; `context` adds to either.
 */
export function newApp(options: { suiteContext?: boolean; context?: Record<string, unknown>; outdir?: string } = {}): App {
  const suite = options.suiteContext !== false;
  return new App({
    context: { ...CDK_JSON_CONTEXT, ...(suite ? SUITE_APP_CONTEXT : {}), ...options.context },
    outdir: options.outdir,
    treeMetadata: suite ? SUITE_TREE_METADATA : true,
  });
}

/** The configuration of an environment file, optionally with further overrides applied on top. */
export function configOf(envName: string, extra?: EnvironmentOverrides): AppConfig {
  const base = loadEnvironment(envName);
  if (!extra) return base;
  const { name: _name, ...environment } = base.environment;
  return resolveConfig(envName, deepMerge({ ...base, environment }, extra));
}

export interface SynthesizedEnvironment {
  /** The app and its stacks, built on first use: a test that reads only templates may never need them. */
  readonly app: App;
  readonly stacks: EnvironmentStacks;
  readonly config: AppConfig;
  template(stack: keyof EnvironmentStacks): Template;
  /** Whether the environment has this stack, read from its templates: unlike `stacks`, it needs no app where they are shared. */
  hasStack(stack: keyof EnvironmentStacks): boolean;
  /** The stacks the environment has, in the order `buildEnvironment` returns them, read from its templates. */
  layers(): (keyof EnvironmentStacks)[];
  /** The stack as the cloud assembly has it, read with the templates: its name and its manifest's dependencies. */
  artifact(stack: keyof EnvironmentStacks): StackArtifact;
  /** Every template by stack name, with each stack's dependencies among them: what `npm run diff` reads of a cloud assembly. */
  stackTemplates(): StackTemplates;
}

/** A stack's artifact in the cloud assembly: the stack's name and the IDs of the artifacts it depends on (its deploy order). */
export interface StackArtifact {
  readonly stackName: string;
  readonly dependencies: readonly string[];
}

type StackName = keyof EnvironmentStacks;
/** What a synthesis leaves for the run's other files, by layer: each stack's template and artifact. */
interface Synthesized {
  readonly templates: Partial<Record<StackName, Record<string, unknown>>>;
  readonly artifacts: Partial<Record<StackName, StackArtifact>>;
}

const cache = new Map<string, SynthesizedEnvironment>();
/** Environment name → its configuration's cache key, so that `synth('prod')` does not load the configuration each time. */
const namedKeys = new Map<string, string>();

/**
 * The compliance gate of the suite's syntheses: neither the Control Tower controls nor the cdk-nag packs, only the
 * aspect that writes the packs' acknowledgements into template metadata. cfn-guard takes about 2 s per template it
 * has not seen, and each variant's changed templates are new to it, so it was most of the suite's time; the packs
 * were about a quarter of a synthesis's CPU in the suite. Leaving them out changes no template (lib/compliance.ts).
 * Both run, with everything else `cdk synth` runs, on every environment in test/environments.test.ts and on the
 * variants teams make in test/compliance.test.ts.
 */
export const SUITE_COMPLIANCE: ComplianceOptions = { controlTower: false, nagPacks: false };

/**
 * The whole gate, as `cdk synth` runs it, for the tests whose subject it is, with the suite's cfn-guard result cache
 * (test/support/synth-setup.ts sets the variable, as bin/app.ts reads it for the processes tests spawn).
 */
export const FULL_COMPLIANCE: ComplianceOptions = { guardResultCacheDir: process.env.GUARD_RESULT_CACHE_DIR || undefined };

/**
 * Builds an environment and returns its templates. Results are cached in the jest worker (by configuration content,
 * the environment's when given its name; this module is shared by the worker's test files, test/support/shared-modules), since
 * synthesizing is the slow part of the suite and assertions do not mutate templates; and across the test files of
 * a run, as template files in the run's directory (global-setup.ts), so that the first file to synthesize an
 * environment pays for it. A test that adds constructs builds its own
 * app with `newApp()` and `buildEnvironment`. The compliance gate is `SUITE_COMPLIANCE`.
 */
export function synth(env: string | AppConfig): SynthesizedEnvironment {
  // Keyed by the configuration's content, whether named or built: tests often build the same variant more than once,
  // and a variant that changes nothing (an environment's own deployment strategy, set again) is the environment.
  const named = typeof env === 'string' ? namedKeys.get(env) : undefined;
  if (named && cache.has(named)) return cache.get(named)!;
  const config = typeof env === 'string' ? loadEnvironment(env) : env;
  const key = canonicalJson(config);
  if (typeof env === 'string') namedKeys.set(env, key);
  if (cache.has(key)) return cache.get(key)!;
  let built: { app: App; stacks: EnvironmentStacks } | undefined;
  const build = () => {
    if (!built) {
      // Loaded here, not at the top: a file whose templates all come from the run's directory never loads the app.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { buildEnvironment } = require('../../lib/app') as typeof import('../../lib/app');
      const app = newApp({ outdir: runPath(key, 'app') });
      built = { app, stacks: buildEnvironment(app, config, SUITE_COMPLIANCE) };
    }
    return built;
  };
  const shared = runPath(key, 'templates');
  let synthesized: Synthesized | undefined;
  const all = () => (synthesized ??= readShared(shared) ?? synthesizeAndShare(build().stacks, shared));
  const templates = new Map<string, Template>();
  const result: SynthesizedEnvironment = {
    config,
    get app() {
      return build().app;
    },
    get stacks() {
      return build().stacks;
    },
    template(name) {
      if (!templates.has(name)) {
        const json = all().templates[name];
        if (!json) throw new Error(`This environment has no ${name} stack`);
        templates.set(name, Template.fromJSON(json));
      }
      return templates.get(name)!;
    },
    hasStack(name) {
      return all().templates[name] !== undefined;
    },
    layers() {
      return Object.keys(all().templates) as StackName[];
    },
    artifact(name) {
      const artifact = all().artifacts[name];
      if (!artifact) throw new Error(`This environment has no ${name} stack`);
      return artifact;
    },
    stackTemplates() {
      const layers = result.layers();
      const byName: StackTemplates = new Map(layers.map((layer) => [result.artifact(layer).stackName, result.template(layer).toJSON()]));
      byName.dependencies = new Map(
        layers.map((layer) => [result.artifact(layer).stackName, result.artifact(layer).dependencies.filter((id) => byName.has(id))]),
      );
      return byName;
    },
  };
  cache.set(key, result);
  return result;
}

/**
 * A path in the run's directory (global-setup.ts) for one configuration, or undefined outside a jest run with it.
 * Two live there: the configuration's templates (`<digest>.json`), shared by every test file and worker, and the
 * cloud assembly of the worker's cached app (`apps/<digest>-<pid>`). The directory lives as long as the run; an app
 * without an output directory gets a temporary one that jest-autoclean removes when the file that made it ends, and
 * the apps serve every later test file of the worker (this module is shared by them, test/support/shared-modules):
 * a later file's `Template.fromStack` then synthesized into a missing directory.
 */
function runPath(key: string, kind: 'templates' | 'app'): string | undefined {
  const dir = process.env[TEMPLATE_CACHE_VARIABLE];
  if (!dir) return undefined;
  const digest = crypto.createHash('sha256').update(key).digest('hex');
  return kind === 'templates' ? path.join(dir, `${digest}.json`) : path.join(dir, 'apps', `${digest.slice(0, 16)}-${process.pid}`);
}

function readShared(file: string | undefined): Synthesized | undefined {
  return file && fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Synthesized) : undefined;
}

/**
 * Synthesizes every stack of the environment (once: the app caches its assembly), with the suite's compliance
 * gate (`SUITE_COMPLIANCE`), as `Template.fromStack` would, and writes the templates, with each stack's name and
 * deploy order from the assembly's manifest, for the run's other test files. Written to a temporary name and renamed, so that a file being read is always whole; two workers that synthesize the same environment
 * at once write the same content.
 */
function synthesizeAndShare(stacks: EnvironmentStacks, file: string | undefined): Synthesized {
  const entries = Object.entries(stacks) as [StackName, Stack][];
  const assembly = Stage.of(entries[0][1])!.synth();
  const artifacts = entries.map(([name, stack]) => [name, assembly.getStackArtifact(stack.artifactId)] as const);
  const synthesized: Synthesized = {
    templates: Object.fromEntries(artifacts.map(([name, a]) => [name, a.template as Record<string, unknown>])),
    artifacts: Object.fromEntries(
      artifacts.map(([name, a]) => [name, { stackName: a.stackName, dependencies: a.dependencies.map((d) => d.id) }]),
    ),
  };
  if (file) {
    const partial = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(partial, JSON.stringify(synthesized));
    fs.renameSync(partial, file);
  }
  return synthesized;
}

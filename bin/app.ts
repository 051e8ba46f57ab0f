#!/usr/bin/env node
/**
 * Entry point: the only place that reads CDK context and the process environment. `-c env=NAME` selects the environment (default dev);
 * its configuration is validated before any construct exists, and bad configuration writes no template.
 */
import { App } from 'aws-cdk-lib';
import { ConfigError, loadEnvironment } from '../config/load';
import { buildEnvironment } from '../lib/app';
import type { ComplianceOptions } from '../lib/compliance';

/**
 * Synthesizes the environment the context names into the output directory the CDK CLI gives (`CDK_CONTEXT_JSON`,
 * `CDK_OUTDIR`, read by `App`) and returns 0; on bad configuration, writes every problem to stderr, no template,
 * and returns 1. Any other error, an unacknowledged compliance finding among them, is thrown, as `cdk synth`
 * reports it. Exported for the tests that run it in their own process (test/cli.test.ts).
 */
export function main(): number {
  const app = new App({ autoSynth: false });
  const envName = String(app.node.tryGetContext('env') ?? 'dev');
  // For teams that keep environment files elsewhere (and for tests of bad configuration).
  const environmentsDir = app.node.tryGetContext('environmentsDir') as string | undefined;

  try {
    buildEnvironment(
      app,
      loadEnvironment(envName, environmentsDir),
      complianceOptions((key) => app.node.tryGetContext(key)),
    );
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(
      `Configuration of environment "${envName}" is invalid (${e.problems.length} problem${e.problems.length === 1 ? '' : 's'}):\n${e.message}\n`,
    );
    return 1;
  }
  app.synth();
  return 0;
}

/**
 * The compliance gate the context asks for (`context` reads a key, as `app.node.tryGetContext` does). Exported for the
 * tests (test/cli.test.ts), and for `npm run diff`'s, which check the context it passes.
 */
export function complianceOptions(context: (key: string) => unknown, env: NodeJS.ProcessEnv = process.env): ComplianceOptions {
  // An organization's own CloudFormation Guard rules (files or directories), run beside the Control Tower controls:
  // `"guardRules": ["../org-policies/guard"]` in cdk.json's context, or `-c guardRules=DIR` (comma-separated).
  const guardRulesContext = context('guardRules') as string | string[] | undefined;
  const guardRules = typeof guardRulesContext === 'string' ? guardRulesContext.split(',').filter((r) => r !== '') : guardRulesContext;
  return {
    guardRules,
    // `-c controlTower=false` leaves the Control Tower controls and those rules out, `-c nagPacks=false` the cdk-nag
    // packs: they judge templates and change none. `npm run diff` sets both (scripts/diff/synth.ts says why);
    // `cdk synth` runs them.
    controlTower: !isFalse(context('controlTower')),
    nagPacks: !isFalse(context('nagPacks')),
    // cfn-guard's findings kept by content (lib/guard-validator.ts): the test suite sets it for the syntheses it spawns.
    guardResultCacheDir: env.GUARD_RESULT_CACHE_DIR || undefined,
  };
}

/** A context value that turns something off: `false` from cdk.json, `"false"` from `-c KEY=false`. */
function isFalse(value: unknown): boolean {
  return value === false || value === 'false';
}

// `process.exitCode`, not `process.exit()`: the process ends when its output is written, with this code.
if (require.main === module) process.exitCode = main();

#!/usr/bin/env node
/**
 * Entry point: the only place that reads CDK context and the process environment. `-c env=NAME` selects the environment (default dev);
 * its configuration is validated before any construct exists, and bad configuration writes no template.
 */
import { App } from 'aws-cdk-lib';
import { ConfigError, loadEnvironment } from '../config/load';
import { buildEnvironment } from '../lib/app';

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
  // An organization's own CloudFormation Guard rules (files or directories), run beside the Control Tower controls:
  // `"guardRules": ["../org-policies/guard"]` in cdk.json's context, or `-c guardRules=DIR` (comma-separated).
  const guardRulesContext = app.node.tryGetContext('guardRules') as string | string[] | undefined;
  const guardRules = typeof guardRulesContext === 'string' ? guardRulesContext.split(',').filter((r) => r !== '') : guardRulesContext;

  // `-c controlTower=false` leaves the Control Tower controls and those rules out: they change no template.
  // `npm run diff` sets it (scripts/diff/synth.ts says why); `cdk synth` runs them.
  const controlTowerContext: unknown = app.node.tryGetContext('controlTower');
  const controlTower = controlTowerContext !== false && controlTowerContext !== 'false';

  // cfn-guard's findings kept by content (lib/guard-validator.ts): the test suite sets it for the syntheses it spawns.
  const guardResultCacheDir = process.env.GUARD_RESULT_CACHE_DIR || undefined;

  try {
    buildEnvironment(app, loadEnvironment(envName, environmentsDir), { guardRules, guardResultCacheDir, controlTower });
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

// `process.exitCode`, not `process.exit()`: the process ends when its output is written, with this code.
if (require.main === module) process.exitCode = main();

/**
 * Jest setup (`setupFiles`: every test file, before it runs): two costs of each synthesis that the suite, with
 * its many syntheses of the same sources, need not pay again and again. Neither changes a template; each is
 * named in docs/testing.md.
 *
 * - The Control Tower plugin keeps cfn-guard's findings in a content-addressed cache (`resultCacheDir` in
 *   lib/guard-validator.ts), so cfn-guard runs once per distinct template and rule set, not once per synth. The
 *   key covers every input of cfn-guard's answer, so a hit is what cfn-guard would have said; the compliance
 *   tests' non-compliant templates are checked like any other. The processes tests spawn inherit the variable.
 *   Set GUARD_RESULT_CACHE_DIR yourself to put the cache elsewhere, or to the empty string to run without it.
 *   The same variable gives aws-cdk-lib's own template validator a cache of its findings, in a subdirectory
 *   (lib/cloudformation-validate-cache.ts), with the same guarantee.
 * - NodejsFunction runs the project's esbuild through `npx --no-install esbuild`: npx resolves it to
 *   node_modules/.bin/esbuild at the cost of starting npm (about 0.7 s of CPU, twice per synth). Here the same
 *   binary is run directly, so the bundle, and the asset hash taken from it, are the same. Only in this jest
 *   process; the CLI and the processes tests spawn still go through npx.
 *
 * TEST_SYNTH_SHORTCUTS=off turns both off, and the shared templates of global-setup.ts: the suite as it ran
 * before them (`scripts/bench-suite.sh --baseline`).
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

const shortcuts = process.env.TEST_SYNTH_SHORTCUTS !== 'off';

if (shortcuts) process.env.GUARD_RESULT_CACHE_DIR ??= path.join(ROOT, 'node_modules', '.cache', 'scaled-app-stack', 'guard-results');

const ESBUILD = path.join(ROOT, 'node_modules', '.bin', 'esbuild');
// aws-cdk-lib's exports map hides the module; it is loaded by file name, the same module bundling.js requires.
const packageManagerModule = path.join(
  path.dirname(require.resolve('aws-cdk-lib/package.json')),
  'aws-lambda-nodejs',
  'lib',
  'package-manager.js',
);
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { PackageManager } = require(packageManagerModule) as {
  PackageManager: { prototype: { runBinCommand(bin: string): string[] } };
};
/** aws-cdk-lib's own: `npx --no-install BIN` (test/synth-setup.test.ts compares the two). */
export const runBinCommand = PackageManager.prototype.runBinCommand;
if (typeof runBinCommand !== 'function')
  throw new Error(`${packageManagerModule} has no PackageManager.runBinCommand: aws-cdk-lib changed`);
if (shortcuts) {
  PackageManager.prototype.runBinCommand = function (this: unknown, bin: string): string[] {
    return bin === 'esbuild' && fs.existsSync(ESBUILD) ? [ESBUILD] : runBinCommand.call(this, bin);
  };
}

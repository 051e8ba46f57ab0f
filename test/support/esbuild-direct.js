/**
 * NodejsFunction runs the project's esbuild through `npx --no-install esbuild`: npx resolves it to
 * node_modules/.bin/esbuild at the cost of starting npm (about 0.7 s of CPU, once per Lambda function per synthesis).
 * Loaded, the same binary is run directly, so the bundle, and the asset hash taken from it, are the same
 * (test/synth-setup.test.ts compares them).
 *
 * The suite's setup (synth-setup.ts) loads it in each jest worker and puts it in NODE_OPTIONS (`--require`) for the
 * node processes the tests spawn: the app in test/cli.test.ts, the syntheses of `npm run diff` in test/diff.test.ts.
 * Plain JavaScript, because a `--require` runs before the `--import tsx` of the command it is given to.
 */
const fs = require('fs');
const path = require('path');

const ESBUILD = path.join(__dirname, '..', '..', 'node_modules', '.bin', 'esbuild');
// aws-cdk-lib's exports map hides the module; it is loaded by file name, the same module bundling.js requires.
const NODEJS_LIB = path.join(path.dirname(require.resolve('aws-cdk-lib/package.json')), 'aws-lambda-nodejs', 'lib');
const packageManagerModule = path.join(NODEJS_LIB, 'package-manager.js');
const { PackageManager } = require(packageManagerModule);
/** aws-cdk-lib's own: `npx --no-install BIN` (test/synth-setup.test.ts compares the two). */
const runBinCommand = PackageManager.prototype.runBinCommand;
if (typeof runBinCommand !== 'function')
  throw new Error(`${packageManagerModule} has no PackageManager.runBinCommand: aws-cdk-lib changed`);

// Not with the suite's shortcuts off (TEST_SYNTH_SHORTCUTS=off, read as test/support/shortcuts.ts reads it): loading
// this file then only hands out aws-cdk-lib's own.
if (process.env.TEST_SYNTH_SHORTCUTS !== 'off') {
  PackageManager.prototype.runBinCommand = function (bin) {
    return bin === 'esbuild' && fs.existsSync(ESBUILD) ? [ESBUILD] : runBinCommand.call(this, bin);
  };
}

module.exports = { NODEJS_LIB, PackageManager, runBinCommand };

/**
 * jest's runtime (`runtime` in jest.config.js), with one module registry per worker process instead of one per test
 * file: a test file finds aws-cdk-lib, cdk-nag, cdk-monitoring-constructs and this project's modules already loaded
 * and warm if an earlier file in its worker loaded them. Vitest calls this `isolate: false`; jest 29 has no option
 * for it, so this subclass of jest's own runtime (jest-runtime, in jest's version range in package.json) does it,
 * with environment.js, which keeps one global context per worker for the shared modules to live in. It sets and
 * clears jest-runtime's private registries by name: test/shared-modules.test.ts fails if a jest release renames them.
 *
 * Why: jest loads every module again for each test file, in a new context. For a file that builds an environment,
 * that was about 2 s of CPU before its first assertion (loading and first use of the CDK libraries), paid by each of
 * the 40 files that synthesize anything. docs/testing.md has the figures.
 *
 * What a test file may rely on, since modules and globals outlive it in its worker:
 * - its setupFilesAfterEnv run for it (they register hooks, so they are loaded again for each file); the setupFiles
 *   run once per worker (test/support/synth-setup.ts patches aws-cdk-lib's classes once);
 * - spies and mocks are restored after it (here), and timers it faked are made real (environment.js);
 * - module-level state in shared modules persists: `synth()`'s cache (test/support/synth.ts) serves a later file
 *   in the worker, which is its purpose. A file that changes process.env or other global state restores it, as
 *   the suite's files do (test/support/commands.ts, test/environments.test.ts, test/synth-setup.test.ts).
 *
 * TEST_SYNTH_SHORTCUTS=off (jest.config.js) runs jest's own runtime and environment instead: a file's failure that
 * appears only with the shared registry is a leak between files, and that is how to tell.
 */
const Runtime = require('jest-runtime').default;

/** The first runtime of this worker: its registries are the worker's. */
let first;

class SharedModulesRuntime extends Runtime {
  constructor(config, ...rest) {
    super(config, ...rest);
    this.loadedPerFile = new Set(config.setupFilesAfterEnv);
    if (first === undefined) {
      first = this;
      return;
    }
    // The modules, their transformed code and source maps (for stack traces), and the named exports of CommonJS
    // modules: what jest-runtime keeps per module path.
    this._moduleRegistry = first._moduleRegistry;
    this._cjsNamedExports = first._cjsNamedExports;
    this._fileTransforms = first._fileTransforms;
    this._sourceMapRegistry = first._sourceMapRegistry;
  }

  requireModule(from, moduleName, options, isRequireActual) {
    // jest-runner loads a setup file as requireModule(path): a setupFilesAfterEnv file runs again for each test file.
    if (moduleName === undefined && this.loadedPerFile.has(from)) this._moduleRegistry.delete(from);
    return super.requireModule(from, moduleName, options, isRequireActual);
  }

  /**
   * Unlike jest's, it leaves the modules loaded and this runtime usable: a shared module's `require` is bound to the
   * runtime that loaded it, and aws-cdk-lib requires most of its modules lazily, on first use, in a later file.
   */
  teardown() {
    this.restoreAllMocks();
    // What jest's teardown frees that is this file's alone: its copy of jest's own modules (jest-circus, expect, ...),
    // its file cache and its mocks' bookkeeping. The shared registries stay.
    this._internalModuleRegistry.clear();
    this._cacheFS.clear();
    this._cacheFSBuffer.clear();
    this._mockRegistry.clear();
    this._moduleMockRegistry.clear();
    this._mockFactories.clear();
    this._moduleMockFactories.clear();
    this._mockMetaDataCache.clear();
  }
}

module.exports = SharedModulesRuntime;

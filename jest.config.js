// TEST_SYNTH_SHORTCUTS=off: the suite as it ran before its shortcuts (test/support/shortcuts.ts reads the same switch
// for the TypeScript side), for the benchmark's baseline and to tell a leak between test files from a real failure.
const shortcuts = process.env.TEST_SYNTH_SHORTCUTS !== 'off';

/** @type {import('jest').Config} */
module.exports = {
  // One module registry and global context per worker, not per test file: a file finds the CDK libraries and this
  // project's modules loaded and warm (test/support/shared-modules/runtime.js, docs/testing.md).
  ...(shortcuts
    ? {
        runtime: '<rootDir>/test/support/shared-modules/runtime.js',
        testEnvironment: '<rootDir>/test/support/shared-modules/environment.js',
      }
    : { testEnvironment: 'node' }),
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // esbuild transpiles, as tsx does for the app and the commands; type checking is `tsc --noEmit`'s job in `npm test`.
  transform: { '^.+\\.ts$': '<rootDir>/test/support/esbuild-transform.js' },
  // cfn-guard's result cache and esbuild without npx: costs of each synthesis paid once (test/support/synth-setup.ts).
  setupFiles: ['<rootDir>/test/support/synth-setup.ts'],
  // The templates of the run's syntheses, shared by every test file and worker (test/support/synth.ts).
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // jest's order, with recorded durations where jest has none (a fresh clone), and a file that mostly waits on child
  // processes never starting a worker (the file says why).
  testSequencer: '<rootDir>/test/support/sequencer.js',
  // cpu-report.ts: each file's CPU, its own and its child processes', for scripts/bench-suite.sh (off unless asked).
  setupFilesAfterEnv: ['aws-cdk-lib/testhelpers/jest-autoclean', '<rootDir>/test/support/cpu-report.ts'],
  snapshotSerializers: ['<rootDir>/test/support/snapshot-serializer.ts'],
  // Synthesizing whole environments takes seconds on a 2-core machine; the default 5 s is too tight.
  testTimeout: 60000,
  // One worker per core (jest's default leaves one core to itself, which on 2 cores halves the suite's speed);
  // `npm run jest` starts them with one GC thread each, see package.json.
  maxWorkers: '100%',
};

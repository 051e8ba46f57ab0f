/**
 * The suite's shortcuts switch, read in one place: TEST_SYNTH_SHORTCUTS=off runs the suite as it ran before its
 * shortcuts (`scripts/bench-suite.sh --baseline`, and to tell a leak between test files from a real failure). The
 * shortcuts are the result cache, esbuild without npx, the bundle memo and acknowledgements recorded without stack
 * traces (synth-setup.ts), the run's shared templates (global-setup.ts), the app context below, and the shared
 * modules (jest.config.js, which as plain JavaScript reads the variable itself, as esbuild-direct.js does). None
 * changes a template; docs/testing.md names each.
 */
export const SHORTCUTS = process.env.TEST_SYNTH_SHORTCUTS !== 'off';

/**
 * What the suite's apps leave out: the creation stack trace aws-cdk-lib records for every CloudFormation element
 * (`aws:cdk:disable-creation-stack-traces`). It goes into the cloud assembly's manifest, never into a template, and
 * capturing it, through the source maps jest installs, was about a tenth of a synthesis's CPU in the suite.
 * test/environments.test.ts synthesizes every environment without it (`newApp({ suiteContext: false })`) and checks
 * that the templates are the suite's, byte for byte.
 */
export const SUITE_APP_CONTEXT: Readonly<Record<string, unknown>> = SHORTCUTS ? { 'aws:cdk:disable-creation-stack-traces': true } : {};

/**
 * Whether the suite's apps write the construct tree's metadata (`tree.json` in the cloud assembly, `AppProps.treeMetadata`):
 * not with the shortcuts. It never goes into a template, and writing it resolves every resource's properties once
 * more: about a ninth of the synthesis phase in the suite run in one process (6.2 s of 55.9 s). The whole-gate
 * syntheses of test/environments.test.ts (`newApp({ suiteContext: false })`) write it, and check that the templates
 * are the suite's, byte for byte.
 */
export const SUITE_TREE_METADATA = !SHORTCUTS;

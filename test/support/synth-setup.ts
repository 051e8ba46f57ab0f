/**
 * Jest setup (`setupFiles`: once per jest worker, before its first test file, since the worker's files share their
 * modules, test/support/shared-modules; every test file with TEST_SYNTH_SHORTCUTS=off): costs of each synthesis
 * that the suite, with its many syntheses of the same sources, need not pay again and again. None changes a template; each is named in
 * docs/testing.md.
 *
 * - The Control Tower plugin keeps cfn-guard's findings in a content-addressed cache (`resultCacheDir` in
 *   lib/guard-validator.ts), so cfn-guard runs once per distinct template and rule set, not once per synth. The
 *   key covers every input of cfn-guard's answer, so a hit is what cfn-guard would have said; the compliance
 *   tests' non-compliant templates are checked like any other. The tests whose subject is the gate pass the
 *   directory (`FULL_COMPLIANCE` in synth.ts); the processes tests spawn inherit the variable, which bin/app.ts reads.
 *   Set GUARD_RESULT_CACHE_DIR yourself to put the cache elsewhere, or to the empty string to run without it.
 * - aws-cdk-lib's own template validator (`CloudFormationValidatePlugin`: resource schemas and CDK's Rego rules in
 *   WebAssembly, on by default in every synth since 2.27x) is off in this process (`CDK_VALIDATION=false`, what
 *   `cdk synth --no-validation` sets). It only reports, never changes a template, and loading it costs about 3 s of
 *   CPU in every test file that synthesizes anything. test/environments.test.ts runs it, explicitly, over every
 *   environment's templates: the templates the app deploys are still validated by it in every run. The processes
 *   tests spawn inherit the variable.
 * - NodejsFunction runs the project's esbuild through `npx --no-install esbuild`: npx resolves it to
 *   node_modules/.bin/esbuild at the cost of starting npm (about 0.7 s of CPU per function per synth). Here the same
 *   binary is run directly (esbuild-direct.js), so the bundle, and the asset hash taken from it, are the same; in
 *   this jest process and, through NODE_OPTIONS, in the node processes tests spawn (the app, the diff's syntheses).
 * - Each Lambda bundle is made once per run: the first synthesis to bundle an entry with given options keeps the
 *   output in the run's directory (global-setup.ts), later ones copy it (esbuild's process start and bundling
 *   were most of a repeated synthesis: about 2 of its 2.7 s wall-clock). The key is every bundling property of the
 *   function (entry, project root, runtime, esbuild options); the sources cannot change during a run. The asset
 *   hash is taken from the copied output, so it is the one esbuild's own output gives (test/synth-setup.test.ts).
 * - aws-cdk-lib records a stack trace with every acknowledgement (`Validations.of(c).acknowledge`, the compliance
 *   packs' suppressions), whatever `aws:cdk:disable-creation-stack-traces` says. It goes into the construct's
 *   metadata and the cloud assembly's manifest, never into a template, and capturing it, up to 100 frames (jest's
 *   `Error.stackTraceLimit`) each mapped through jest's source maps, was about 6 % of the suite's CPU (the whole
 *   suite profiled in one process). Here it is captured with no frames: aws-cdk-lib's own code records the
 *   acknowledgement, its rule and its reason, with `Error.stackTraceLimit` at 0 for that call alone, so the trace
 *   reads "(no user code in 0 frames, …)" (test/synth-setup.test.ts).
 *
 * TEST_SYNTH_SHORTCUTS=off (shortcuts.ts) turns all of them off, with the suite's other shortcuts.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Validations } from 'aws-cdk-lib';
import { TEMPLATE_CACHE_VARIABLE } from './global-setup';
import { SHORTCUTS } from './shortcuts';

const ROOT = path.join(__dirname, '..', '..');

if (SHORTCUTS) {
  process.env.GUARD_RESULT_CACHE_DIR ??= path.join(ROOT, 'node_modules', '.cache', 'scaled-app-stack', 'guard-results');
  process.env.CDK_VALIDATION ??= 'false';
}

const esbuildDirect = path.join(__dirname, 'esbuild-direct.js');
/**
 * aws-cdk-lib's npm PackageManager, and its own `runBinCommand` (`npx --no-install BIN`), which esbuild-direct.js
 * replaces when the shortcuts are on (test/synth-setup.test.ts compares the two).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { NODEJS_LIB, PackageManager, runBinCommand } = require(esbuildDirect) as {
  /** aws-lambda-nodejs's lib directory, which aws-cdk-lib's exports map hides: its modules are loaded by file name. */
  NODEJS_LIB: string;
  PackageManager: { prototype: { runBinCommand(bin: string): string[] } };
  runBinCommand(this: unknown, bin: string): string[];
};
if (SHORTCUTS) {
  // The node processes tests spawn (the app, the syntheses of `npm run diff`) load it first, through NODE_OPTIONS.
  const preload = `--require "${esbuildDirect}"`;
  const options = process.env.NODE_OPTIONS ?? '';
  if (!options.includes(preload)) process.env.NODE_OPTIONS = `${options} ${preload}`.trim();
}

interface LocalBundling {
  tryBundle(outputDir: string, options: unknown): boolean;
}
interface BundlingPrototype {
  getLocalBundlingProvider(this: { props: unknown; projectRoot: string; relativeEntryPath: string }, scope: unknown): LocalBundling;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { Bundling } = require(path.join(NODEJS_LIB, 'bundling.js')) as { Bundling: { prototype: BundlingPrototype } };
/** aws-cdk-lib's own (test/synth-setup.test.ts compares bundles made with and without the memo). */
export const localBundlingProvider = Bundling.prototype.getLocalBundlingProvider;
if (typeof localBundlingProvider !== 'function')
  throw new Error(`${NODEJS_LIB}/bundling.js has no Bundling.getLocalBundlingProvider: aws-cdk-lib changed`);

/** The run's directory of bundles, or undefined (outside a run with one, or with the shortcuts off). */
export function bundleMemoDir(): string | undefined {
  const dir = process.env[TEMPLATE_CACHE_VARIABLE];
  return SHORTCUTS && dir ? path.join(dir, 'bundles') : undefined;
}

if (SHORTCUTS) {
  Bundling.prototype.getLocalBundlingProvider = function (scope) {
    const provider = localBundlingProvider.call(this, scope);
    // Everything NodejsFunction bundles from. Functions (command hooks) have no JSON form: a function with hooks is
    // bundled every time.
    let hooks = false;
    const inputs = JSON.stringify({ props: this.props, projectRoot: this.projectRoot, entry: this.relativeEntryPath }, (_k, v: unknown) => {
      if (typeof v === 'function') hooks = true;
      return v;
    });
    const dir = bundleMemoDir();
    if (hooks || !dir) return provider;
    const key = crypto.createHash('sha256').update(inputs).digest('hex');
    const memo = path.join(dir, key);
    return {
      tryBundle(outputDir, options) {
        if (fs.existsSync(memo)) {
          fs.cpSync(memo, outputDir, { recursive: true });
          return true;
        }
        const bundled = provider.tryBundle(outputDir, options);
        if (bundled) {
          // Copied under a temporary name and renamed: a concurrent reader sees the bundle whole or not at all.
          const partial = `${memo}.${process.pid}.tmp`;
          fs.mkdirSync(dir, { recursive: true });
          fs.cpSync(outputDir, partial, { recursive: true });
          try {
            fs.renameSync(partial, memo);
          } catch {
            // Another worker stored the same bundle first.
            fs.rmSync(partial, { recursive: true, force: true });
          }
        }
        return bundled;
      },
    };
  };
}

interface AcknowledgementRecorder {
  recordAcknowledgment(this: Validations, id: string, reason: string): void;
}
const validations = Validations.prototype as unknown as AcknowledgementRecorder;
/** aws-cdk-lib's own, which records the acknowledgement with its stack trace (test/synth-setup.test.ts compares the two). */
export const recordAcknowledgment = validations.recordAcknowledgment;
if (typeof recordAcknowledgment !== 'function')
  throw new Error("aws-cdk-lib's Validations has no recordAcknowledgment: aws-cdk-lib changed (test/support/synth-setup.ts)");

if (SHORTCUTS) {
  validations.recordAcknowledgment = function (id, reason) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      recordAcknowledgment.call(this, id, reason);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
}

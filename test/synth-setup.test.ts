/**
 * The suite's setup (test/support/synth-setup.ts) runs esbuild without npx, and bundles each Lambda entry once per
 * run. This proves both bundle the same: one Lambda entry of the app, bundled with the options the app uses, gives
 * the same asset through npx as through the binary, and from the run's memo as from esbuild, byte for byte and
 * hash for hash.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, AssetStaging, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { TEMPLATE_CACHE_VARIABLE } from './support/global-setup';
import { SHORTCUTS } from './support/shortcuts';
import { newApp, synth } from './support/synth';
import {
  Bundling,
  bundleMemoDir,
  localBundlingProvider,
  PackageManager,
  recordAcknowledgment,
  runBinCommand as viaNpm,
} from './support/synth-setup';

/** Bundles the identity handler (it imports pg and a module of lib) as database-identities.ts does. */
function bundle(): { hash: string; code: string } {
  AssetStaging.clearAssetHashCache();
  const app = new App();
  const stack = new Stack(app, 'Bundle');
  new nodejs.NodejsFunction(stack, 'Function', {
    entry: path.join(__dirname, '..', 'lib', 'database', 'identity-handler.ts'),
    runtime: lambda.Runtime.NODEJS_24_X,
    bundling: { externalModules: ['@aws-sdk/*', 'pg-native'], minify: true, sourceMap: false },
  });
  const assembly = app.synth();
  const fn = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0] as {
    Properties: { Code: { S3Key: string } };
  };
  const hash = fn.Properties.Code.S3Key.replace(/\.zip$/, '');
  return { hash, code: fs.readFileSync(path.join(assembly.directory, `asset.${hash}`, 'index.js'), 'utf8') };
}

/** The cases about a shortcut itself: with TEST_SYNTH_SHORTCUTS=off it is not installed, so there is nothing to prove. */
const whenShortcutsOn = SHORTCUTS ? test : test.skip;

whenShortcutsOn('the setup runs the project esbuild binary itself', () => {
  expect(PackageManager.prototype.runBinCommand.call({ runCommand: ['npx', '--no-install'] }, 'esbuild')).toEqual([
    path.join(__dirname, '..', 'node_modules', '.bin', 'esbuild'),
  ]);
});

whenShortcutsOn('so do the node processes tests spawn (the app, the syntheses of npm run diff), through NODE_OPTIONS', () => {
  // A child as the tests start theirs: this process's environment. aws-cdk-lib's npm PackageManager, asked for esbuild.
  const child = execFileSync(
    process.execPath,
    [
      '-e',
      `const path = require('path');
       const lib = path.join(path.dirname(require.resolve('aws-cdk-lib/package.json')), 'aws-lambda-nodejs', 'lib', 'package-manager.js');
       console.log(JSON.stringify(require(lib).PackageManager.fromLockFile('package-lock.json').runBinCommand('esbuild')));`,
    ],
    { cwd: path.join(__dirname, '..'), env: process.env, encoding: 'utf8' },
  );
  expect(JSON.parse(child)).toEqual([path.join(__dirname, '..', 'node_modules', '.bin', 'esbuild')]);
});

/** Runs `fn` with aws-cdk-lib's own local bundling: esbuild every time. */
function withoutMemo<T>(fn: () => T): T {
  const memoized = Bundling.prototype.getLocalBundlingProvider;
  Bundling.prototype.getLocalBundlingProvider = localBundlingProvider;
  try {
    return fn();
  } finally {
    Bundling.prototype.getLocalBundlingProvider = memoized;
  }
}

test('a bundle made by the binary itself is the one npx makes', () => {
  const direct = withoutMemo(bundle);
  const patched = PackageManager.prototype.runBinCommand;
  const viaNpx = (() => {
    PackageManager.prototype.runBinCommand = viaNpm;
    try {
      return withoutMemo(bundle);
    } finally {
      PackageManager.prototype.runBinCommand = patched;
    }
  })();
  expect(viaNpm.call({ runCommand: ['npx', '--no-install'] }, 'esbuild')).toEqual(['npx', '--no-install', 'esbuild']);
  expect(direct.code.length).toBeGreaterThan(10_000);
  expect(direct).toEqual(viaNpx);
});

whenShortcutsOn("a bundle copied from the run's memo is the one esbuild makes, and the memo is what later syntheses bundle from", () => {
  // A memo of this test's own: the marker below must not reach the other test files' syntheses.
  const runDir = process.env[TEMPLATE_CACHE_VARIABLE];
  process.env[TEMPLATE_CACHE_VARIABLE] = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-memo-test-'));
  try {
    const fresh = withoutMemo(bundle);
    expect(fresh.code.length).toBeGreaterThan(10_000);
    // The first bundles and stores; from then on the memo serves it.
    expect(bundle()).toEqual(fresh);
    const entries = fs.readdirSync(bundleMemoDir()!);
    expect(entries).toHaveLength(1);
    expect(bundle()).toEqual(fresh);

    // A marker in the memo entry changes the asset's hash: later syntheses copy the memo, not esbuild's output.
    fs.writeFileSync(path.join(bundleMemoDir()!, entries[0], 'marker.txt'), 'from the memo');
    expect(bundle().hash).not.toEqual(fresh.hash);
  } finally {
    fs.rmSync(process.env[TEMPLATE_CACHE_VARIABLE]!, { recursive: true, force: true });
    if (runDir === undefined) delete process.env[TEMPLATE_CACHE_VARIABLE];
    else process.env[TEMPLATE_CACHE_VARIABLE] = runDir;
  }
});

whenShortcutsOn("a cached app writes its assembly into the run's directory, which no test file's end removes", () => {
  // synth() keeps apps for the worker's later files. An app's default output directory is a temporary one that
  // jest-autoclean removes when the file that made it ends; a later Template.fromStack on it then failed with ENOENT.
  const runDir = process.env[TEMPLATE_CACHE_VARIABLE]!;
  const { app } = synth('dev');
  expect(path.relative(runDir, app.outdir).startsWith('..')).toBe(false);
  CloudAssembly.cleanupTemporaryDirectories(); // what jest-autoclean runs after each file
  expect(fs.existsSync(app.outdir)).toBe(true);
});

whenShortcutsOn("an acknowledgement is aws-cdk-lib's own, rule and reason, with a stack trace of no frames", () => {
  /** The acknowledgement metadata of a construct acknowledged by `acknowledge`. */
  const recorded = (acknowledge: (construct: Stack) => void) => {
    const stack = new Stack(new App(), 'Acknowledged');
    const before = Error.stackTraceLimit;
    acknowledge(stack);
    expect(Error.stackTraceLimit).toBe(before);
    return stack.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
  };
  const rule = { id: 'AwsSolutions-IAM5', reason: 'a reason' };
  const suite = recorded((construct) => Validations.of(construct).acknowledge(rule));
  const own = recorded((construct) => recordAcknowledgment.call(Validations.of(construct), 'Annotation::AwsSolutions-IAM5', rule.reason));

  expect(suite.map((m) => m.data)).toEqual([{ 'Annotation::AwsSolutions-IAM5': 'a reason' }]);
  expect(own.map((m) => m.data)).toEqual(suite.map((m) => m.data));
  // aws-cdk-lib's own trace names this file; the suite's has no frames.
  expect(own[0].trace!.join('\n')).toContain('synth-setup.test.ts');
  expect(suite[0].trace).toEqual([expect.stringContaining('no user code in 0 frames')]);
});

whenShortcutsOn("the suite's apps write no construct tree metadata (tree.json), which no template holds; the whole gate's apps do", () => {
  const treeOf = (app: App) => {
    new Stack(app, 'Stack');
    return app.synth().tryGetArtifact('Tree') !== undefined;
  };
  expect(treeOf(newApp())).toBe(false);
  expect(treeOf(newApp({ suiteContext: false }))).toBe(true);
});

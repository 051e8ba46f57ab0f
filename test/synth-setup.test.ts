/**
 * The suite's setup (test/support/synth-setup.ts) runs esbuild without npx. This proves it bundles the same:
 * one Lambda entry of the app, bundled with the options the app uses, gives the same asset through npx as
 * through the binary, byte for byte and hash for hash.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, AssetStaging, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { PackageManager, runBinCommand as viaNpm } from './support/synth-setup';

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

test('the setup runs the project esbuild binary itself', () => {
  expect(PackageManager.prototype.runBinCommand.call({ runCommand: ['npx', '--no-install'] }, 'esbuild')).toEqual([
    path.join(__dirname, '..', 'node_modules', '.bin', 'esbuild'),
  ]);
});

test('a bundle made by the binary itself is the one npx makes', () => {
  const direct = bundle();
  const patched = PackageManager.prototype.runBinCommand;
  const viaNpx = (() => {
    PackageManager.prototype.runBinCommand = viaNpm;
    try {
      return bundle();
    } finally {
      PackageManager.prototype.runBinCommand = patched;
    }
  })();
  expect(viaNpm.call({ runCommand: ['npx', '--no-install'] }, 'esbuild')).toEqual(['npx', '--no-install', 'esbuild']);
  expect(direct.code.length).toBeGreaterThan(10_000);
  expect(direct).toEqual(viaNpx);
});

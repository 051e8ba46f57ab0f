// jest's transformer for TypeScript: esbuild's, as tsx runs the app for `cdk synth` and every `npm run` command
// (cdk.json, package.json), so the tests run the code as it is transpiled there. Type checking is `tsc --noEmit`'s
// job in `npm test`; a transpiler sees one file at a time (isolatedModules in tsconfig.json keeps the code fit for that).
//
// It replaced ts-jest, whose transpiling (TypeScript's transpileModule) took 9.0 s of CPU for the project's 261
// TypeScript files in one process against esbuild's 0.4 s; each jest worker transpiles nearly all of them on a fresh
// clone, where jest's transform cache is empty (docs/testing.md). The compiler options that change what esbuild emits
// (target, class fields, decorators) come from tsconfig.json, as tsx reads them.
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const TSCONFIG = path.join(__dirname, '..', '..', 'tsconfig.json');
const { compilerOptions } = JSON.parse(fs.readFileSync(TSCONFIG, 'utf8'));

const OPTIONS = {
  loader: 'ts',
  format: 'cjs',
  platform: 'node',
  target: compilerOptions.target.toLowerCase(),
  // A map beside the code: jest maps failures' stack traces through it to the TypeScript lines.
  sourcemap: true,
  tsconfigRaw: { compilerOptions },
};

/** What the output depends on besides the file: esbuild's version, the options and this transformer. */
const VERSION = crypto
  .createHash('sha256')
  .update(esbuild.version)
  .update(JSON.stringify(OPTIONS))
  .update(fs.readFileSync(__filename))
  .digest('hex');

module.exports = {
  process(source, filename) {
    const { code, map } = esbuild.transformSync(source, { ...OPTIONS, sourcefile: filename });
    return { code, map };
  },
  // What jest's own key covers (the file, jest's configuration, coverage instrumentation on or off), and VERSION:
  // without the instrumentation flag, a coverage run would reuse an earlier run's uninstrumented output.
  getCacheKey(source, filename, { configString, instrument }) {
    return crypto
      .createHash('sha256')
      .update([VERSION, configString, instrument ? 'instrument' : '', filename, source].join('\0'))
      .digest('hex');
  },
};

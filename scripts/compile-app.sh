#!/usr/bin/env bash
# Compiles the app with tsc into dist/ (git-ignored) for the benchmarks: inside the project, so that it resolves
# node_modules and finds cdk.json as the TypeScript sources do. The Lambda entries NodejsFunction bundles are
# TypeScript files found beside the compiled code (`path.join(__dirname, ...)`), so lib's .ts sources are copied
# there too; esbuild bundles them exactly as from lib/ (the asset hashes are the same as `cdk synth`'s).
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf dist
node node_modules/@typescript/native/bin/tsc --outDir dist
(cd lib && find . -name '*.ts' ! -name '*.d.ts' -exec cp --parents {} ../dist/lib/ \;)

/**
 * Node flags for the processes tests spawn (the app, the config printer, the diff and verify commands). One
 * garbage-collector thread: on a 2-core machine running two jest workers, parallel GC threads only compete
 * with the other worker, and measured here they cost about a quarter more CPU per synthesis.
 */
export const CHILD_NODE_FLAGS: readonly string[] = ['--single-threaded-gc'];

/**
 * How the TypeScript entry points run, as package.json's scripts and cdk.json's app run them: tsx (esbuild's
 * transpiling, no type check: `tsc --noEmit` in `npm test` does that), registered for `require` and `import()`
 * alike (`--import`; `-r tsx/cjs` alone leaves a dynamic `import()` of a TypeScript file to node, which fails).
 * test/cli.test.ts checks that they all use it, so the children tests spawn are the commands users run.
 */
export const TS_LOADER: readonly string[] = ['--import', 'tsx'];

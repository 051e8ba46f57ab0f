/**
 * Jest setup (every test file, before it runs): the Control Tower plugin keeps cfn-guard's findings in a
 * content-addressed cache (see `resultCacheDir` in lib/guard-validator.ts), so that the suite's many
 * syntheses of the same templates run cfn-guard once per distinct template and rule set, not once per synth.
 * A key covers every input of cfn-guard's answer, so a hit is what cfn-guard would have said; the compliance
 * tests' non-compliant templates are checked like any other. The processes tests spawn inherit the variable.
 * Set GUARD_RESULT_CACHE_DIR yourself to put the cache elsewhere, or to the empty string to run without it.
 */
import * as path from 'path';

export const GUARD_RESULT_CACHE_DIR = path.join(__dirname, '..', '..', 'node_modules', '.cache', 'scaled-app-stack', 'guard-results');

process.env.GUARD_RESULT_CACHE_DIR ??= GUARD_RESULT_CACHE_DIR;

/**
 * `cdk diff`'s comparison of two templates (@aws-cdk/cloudformation-diff's `fullDiff`), computed once per pair.
 *
 * The engine reads each stack's diff twice (the classified changes in engine.ts, the replacement impacts of the deploy
 * plan in plan.ts), and a review compares the same templates again under other allow-lists; `fullDiff` deep-copies and
 * normalizes both templates each time, which on a prod stack takes tens of milliseconds. A diff is kept for as long as
 * both templates are (a WeakMap keyed by the template objects), and templates that are equal are not diffed at all: most
 * stacks of a change are unchanged.
 */
import { isDeepStrictEqual } from 'util';
import { fullDiff, type TemplateDiff } from '@aws-cdk/cloudformation-diff';
import type { CfnTemplate } from './synth';

const diffs = new WeakMap<CfnTemplate, WeakMap<CfnTemplate, TemplateDiff>>();

/** The diff of `before` → `after` as `cdk diff` computes it. The result is shared: read it, never change it. */
export function templateDiff(before: CfnTemplate, after: CfnTemplate): TemplateDiff {
  let byAfter = diffs.get(before);
  if (!byAfter) diffs.set(before, (byAfter = new WeakMap()));
  let diff = byAfter.get(after);
  if (!diff) {
    // Equal templates have no difference; an empty pair gives the same empty diff without copying either.
    diff = isDeepStrictEqual(before, after) ? fullDiff({}, {}) : fullDiff(before, after);
    byAfter.set(after, diff);
  }
  return diff;
}

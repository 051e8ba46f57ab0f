/**
 * The offline diff: synthesize every environment at a git revision and in the working tree, compare each
 * stack's templates the way `cdk diff` does, and decide whether the change is safe to deploy. The CLI
 * (scripts/diff.ts) only parses arguments and prints; everything here is callable from tests.
 */
import * as os from 'os';
import { type FormatStream, formatDifferences, type TemplateDiff } from '@aws-cdk/cloudformation-diff';
import { costDeltas, type EnvironmentCostDelta } from '../cost/estimate';
import { type RolloutChange, rolloutChanges } from './rollouts';
import { type AllowEntry, findAllowance } from './allow-list';
import { classifyResources, classifySecurity, constructPaths, type ResourceChange, type SecurityChange } from './classify';
import { DiffError } from './errors';
import { type Hazard, planHazards } from './plan';
import { templateDiff } from './template-diff';
import { servesTraffic, type TrafficImpact, trafficImpact } from './traffic';
import {
  type CfnTemplate,
  commitCacheFile,
  environmentsOf,
  type Revision,
  type RevisionTemplates,
  resolveRevision,
  type StackTemplates,
  synthesizeAll,
  withRevision,
} from './synth';

export interface StackReport {
  readonly env: string;
  readonly stack: string;
  /**
   * `added`: new in the working tree (diffed against an empty template). `removed`: gone from the app; not
   * diffed, because `cdk deploy` never deletes a stack (that takes an explicit `cdk destroy`).
   */
  readonly status: 'added' | 'removed' | 'changed' | 'unchanged';
  readonly changes: readonly ResourceChange[];
  readonly security: readonly SecurityChange[];
  /** What each in-place update of a database, proxy, cache, load balancer or service does to running traffic. */
  readonly traffic: readonly TrafficImpact[];
  /** The diff as `cdk diff` prints it; with colour codes when the terminal supports them. */
  readonly text: string;
  /** Services whose deployment strategy, steps or bake time change, with the modelled deploy time. */
  readonly rollouts?: readonly RolloutChange[];
}

export interface EnvironmentReport {
  readonly name: string;
  /** `added` or `removed`: its file exists in config/environments/ on one side only. */
  readonly status: 'added' | 'removed' | 'compared';
  readonly stacks: readonly StackReport[];
}

/** A stateful resource that deploying the change would replace or remove. */
export interface Finding {
  readonly env: string;
  readonly stack: string;
  readonly change: ResourceChange;
  /** The allow-list entry that accepts it, if one does. */
  readonly allowedBy?: AllowEntry;
}

/** A cross-stack hazard of the deploy plan (scripts/diff/plan.ts). */
export interface PlanFinding {
  readonly hazard: Hazard;
  /** The allow-list entry (producer stack and logical ID) that accepts it, if one does. */
  readonly allowedBy?: AllowEntry;
}

export interface DiffReport {
  readonly environments: readonly EnvironmentReport[];
  /** Destructive changes to stateful resources, allowed or not. */
  readonly findings: readonly Finding[];
  /** Cross-stack hazards of deploying the change with `cdk deploy --all`, allowed or not. */
  readonly hazards: readonly PlanFinding[];
  /** Allow-list entries that matched nothing: stale once the change they allowed has shipped. */
  readonly unusedAllowances: readonly AllowEntry[];
  /** The monthly cost before and after, per environment and per billed item (scripts/cost/, docs/cost.md). */
  readonly cost: readonly EnvironmentCostDelta[];
  /**
   * 0: safe (or every destructive change and hazard allowed); 1: a stateful resource would be replaced or removed, a
   * hazard, or an environment's expected monthly cost taken above its `cost.monthlyBudget`.
   */
  readonly exitCode: 0 | 1;
}

/** Compares the templates of two revisions, environment by environment and stack by stack. */
export function compareRevisions(base: RevisionTemplates, head: RevisionTemplates, allow: readonly AllowEntry[] = []): DiffReport {
  const names = [...new Set([...base.keys(), ...head.keys()])].sort();
  const environments = names.map((name): EnvironmentReport => {
    const before = base.get(name);
    const after = head.get(name);
    const status = !before ? 'added' : !after ? 'removed' : 'compared';
    return { name, status, stacks: compareStacks(name, before ?? new Map(), after ?? new Map()) };
  });
  const findings: Finding[] = [];
  for (const env of environments) {
    for (const stack of env.stacks) {
      for (const change of stack.changes.filter((c) => c.destructive)) {
        findings.push({
          env: env.name,
          stack: stack.stack,
          change,
          allowedBy: findAllowance(allow, env.name, stack.stack, change.logicalId),
        });
      }
    }
  }
  const hazards: PlanFinding[] = [];
  for (const name of names) {
    const before = base.get(name);
    const after = head.get(name);
    if (!before || !after) continue; // A new environment deploys from nothing; a removed one is not deployed.
    for (const hazard of planHazards({ env: name, before, after, dependencies: after.dependencies })) {
      hazards.push({ hazard, allowedBy: findAllowance(allow, name, hazard.stack, hazard.logicalId) });
    }
  }
  const used = new Set([...findings, ...hazards].map((f) => f.allowedBy).filter((e) => e !== undefined));
  const cost = costDeltas(base, head);
  const blocked =
    findings.some((f) => !f.allowedBy) || hazards.some((h) => !h.allowedBy) || cost.some((c) => c.overBudget || c.unpriced.length > 0);
  return {
    environments,
    findings,
    hazards,
    unusedAllowances: allow.filter((e) => !used.has(e)),
    cost,
    exitCode: blocked ? 1 : 0,
  };
}

/** Compares the stacks of one environment; stacks present on one side only are reported as added or removed. */
export function compareStacks(env: string, before: StackTemplates, after: StackTemplates): StackReport[] {
  const stacks = [...new Set([...before.keys(), ...after.keys()])].sort();
  return stacks.map((stack): StackReport => {
    const old = before.get(stack);
    const current = after.get(stack);
    if (!current) return { env, stack, status: 'removed', changes: [], security: [], traffic: [], text: '' };
    const report = compareTemplates(old ?? {}, current);
    return { env, stack, ...report, status: !old ? 'added' : report.changes.length > 0 || report.text ? 'changed' : 'unchanged' };
  });
}

/** What `compareTemplates` found for one pair of templates. Shared by every report of that pair: read it, never change it. */
export interface TemplateComparison {
  readonly changes: readonly ResourceChange[];
  readonly security: readonly SecurityChange[];
  readonly traffic: readonly TrafficImpact[];
  readonly text: string;
  readonly rollouts: readonly RolloutChange[];
}

/**
 * Each pair's comparison, kept as long as its diff (template-diff.ts keeps that as long as both templates). A review
 * compares the same templates again under other allow-lists and budgets, and rendering `cdk diff`'s text took about
 * as long as the diff itself: a pair is classified and rendered once.
 */
const comparisons = new WeakMap<TemplateDiff, TemplateComparison>();

/** The diff of one stack: classified resource changes, security changes and the CDK-style text. */
export function compareTemplates(before: CfnTemplate, after: CfnTemplate): TemplateComparison {
  const diff = templateDiff(before, after);
  let comparison = comparisons.get(diff);
  if (!comparison) {
    comparison = diff.isEmpty ? NO_CHANGE : compare(before, after, diff);
    comparisons.set(diff, comparison);
  }
  return comparison;
}

const NO_CHANGE: TemplateComparison = Object.freeze({
  changes: Object.freeze([]),
  security: Object.freeze([]),
  traffic: Object.freeze([]),
  text: '',
  rollouts: Object.freeze([]),
});

function compare(before: CfnTemplate, after: CfnTemplate, diff: TemplateDiff): TemplateComparison {
  let text = '';
  // The formatter writes line by line to a stream; collecting the lines keeps the output testable and lets
  // the markdown summary embed it.
  const stream = { columns: 120, write: (chunk: string) => ((text += chunk), true) } as unknown as FormatStream;
  formatDifferences(stream, diff, constructPaths(before, after));
  const changes = classifyResources(diff);
  const traffic = changes
    .filter((c) => c.kind === 'updated in place' && servesTraffic(c.type))
    .map((c) => trafficImpact(c.logicalId, c.type, c.updatedProperties));
  // Frozen, since reports share them: a caller that sorted one in place would reorder every other report's.
  return Object.freeze({
    changes: Object.freeze(changes),
    security: Object.freeze(classifySecurity(diff)),
    traffic: Object.freeze(traffic),
    text,
    rollouts: Object.freeze(rolloutChanges(before, after)),
  });
}

export interface DiffOptions {
  /** The directory holding cdk.json, inside a git repository. */
  readonly projectRoot: string;
  /** The git revision to compare the working tree with. */
  readonly base: string;
  /** Environments to compare; default: every environment that exists at either revision. */
  readonly envs?: readonly string[];
  /** Concurrent syntheses; default: the number of CPUs. */
  readonly jobs?: number;
}

export interface SynthesizedRevisions {
  readonly revision: Revision;
  readonly base: RevisionTemplates;
  readonly head: RevisionTemplates;
}

/** Synthesizes the selected environments at `base` (in a temporary worktree) and in the working tree. */
export async function synthesizeRevisions(options: DiffOptions): Promise<SynthesizedRevisions> {
  const revision = resolveRevision(options.projectRoot, options.base);
  const headEnvs = environmentsOf(options.projectRoot);
  return withRevision(options.projectRoot, revision, async (baseDir) => {
    const baseEnvs = environmentsOf(baseDir);
    const known = [...new Set([...baseEnvs, ...headEnvs])].sort();
    const selected = options.envs && options.envs.length > 0 ? [...new Set(options.envs)] : known;
    const unknown = selected.filter((env) => !known.includes(env));
    if (unknown.length > 0) {
      throw new DiffError(
        `--env: expected one of ${known.join(', ')} (a file config/environments/NAME.ts at either revision), got ${unknown.map((e) => `"${e}"`).join(', ')}`,
      );
    }
    const label = `${revision.ref} (${revision.commit.slice(0, 12)})`;
    const tasks = [
      ...selected
        .filter((env) => baseEnvs.includes(env))
        .map((env) => ({
          projectDir: baseDir,
          env,
          label,
          side: 'base' as const,
          cacheFile: commitCacheFile(options.projectRoot, revision.commit, env),
        })),
      ...selected
        .filter((env) => headEnvs.includes(env))
        .map((env) => ({ projectDir: options.projectRoot, env, label: 'the working tree', side: 'head' as const })),
    ];
    const templates = await synthesizeAll(tasks, options.jobs ?? os.availableParallelism());
    const side = (which: 'base' | 'head'): RevisionTemplates =>
      new Map(tasks.flatMap((task, i) => (task.side === which ? [[task.env, templates[i]] as const] : [])));
    return { revision, base: side('base'), head: side('head') };
  });
}

/**
 * `npm run diff` end to end, on a temporary git repository holding a copy of this project (test/support/temp-repo.ts):
 * the base is its one commit, the working tree is edited per case. Synthesis is the slow part (seconds of CPU per
 * environment, in child processes), so:
 * - only the `dev` environment is compared;
 * - the base's commit is the same in every run while the sources are (temp-repo.ts), so the command's own commit
 *   cache synthesizes it once, not once per run;
 * - the command runs once in full, in a child process as npm runs it, on one working tree that both renames the
 *   database (blocked) and changes a node type over a budget (the cost section); its argument errors run its `main`
 *   in this process (test/support/commands.ts);
 * - the engine's cases read what that run compared (`--out`), and synthesize the working tree once more, unchanged.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { complianceOptions } from '../bin/app';
import { loadEnvironment } from '../config/load';
import { COST_MODEL_METADATA, type CostModelMetadata } from '../lib/template-metadata';
import { priceTable } from '../scripts/cost/prices';
import { main } from '../scripts/diff';
import type { AllowEntry } from '../scripts/diff/allow-list';
import { compareRevisions, type DiffReport, synthesizeRevisions } from '../scripts/diff/engine';
import { renderText } from '../scripts/diff/report';
import { APP_CONTEXT, commitCacheFile, readRevision, resolveRevision, type RevisionTemplates, synthesize } from '../scripts/diff/synth';
import { type CommandResult, runInProcess } from './support/commands';
import { createTempRepo, type TempRepo } from './support/temp-repo';

const ENV = 'dev';
const ENV_FILE = `config/environments/${ENV}.ts`;

/**
 * The stateful construct whose ID the test renames: the database, the costliest thing to lose by a rename.
 */
const RENAME = {
  file: 'lib/stacks/data-stack.ts',
  from: "new AuroraDatabase(this, 'Database'",
  to: "new AuroraDatabase(this, 'PrimaryDatabase'",
  stack: `ScaledApp-${ENV}-Data`,
  // The resource the assertions single out; the rename replaces the database's other stateful resources too.
  type: 'AWS::RDS::DBCluster',
  path: 'Database/Cluster',
  logicalId: /^DatabaseCluster[0-9A-F]{8}$/,
  renamedIdPrefix: 'PrimaryDatabaseCluster',
};

/** A configuration change that updates a stateful resource in place (switch to the cache eviction policy once caches land). */
const IN_PLACE = {
  file: 'config/defaults.ts',
  from: "evictionPolicy: 'allkeys-lru'",
  to: "evictionPolicy: 'allkeys-lfu'",
  stack: `ScaledApp-${ENV}-Data`,
  type: 'AWS::ElastiCache::ParameterGroup',
};

/** The critical tier's node type, bumped: the change the issue names as one a reviewer must see the price of. */
const NODE_TYPE = {
  file: ENV_FILE,
  from: "critical: { nodeType: 'cache.t4g.small'",
  to: "critical: { nodeType: 'cache.t4g.medium'",
};

/** A budget of 1 USD: any increase is above it. */
const BUDGET = { file: ENV_FILE, from: '  cost: { usage: {', to: '  cost: { monthlyBudget: 1, usage: {' };

// Each synthesis runs the whole app in a child process, on a shared 2-core machine.
const SYNTH_TIMEOUT = 240_000;

let temp: TempRepo;
let repo: string;
const git = (...args: string[]) => temp.git(...args);
const edit = (change: { file: string; from: string; to: string }) => temp.edit(change);
/** The command's `main` in this process, on the temporary repository. */
const diffInProcess = (args: string[]) => runInProcess('diff', (argv) => main(argv, repo), args, process.env);

beforeAll(() => {
  temp = createTempRepo('diff-repo-');
  repo = temp.dir;
});

/** What the command's one full run printed, wrote and left behind, and the templates it compared (`--out`). */
interface CommandRun {
  readonly result: CommandResult;
  /** cfn-guard's result cache after the run: the diff's syntheses leave the Control Tower controls out. */
  readonly guardResults: string[];
  readonly summary: string;
  readonly worktrees: number;
  readonly base: RevisionTemplates;
  readonly head: RevisionTemplates;
}
let command: CommandRun;
beforeAll(() => {
  for (const change of [IN_PLACE, RENAME, NODE_TYPE, BUDGET]) edit(change);
  // cfn-guard's result cache, empty: the diff's syntheses leave the Control Tower controls out (they change no
  // template), so nothing may land in it. Were they run, every template they checked would.
  const guardResults = fs.mkdtempSync(path.join(os.tmpdir(), 'diff-guard-results-'));
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'diff-out-'));
  try {
    // The entry point as npm runs it, in a child process.
    const result = temp.run('diff.ts', ['--base', 'HEAD', '--env', ENV, '--markdown', 'summary.md', '--out', out], {
      ...process.env,
      GUARD_RESULT_CACHE_DIR: guardResults,
    });
    const summaryFile = path.join(repo, 'summary.md');
    command = {
      result,
      guardResults: fs.readdirSync(guardResults),
      summary: fs.existsSync(summaryFile) ? fs.readFileSync(summaryFile, 'utf8') : '',
      worktrees: git('worktree', 'list').trim().split('\n').length,
      // A run that failed wrote nothing: its test then reports the command's stderr rather than a missing file.
      base: fs.existsSync(path.join(out, 'base')) ? readRevision(path.join(out, 'base')) : new Map(),
      head: fs.existsSync(path.join(out, 'head')) ? readRevision(path.join(out, 'head')) : new Map(),
    };
    fs.rmSync(summaryFile, { force: true });
  } finally {
    fs.rmSync(guardResults, { recursive: true, force: true });
    fs.rmSync(out, { recursive: true, force: true });
    temp.reset();
  }
}, SYNTH_TIMEOUT);

afterEach(() => {
  temp.reset();
  fs.rmSync(path.join(repo, '.diff-allow.json'), { force: true });
});

afterAll(() => temp.remove());

/** A revision's templates with `monthlyBudget` set in their cost model (or left out), as a config change would set it. */
function withBudget(templates: RevisionTemplates, monthlyBudget: number | undefined): RevisionTemplates {
  const copy = structuredClone(templates.get(ENV)!);
  for (const template of copy.values()) {
    const metadata = template.Metadata as Record<string, CostModelMetadata> | undefined;
    if (metadata?.[COST_MODEL_METADATA]) metadata[COST_MODEL_METADATA] = { ...metadata[COST_MODEL_METADATA], monthlyBudget };
  }
  // The deploy order is a property of the map, which structuredClone does not copy.
  copy.dependencies = templates.get(ENV)!.dependencies;
  return new Map([[ENV, copy]]);
}

/** The monthly delta of the tier at the committed prices: new − old, each price × hours × nodes to the cent, as billed lines are. */
function nodeDelta(nodes: number): number {
  const table = priceTable(loadEnvironment(ENV).environment.region);
  const price = table.prices.elastiCacheValkeyNodeHour;
  const monthly = (type: string) => Math.round(price[type] * table.hoursPerMonth * nodes * 100) / 100;
  return Math.round((monthly('cache.t4g.medium') - monthly('cache.t4g.small')) * 100) / 100;
}
const nodes = () => loadEnvironment(ENV).cache.tiers.critical.replicas + 1;

test('the same sources make the same base commit in every temporary repository and run: the command caches its synthesis', () => {
  const other = createTempRepo('diff-repo-again-');
  try {
    expect(other.git('rev-parse', 'HEAD')).toBe(git('rev-parse', 'HEAD'));
  } finally {
    other.remove();
  }
  // Not the clock's: fixed author, committer and dates (2026-01-01T00:00:00Z).
  expect(git('show', '--no-patch', '--format=%an <%ae> %at, %cn <%ce> %ct').trim()).toBe(
    'test <test@example.com> 1767225600, test <test@example.com> 1767225600',
  );
});

describe('npm run diff', () => {
  test('fails with exit 2 when --base names no commit', async () => {
    const result = await diffInProcess(['--base', 'no-such-branch']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--base: expected a commit, branch or tag of this repository, got "no-such-branch"');
  });

  test('fails with exit 2 on an allow-list entry without a reason, naming the field, before synthesizing', async () => {
    const entry = { env: ENV, stack: RENAME.stack, logicalId: 'DatabaseCluster5B53A178' };
    fs.writeFileSync(path.join(repo, '.diff-allow.json'), JSON.stringify([entry]));
    const result = await diffInProcess(['--base', 'HEAD']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      '.diff-allow.json: 0.reason: expected a reason a reviewer can check (why losing this resource is safe), got nothing (the field is missing)',
    );
    // Nothing was checked out to synthesize.
    expect(git('worktree', 'list').trim().split('\n')).toHaveLength(1);
  });

  test('fails with exit 2 when --out already holds an earlier run, before synthesizing', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'diff-out-taken-'));
    try {
      fs.mkdirSync(path.join(out, 'head'));
      const result = await diffInProcess(['--base', 'HEAD', '--out', out]);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(
        `--out: expected a directory without base/ and head/ (the command writes both), got ${out} with head/`,
      );
      expect(git('worktree', 'list').trim().split('\n')).toHaveLength(1);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  test('a renamed stateful construct and a node type change over the budget: exit 1, the resource named, the monthly delta, the PR summary written, the worktree removed', () => {
    const { result, summary } = command;
    expect(result.stderr).toBe('');
    expect(result.status).toBe(1);
    // The gate left out: no template reached cfn-guard, and the app reads the command's context as both off.
    expect(command.guardResults).toEqual([]);
    expect(complianceOptions((key) => APP_CONTEXT[key as keyof typeof APP_CONTEXT])).toMatchObject({
      controlTower: false,
      nagPacks: false,
    });

    // The rename.
    const blocked = result.stdout.split('\n').filter((line) => line.includes('BLOCKED '));
    // The cluster, its instances, its secret and its log group: every stateful resource under the construct.
    expect(blocked.length).toBeGreaterThanOrEqual(3);
    const id = RENAME.logicalId.source.slice(1, -1);
    expect(blocked).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `BLOCKED ${ENV} ${RENAME.stack} ${id} \\(${RENAME.type}\\) removed: ${RENAME.path}; added in its place: ${RENAME.renamedIdPrefix}`,
        ),
      ),
    );
    // The verdict names both reasons: the rename, and (the engine's cases below show the verdict of a budget alone) the budget.
    expect(result.stdout).toMatch(
      new RegExp(
        `BLOCKED: ${blocked.length} stateful resources would be replaced or removed\\. .* Over budget: ${ENV} would cost \\$[\\d,.]+.* a month, above its cost\\.monthlyBudget of \\$1\\.00\\.`,
      ),
    );
    // The CDK-style diff, as `cdk diff` prints it.
    expect(result.stdout).toMatch(new RegExp(`\\[-\\] ${RENAME.type} ${RENAME.path} ${id} destroy`));

    // The cost section.
    const delta = nodeDelta(nodes()).toFixed(2);
    expect(result.stdout).toContain('Monthly cost (USD');
    expect(result.stdout).toMatch(
      new RegExp(
        `\\+\\$${delta}  ScaledApp-${ENV}-Data CacheCritical[0-9A-F]{8} \\(AWS::ElastiCache::ReplicationGroup\\) cache\\.t4g\\.medium Valkey node \\(was cache\\.t4g\\.small Valkey node\\): \\$`,
      ),
    );
    expect(result.stdout).toMatch(
      new RegExp(`  ${ENV}: \\$[\\d,.]+.* → \\$[\\d,.]+.*, \\+\\$[\\d,.]+.* a month; OVER BUDGET: .* > \\$1\\.00`),
    );

    expect(summary.startsWith('<!-- offline-cdk-diff -->')).toBe(true);
    expect(summary).toMatch(new RegExp(`\\| ❌ \\| ${ENV} \\| ${RENAME.stack} \\| \`${id}\` \\| ${RENAME.type} \\| removed \\|`));
    expect(summary).toMatch(new RegExp(`<details><summary>dev / ${RENAME.stack}: \\d+ added, .*\\d+ removed</summary>`));
    expect(summary).toContain('### Monthly cost');
    expect(summary).toMatch(
      new RegExp(
        `\\| ${ENV} \\| ScaledApp-${ENV}-Data \\| \`CacheCritical[0-9A-F]{8}\` \\| cache\\.t4g\\.medium Valkey node \\(was cache\\.t4g\\.small Valkey node\\) \\| .* \\| \\+\\$${delta} \\|`,
      ),
    );
    expect(command.worktrees).toBe(1);
  });

  test("--out keeps what it compared: each side's templates as cdk synth writes them, and the deploy order", () => {
    // The base is the commit's synthesis, as cached; the head has the rename.
    const cached = JSON.parse(fs.readFileSync(commitCacheFile(repo, resolveRevision(repo, 'HEAD').commit, ENV)!, 'utf8'));
    expect(Object.fromEntries(command.base.get(ENV)!)).toEqual(cached.templates);
    expect(Object.fromEntries(command.base.get(ENV)!.dependencies!)).toEqual(cached.dependencies);
    const data = command.head.get(ENV)!.get(RENAME.stack)!;
    expect(Object.keys(data.Resources as object)).toContainEqual(expect.stringMatching(new RegExp(`^${RENAME.renamedIdPrefix}`)));
    expect(command.head.get(ENV)!.dependencies!.get(`ScaledApp-${ENV}-Service`)).toContain(RENAME.stack);
  });
});

describe('the diff engine against one synthesis of the base', () => {
  test("a synthesis that fails is an error carrying the app's stderr (the command exits 2)", async () => {
    edit({ file: ENV_FILE, from: 'readReplicas: 1,', to: 'readReplicas: -1,' });
    await expect(synthesize(repo, ENV, 'the working tree')).rejects.toThrow(
      /Synthesis of environment "dev" at the working tree failed \(exit 1\):\n.*database\.readReplicas: expected an integer >= /s,
    );
  });

  let base: RevisionTemplates;
  const changesOf = (report: DiffReport) =>
    report.environments.flatMap((e) => e.stacks.flatMap((s) => s.changes.map((c) => ({ stack: s.stack, ...c }))));

  let unchanged: RevisionTemplates;
  beforeAll(async () => {
    // The base is a commit: the command's run above cached its synthesis, so only the working tree is synthesized.
    ({ base, head: unchanged } = await synthesizeRevisions({ projectRoot: repo, base: 'HEAD', envs: [ENV] }));
  }, SYNTH_TIMEOUT);

  test("a commit's synthesis is cached, keyed by commit, environment and lockfile, and read back whole", () => {
    const file = commitCacheFile(repo, resolveRevision(repo, 'HEAD').commit, ENV)!;
    expect(file).toContain(path.join('node_modules', '.cache', 'offline-cdk-diff'));
    const cached = JSON.parse(fs.readFileSync(file, 'utf8'));
    const templates = base.get(ENV)!;
    expect(cached).toEqual({ templates: Object.fromEntries(templates), dependencies: Object.fromEntries(templates.dependencies!) });
    // Network, Data, Service, Monitoring, and Chaos (the environment is not production: it has experiments).
    expect(Object.keys(cached.templates)).toHaveLength(5);
    // The deploy order the plan reasons with is kept too: Service after Data, Chaos after Monitoring.
    expect(cached.dependencies[`ScaledApp-${ENV}-Service`]).toContain(`ScaledApp-${ENV}-Data`);
  });

  test('an unchanged working tree has no changes and is safe', () => {
    const report = compareRevisions(base, unchanged);
    expect(report.exitCode).toBe(0);
    expect(changesOf(report)).toEqual([]);
    expect(report.environments[0].stacks.map((s) => s.status)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged']);
  });

  describe("a working tree that changes the hot tier's eviction policy and the critical tier's node type, and renames the database", () => {
    // The command's run compared it (its --out): synthesis is the slow part of this suite. Its budget is left out of
    // the cost model here (the budget tests set one in the templates); the AWS Budgets budget it adds costs nothing.
    let head: RevisionTemplates;
    /** The change from the base to this working tree; compared once, read by every case (a comparison takes a second). */
    let report: DiffReport;
    beforeAll(() => {
      head = withBudget(command.head, undefined);
      report = compareRevisions(base, head);
    });

    test('the eviction-policy change is updated in place and not destructive', () => {
      expect(changesOf(report)).toContainEqual(
        expect.objectContaining({ stack: IN_PLACE.stack, type: IN_PLACE.type, kind: 'updated in place', destructive: false }),
      );
    });

    test('the rename blocks (exit 1), naming the database cluster', () => {
      expect(report.exitCode).toBe(1);
      expect(report.findings.map((f) => f.change.logicalId)).toContainEqual(expect.stringMatching(RENAME.logicalId));
    });

    test('a reviewed allow-list entry per finding lets the rename pass, and the rename is still listed as allowed', () => {
      const ids = report.findings.map((f) => f.change.logicalId);
      const entries = ids.map((logicalId) => ({ env: ENV, stack: RENAME.stack, logicalId, reason: 'dev holds no data worth keeping' }));
      // One entry short still blocks.
      expect(compareRevisions(base, head, entries.slice(1)).exitCode).toBe(1);
      const allowed = compareRevisions(base, head, entries);
      expect(allowed.exitCode).toBe(0);
      expect(allowed.findings).toEqual(entries.map((entry) => expect.objectContaining({ stack: RENAME.stack, allowedBy: entry })));
    });

    describe('the cost delta of the node type change', () => {
      /**
       * An allow-list entry for every stateful finding and deploy-plan hazard of `change` (the rename's): with it, the
       * exit code is the cost's alone.
       */
      const allowingAll = (change: DiffReport): AllowEntry[] => {
        const reason = 'dev holds no data worth keeping';
        return [
          ...change.findings.map((f) => ({ env: ENV, stack: f.stack, logicalId: f.change.logicalId, reason })),
          ...change.hazards.map((h) => ({ env: ENV, stack: h.hazard.stack, logicalId: h.hazard.logicalId, reason })),
        ];
      };

      /** The renamed database's lines: under its old construct ID before, under its new one after. */
      const renamed = (logicalId: string) => /^(Primary)?Database/.test(logicalId);

      test('exactly the changed tier moves, by (new − old price) × 730 h × nodes; the rename only moves lines; the totals move by the tier', () => {
        const [cost] = report.cost;
        expect(cost.env).toBe(ENV);
        expect(cost.changes.filter((c) => !renamed(c.logicalId))).toEqual([
          expect.objectContaining({
            stack: `ScaledApp-${ENV}-Data`,
            type: 'AWS::ElastiCache::ReplicationGroup',
            item: 'cache.t4g.medium Valkey node',
            itemBefore: 'cache.t4g.small Valkey node',
            delta: { low: nodeDelta(nodes()), expected: nodeDelta(nodes()), high: nodeDelta(nodes()) },
          }),
        ]);
        // Every line of the renamed database leaves under its old ID and comes back under its new one, at the same price.
        const moved = cost.changes.filter((c) => renamed(c.logicalId));
        const line = (c: (typeof moved)[number], side: 'before' | 'after') => `${c.stack} ${c.type} ${c.item} ${JSON.stringify(c[side])}`;
        const gone = moved.filter((c) => !c.logicalId.startsWith('Primary'));
        const added = moved.filter((c) => c.logicalId.startsWith('Primary'));
        expect(gone.length).toBeGreaterThan(0);
        expect(gone.map((c) => c.after.expected)).toEqual(gone.map(() => 0));
        expect(added.map((c) => line(c, 'after')).sort()).toEqual(gone.map((c) => line(c, 'before')).sort());
        expect(cost.delta.expected).toBeCloseTo(nodeDelta(nodes()), 2);
        expect(cost.totalAfter.expected).toBeCloseTo(cost.totalBefore.expected + nodeDelta(nodes()), 2);
      });

      test('the budget exit code: 1 when the change crosses the budget, 0 below it, 0 without one', () => {
        const [{ totalBefore, totalAfter }] = report.cost;
        // A budget changes the cost model's metadata only: the rename's findings and hazards are the same.
        const costOnly = (monthlyBudget: number | undefined) =>
          compareRevisions(base, withBudget(head, monthlyBudget), allowingAll(report));
        const between = Math.floor((totalBefore.expected + totalAfter.expected) / 2);
        expect(totalBefore.expected).toBeLessThan(between);
        const over = costOnly(between);
        expect(over.exitCode).toBe(1);
        expect(over.cost[0].overBudget).toBe(true);
        // The rename allowed, the budget alone blocks, and the verdict says so.
        expect(renderText(over, { revision: resolveRevision(repo, 'HEAD') })).toContain(
          'BLOCKED: the change takes the monthly cost above the budget; lower the cost, or raise cost.monthlyBudget in review.',
        );
        expect(costOnly(Math.ceil(totalAfter.expected) + 1).exitCode).toBe(0);
        expect(costOnly(undefined).exitCode).toBe(0);
      });

      test('a change that lowers the cost passes even when the total stays above the budget', () => {
        // The reverse change: from the bigger node back to the smaller one, with a budget below both totals.
        const lower = compareRevisions(head, withBudget(base, 1));
        expect(lower.cost[0].delta.expected).toBeLessThan(0);
        expect(lower.cost[0].overBudget).toBe(false);
        // Its only block is the rename's, reversed: allowed, the command exits 0.
        expect(compareRevisions(head, withBudget(base, 1), allowingAll(lower)).exitCode).toBe(0);
      });

      test('a base revision without the cost model is priced with the working tree’s', () => {
        const bare = structuredClone(base.get(ENV)!);
        for (const template of bare.values()) delete (template.Metadata as Record<string, unknown> | undefined)?.[COST_MODEL_METADATA];
        const [cost] = compareRevisions(new Map([[ENV, bare]]), head).cost;
        expect(cost.before?.modelSource).toBe('fallback');
        expect(cost.delta.expected).toBeCloseTo(nodeDelta(nodes()), 2);
      });
    });
  });
});

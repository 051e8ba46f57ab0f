/**
 * The cost section of `npm run diff`, end to end on a temporary git repository (test/support/temp-repo.ts): a
 * node type changed in the working tree shows its monthly delta, and a budget the change crosses makes the
 * command exit 1. One environment (dev) only: each synthesis takes seconds on a shared machine.
 */
import * as fs from 'fs';
import { compareRevisions, synthesizeRevisions } from '../scripts/diff/engine';
import type { RevisionTemplates } from '../scripts/diff/synth';
import { priceTable } from '../scripts/cost/prices';
import { COST_MODEL_METADATA, type CostModelMetadata } from '../lib/template-metadata';
import { loadEnvironment } from '../config/load';
import { createTempRepo, type TempRepo } from './support/temp-repo';

const ENV = 'dev';
const FILE = `config/environments/${ENV}.ts`;
/** The critical tier's node type, bumped: the change the issue names as one a reviewer must see the price of. */
const NODE_TYPE = {
  file: FILE,
  from: "critical: { nodeType: 'cache.t4g.small'",
  to: "critical: { nodeType: 'cache.t4g.medium'",
};
const SYNTH_TIMEOUT = 240_000;

let temp: TempRepo;
beforeAll(() => {
  temp = createTempRepo('cost-diff-repo-');
});
afterEach(() => temp.reset());
afterAll(() => temp.remove());

/** The monthly delta of the tier at the committed prices: new − old, each price × hours × nodes to the cent, as billed lines are. */
function nodeDelta(nodes: number): number {
  const table = priceTable(loadEnvironment(ENV).environment.region);
  const price = table.prices.elastiCacheValkeyNodeHour;
  const monthly = (type: string) => Math.round(price[type] * table.hoursPerMonth * nodes * 100) / 100;
  return Math.round((monthly('cache.t4g.medium') - monthly('cache.t4g.small')) * 100) / 100;
}
const nodes = () => loadEnvironment(ENV).cache.tiers.critical.replicas + 1;

test(
  'npm run diff: a node type change prints its monthly delta, and a budget it crosses exits 1',
  () => {
    temp.edit(NODE_TYPE);
    // A budget of 1 USD: any increase is above it.
    temp.edit({ file: FILE, from: '  cost: { usage: {', to: '  cost: { monthlyBudget: 1, usage: {' });
    const result = temp.run('diff.ts', ['--base', 'HEAD', '--env', ENV, '--markdown', 'summary.md']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(1);
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
    expect(result.stdout).toMatch(/BLOCKED: the change takes the monthly cost above the budget/);
    const summary = fs.readFileSync(`${temp.dir}/summary.md`, 'utf8');
    expect(summary).toContain('### Monthly cost');
    expect(summary).toMatch(
      new RegExp(
        `\\| ${ENV} \\| ScaledApp-${ENV}-Data \\| \`CacheCritical[0-9A-F]{8}\` \\| cache\\.t4g\\.medium Valkey node \\(was cache\\.t4g\\.small Valkey node\\) \\| .* \\| \\+\\$${delta} \\|`,
      ),
    );
  },
  SYNTH_TIMEOUT,
);

describe('the cost delta of a node type change, in the engine', () => {
  let base: RevisionTemplates;
  let head: RevisionTemplates;
  beforeAll(async () => {
    temp.edit(NODE_TYPE);
    // The base was synthesized (and cached by commit) by the command above: only the working tree is synthesized.
    ({ base, head } = await synthesizeRevisions({ projectRoot: temp.dir, base: 'HEAD', envs: [ENV] }));
    temp.reset();
  }, SYNTH_TIMEOUT);

  test('exactly the changed tier moves, by (new − old price) × 730 h × nodes; the totals move by the same', () => {
    const [cost] = compareRevisions(base, head).cost;
    expect(cost.env).toBe(ENV);
    expect(cost.changes).toEqual([
      expect.objectContaining({
        stack: `ScaledApp-${ENV}-Data`,
        type: 'AWS::ElastiCache::ReplicationGroup',
        item: 'cache.t4g.medium Valkey node',
        itemBefore: 'cache.t4g.small Valkey node',
        delta: { low: nodeDelta(nodes()), expected: nodeDelta(nodes()), high: nodeDelta(nodes()) },
      }),
    ]);
    expect(cost.delta.expected).toBeCloseTo(nodeDelta(nodes()), 2);
    expect(cost.totalAfter.expected).toBeCloseTo(cost.totalBefore.expected + nodeDelta(nodes()), 2);
  });

  /** The head's templates with `monthlyBudget` set in their cost model, as a config change would set it. */
  function withBudget(templates: RevisionTemplates, monthlyBudget: number | undefined): RevisionTemplates {
    const copy = structuredClone(templates.get(ENV)!);
    for (const template of copy.values()) {
      const metadata = template.Metadata as Record<string, CostModelMetadata> | undefined;
      if (metadata?.[COST_MODEL_METADATA]) metadata[COST_MODEL_METADATA] = { ...metadata[COST_MODEL_METADATA], monthlyBudget };
    }
    return new Map([[ENV, copy]]);
  }

  test('the budget exit code: 1 when the change crosses the budget, 0 below it, 0 without one', () => {
    const [{ totalBefore, totalAfter }] = compareRevisions(base, head).cost;
    const between = Math.floor((totalBefore.expected + totalAfter.expected) / 2);
    expect(totalBefore.expected).toBeLessThan(between);
    expect(compareRevisions(base, withBudget(head, between)).exitCode).toBe(1);
    expect(compareRevisions(base, withBudget(head, between)).cost[0].overBudget).toBe(true);
    expect(compareRevisions(base, withBudget(head, Math.ceil(totalAfter.expected) + 1)).exitCode).toBe(0);
    expect(compareRevisions(base, withBudget(head, undefined)).exitCode).toBe(0);
  });

  test('a change that lowers the cost passes even when the total stays above the budget', () => {
    // The reverse change: from the bigger node back to the smaller one, with a budget below both totals.
    const report = compareRevisions(head, withBudget(base, 1));
    expect(report.cost[0].delta.expected).toBeLessThan(0);
    expect(report.cost[0].overBudget).toBe(false);
    expect(report.exitCode).toBe(0);
  });

  test('a base revision without the cost model is priced with the working tree’s', () => {
    const bare = structuredClone(base.get(ENV)!);
    for (const template of bare.values()) delete (template.Metadata as Record<string, unknown> | undefined)?.[COST_MODEL_METADATA];
    const [cost] = compareRevisions(new Map([[ENV, bare]]), head).cost;
    expect(cost.before?.modelSource).toBe('fallback');
    expect(cost.delta.expected).toBeCloseTo(nodeDelta(nodes()), 2);
  });
});

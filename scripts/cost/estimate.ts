/**
 * The monthly estimate of one environment, from its synthesized templates alone: each resource priced by the
 * catalog (./catalog.ts) at its stack's region's price table (./prices.ts), with the usage assumptions and
 * regions the Monitoring stack records in its template metadata (lib/stacks/cost-model.ts). Templates alone, so
 * that `npm run diff` prices a base revision without loading that revision's configuration.
 */
import { COST_MODEL_METADATA, type CostModelMetadata } from '../../lib/template-metadata';
import { type CfnResource, fixed, type LineSpec, MissingPrice, pricingRule, type Range } from './catalog';
import { type PriceTable, PriceTableError, priceTable } from './prices';

export type { Range } from './catalog';

type Template = Record<string, unknown>;

/** One billed item: quantity × unit price × hours (for an hourly price) = monthly, at each end of its range. */
export interface CostLine extends LineSpec {
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  /** Hours in the month for an hourly price; absent for a monthly one. */
  readonly hours?: number;
  readonly monthly: Range;
}

export interface StackEstimate {
  readonly stack: string;
  readonly region: string;
  readonly lines: readonly CostLine[];
  readonly total: Range;
}

export interface EnvironmentEstimate {
  readonly env: string;
  readonly currency: 'USD';
  readonly model: CostModelMetadata;
  /** Where the model came from: the templates, or (for a revision older than the cost model) the other side's. */
  readonly modelSource: 'templates' | 'fallback';
  /** The tables used, by region: their date and source. */
  readonly priceTables: readonly Pick<PriceTable, 'region' | 'effectiveDate' | 'source'>[];
  readonly stacks: readonly StackEstimate[];
  readonly total: Range;
  /** Resources that could not be priced: a type without a catalog entry, a class without a price. Empty when complete. */
  readonly problems: readonly string[];
}

export const ZERO: Range = fixed(0);
export const sum = (ranges: readonly Range[]): Range =>
  ranges.reduce((a, b) => ({ low: a.low + b.low, expected: a.expected + b.expected, high: a.high + b.high }), ZERO);
const round = (n: number) => Math.round(n * 100) / 100;

/** The cost model of an environment's templates: the Monitoring stack's metadata, if a stack carries it. */
export function costModelOf(templates: ReadonlyMap<string, Template>): CostModelMetadata | undefined {
  for (const template of templates.values()) {
    const metadata = (template.Metadata as Record<string, unknown> | undefined)?.[COST_MODEL_METADATA];
    if (metadata) return metadata as CostModelMetadata;
  }
  return undefined;
}

export class CostModelMissing extends Error {
  constructor(env: string) {
    super(`${env}: expected the cost model in a template's metadata (${COST_MODEL_METADATA}), got none, and no fallback`);
    this.name = 'CostModelMissing';
  }
}

/**
 * Prices every resource of `templates`. `fallback` is the cost model to use when the templates carry none (a base
 * revision from before the cost model); without one, that is an error.
 */
export function estimateEnvironment(
  env: string,
  templates: ReadonlyMap<string, Template>,
  fallback?: CostModelMetadata,
  pricesDir?: string,
): EnvironmentEstimate {
  const own = costModelOf(templates);
  const model = own ?? fallback;
  if (!model) throw new CostModelMissing(env);
  const problems: string[] = [];
  const tables = new Map<string, PriceTable>();
  const stacks: StackEstimate[] = [];
  for (const [stack, template] of [...templates.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const region = model.stackRegions[stack] ?? model.region;
    if (!tables.has(region)) {
      try {
        tables.set(region, priceTable(region, pricesDir));
      } catch (e) {
        // A region without a table (an environment added elsewhere) is a problem of this estimate, named like an
        // unpriced resource, not a crash of the whole diff: the stateful-resource report must still come out.
        if (!(e instanceof PriceTableError)) throw e;
        problems.push(`${stack}: ${e.message}`);
        continue;
      }
    }
    const table = tables.get(region)!;
    const resources = (template.Resources ?? {}) as Record<string, CfnResource>;
    const lines: CostLine[] = [];
    for (const [logicalId, resource] of Object.entries(resources).sort(([a], [b]) => a.localeCompare(b))) {
      const rule = pricingRule(resource.Type);
      if (!rule) {
        problems.push(
          `${stack} ${logicalId}: ${resource.Type} is neither priced nor listed as free or usage-only (scripts/cost/catalog.ts)`,
        );
        continue;
      }
      if (rule.kind !== 'priced') continue;
      let specs: LineSpec[];
      try {
        specs = rule.lines({
          logicalId,
          resource,
          resources,
          prices: table.prices,
          usage: model.usage,
          homeRegion: model.region,
          stackRegion: region,
        });
      } catch (e) {
        if (!(e instanceof MissingPrice)) throw e;
        problems.push(`${stack} ${logicalId} (${resource.Type}): no price for ${e.what} in config/prices/${region}.json`);
        continue;
      }
      for (const spec of specs) {
        const hours = spec.hourly ? table.hoursPerMonth : undefined;
        const factor = spec.unitPrice * (hours ?? 1);
        const monthly = {
          low: round(spec.quantity.low * factor),
          expected: round(spec.quantity.expected * factor),
          high: round(spec.quantity.high * factor),
        };
        lines.push({ ...spec, stack, logicalId, type: resource.Type, ...(hours ? { hours } : {}), monthly });
      }
    }
    stacks.push({ stack, region, lines, total: roundRange(sum(lines.map((l) => l.monthly))) });
  }
  return {
    env,
    currency: 'USD',
    model,
    modelSource: own ? 'templates' : 'fallback',
    priceTables: [...tables.values()].map(({ region, effectiveDate, source }) => ({ region, effectiveDate, source })),
    stacks,
    total: roundRange(sum(stacks.map((s) => s.total))),
    problems,
  };
}

const roundRange = (r: Range): Range => ({ low: round(r.low), expected: round(r.expected), high: round(r.high) });

/** One line of the cost change of a pull request: a billed item whose monthly cost differs between the revisions. */
export interface CostChange {
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  /** The item as the working tree bills it (`cache.t4g.medium Valkey node`). */
  readonly item: string;
  /** The item as the base billed it, where it reads differently (`cache.t4g.small Valkey node`). */
  readonly itemBefore?: string;
  readonly before: Range;
  readonly after: Range;
  readonly delta: Range;
}

export interface EnvironmentCostDelta {
  readonly env: string;
  readonly before?: EnvironmentEstimate;
  readonly after?: EnvironmentEstimate;
  readonly changes: readonly CostChange[];
  readonly totalBefore: Range;
  readonly totalAfter: Range;
  readonly delta: Range;
  /** The budget of the working tree's configuration, if it sets one. */
  readonly monthlyBudget?: number;
  /**
   * The change takes the expected monthly total above the budget, or further above it: `npm run diff` exits 1.
   * A change that lowers the total never does, even when the total stays above the budget.
   */
  readonly overBudget: boolean;
  /**
   * What the working tree's estimate could not price (a node type or a region without a price): its lines are
   * missing from `totalAfter`, which would read as a saving, so `npm run diff` exits 1 until it is priced.
   */
  readonly unpriced: readonly string[];
}

const diff = (a: Range, b: Range): Range => roundRange({ low: b.low - a.low, expected: b.expected - a.expected, high: b.high - a.high });
const isZero = (r: Range) => r.low === 0 && r.expected === 0 && r.high === 0;

/**
 * The cost change of one environment between two estimates (either may be absent: an environment added or
 * removed). Lines are matched by stack, logical ID and item; a renamed resource shows as one removed and one added.
 */
export function compareEstimates(
  env: string,
  before: EnvironmentEstimate | undefined,
  after: EnvironmentEstimate | undefined,
): EnvironmentCostDelta {
  const key = (l: CostLine) => `${l.stack}\u0000${l.logicalId}\u0000${l.key ?? l.item}`;
  const lines = (e?: EnvironmentEstimate) => new Map((e?.stacks ?? []).flatMap((s) => s.lines.map((l) => [key(l), l] as const)));
  const old = lines(before);
  const current = lines(after);
  const changes: CostChange[] = [];
  for (const k of [...new Set([...old.keys(), ...current.keys()])].sort()) {
    const a = old.get(k);
    const b = current.get(k);
    const some = (a ?? b)!;
    const change = diff(a?.monthly ?? ZERO, b?.monthly ?? ZERO);
    if (isZero(change)) continue;
    changes.push({
      stack: some.stack,
      logicalId: some.logicalId,
      type: some.type,
      item: b?.item ?? some.item,
      ...(a && b && a.item !== b.item ? { itemBefore: a.item } : {}),
      before: a?.monthly ?? ZERO,
      after: b?.monthly ?? ZERO,
      delta: change,
    });
  }
  const totalBefore = before?.total ?? ZERO;
  const totalAfter = after?.total ?? ZERO;
  const monthlyBudget = after?.model.monthlyBudget;
  const overBudget = monthlyBudget !== undefined && totalAfter.expected > monthlyBudget && totalAfter.expected > totalBefore.expected;
  return {
    env,
    before,
    after,
    changes,
    totalBefore,
    totalAfter,
    delta: diff(totalBefore, totalAfter),
    ...(monthlyBudget !== undefined ? { monthlyBudget } : {}),
    overBudget,
    unpriced: after?.problems ?? [],
  };
}

/**
 * The cost change of every environment between two revisions' templates (`npm run diff`). A side whose templates
 * carry no cost model (a revision from before it) is priced with the other side's; an environment whose templates
 * carry none on either side (hand-made templates) is left out.
 */
export function costDeltas(
  base: ReadonlyMap<string, ReadonlyMap<string, Template>>,
  head: ReadonlyMap<string, ReadonlyMap<string, Template>>,
): EnvironmentCostDelta[] {
  const names = [...new Set([...base.keys(), ...head.keys()])].sort();
  return names.flatMap((env) => {
    const before = base.get(env);
    const after = head.get(env);
    const beforeModel = before && costModelOf(before);
    const afterModel = after && costModelOf(after);
    if (!beforeModel && !afterModel) return [];
    return [
      compareEstimates(env, before && estimateEnvironment(env, before, afterModel), after && estimateEnvironment(env, after, beforeModel)),
    ];
  });
}

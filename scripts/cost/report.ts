/**
 * Renders estimates and cost changes: a table per stack for the terminal (`npm run cost`), and the cost section
 * of `npm run diff` (text and the pull-request Markdown).
 */
import type { CostChange, CostLine, EnvironmentCostDelta, EnvironmentEstimate, Range } from './estimate';

export const money = (n: number) => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const signed = (n: number) => `${n < 0 ? '-' : '+'}${money(Math.abs(n))}`;
const number = (n: number) => Number(n.toFixed(4)).toLocaleString('en-US', { maximumFractionDigits: 4 });

/** `$1,234.00`, or `$1,234.00 ($1,000.00–$2,000.00)` when the range is not a point. */
export function rangeText(r: Range, format: (n: number) => string = money): string {
  return r.low === r.high ? format(r.expected) : `${format(r.expected)} (${format(r.low)}–${format(r.high)})`;
}

function quantityText(l: CostLine): string {
  const q = l.quantity;
  const shown = q.low === q.high ? number(q.expected) : `${number(q.expected)} (${number(q.low)}–${number(q.high)})`;
  return `${shown} ${l.unit}`;
}

function pad(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i >= 2 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd(),
  );
}

/** The terminal rendering of one environment's estimate. */
export function renderEstimate(e: EnvironmentEstimate): string {
  const out: string[] = [
    `Monthly estimate of environment ${e.env} (${e.currency}; expected at desired counts, range from every autoscaling minimum to maximum)`,
  ];
  for (const table of e.priceTables) out.push(`Prices: config/prices/${table.region}.json, ${table.effectiveDate}`);
  if (e.modelSource === 'fallback') out.push('Note: the templates carry no cost model; priced with the fallback model given.');
  out.push('');
  for (const stack of e.stacks) {
    out.push(`Stack ${stack.stack} (${stack.region}): ${rangeText(stack.total)}`);
    if (stack.lines.length === 0) {
      out.push('  nothing billed by the month', '');
      continue;
    }
    const rows = [['  Resource', 'Item', 'Quantity', 'Unit price', 'Hours', 'Monthly']];
    for (const l of stack.lines) {
      rows.push([
        `  ${l.logicalId}`,
        l.item,
        quantityText(l),
        `${money4(l.unitPrice)}${l.hours ? '/h' : ''}`,
        l.hours ? String(l.hours) : '',
        rangeText(l.monthly),
      ]);
    }
    out.push(...pad(rows));
    out.push('');
  }
  out.push(`Total: ${rangeText(e.total)} a month`);
  if (e.model.monthlyBudget !== undefined) {
    const over = e.total.expected > e.model.monthlyBudget;
    out.push(`Budget: ${money(e.model.monthlyBudget)} (cost.monthlyBudget): ${over ? 'the expected total is OVER it' : 'within'}`);
  }
  const assumptions = [...new Set(e.stacks.flatMap((s) => s.lines.flatMap((l) => (l.assumption ? [`${l.item}: ${l.assumption}`] : []))))];
  if (assumptions.length > 0) {
    out.push('', 'Usage assumptions (override under `cost.usage` in the environment file):');
    for (const a of assumptions) out.push(`  ${a}`);
  }
  if (e.problems.length > 0) {
    out.push('', `Not priced (${e.problems.length}):`);
    for (const p of e.problems) out.push(`  ${p}`);
  }
  return `${out.join('\n')}\n`;
}

function money4(n: number): string {
  return `$${Number(n.toFixed(6)).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 6 })}`;
}

function budgetNote(d: EnvironmentCostDelta): string {
  if (d.monthlyBudget === undefined) return '';
  return d.overBudget
    ? `; OVER BUDGET: ${money(d.totalAfter.expected)} > ${money(d.monthlyBudget)} (cost.monthlyBudget)`
    : `; budget ${money(d.monthlyBudget)}`;
}

/** The cost section of `npm run diff` for the terminal. */
export function renderCostText(deltas: readonly EnvironmentCostDelta[]): string[] {
  if (deltas.length === 0) return [];
  const out = ['Monthly cost (USD, expected; range from every autoscaling minimum to maximum; docs/cost.md):'];
  for (const d of deltas) {
    out.push(`  ${d.env}: ${rangeText(d.totalBefore)} → ${rangeText(d.totalAfter)}, ${rangeText(d.delta, signed)} a month${budgetNote(d)}`);
    for (const c of d.changes)
      out.push(
        `    ${signedRange(c.delta)}  ${c.stack} ${c.logicalId} (${c.type}) ${itemText(c)}: ${rangeText(c.before)} → ${rangeText(c.after)}`,
      );
    for (const p of [...(d.after?.problems ?? [])]) out.push(`    not priced: ${p}`);
  }
  return out;
}

const itemText = (c: CostChange) => (c.itemBefore ? `${c.item} (was ${c.itemBefore})` : c.item);

function signedRange(r: Range): string {
  return rangeText(r, signed);
}

/** The cost section of the pull-request comment. */
export function renderCostMarkdown(deltas: readonly EnvironmentCostDelta[]): string[] {
  if (deltas.length === 0) return [];
  const out = ['### Monthly cost', '', '| Environment | Before | After | Change | Budget |', '|---|---:|---:|---:|---|'];
  for (const d of deltas) {
    const budget = d.monthlyBudget === undefined ? '' : `${d.overBudget ? '❌ over ' : ''}${money(d.monthlyBudget)}`;
    out.push(`| ${d.env} | ${rangeText(d.totalBefore)} | ${rangeText(d.totalAfter)} | ${rangeText(d.delta, signed)} | ${budget} |`);
  }
  const changes = deltas.flatMap((d) => d.changes.map((c) => ({ env: d.env, ...c })));
  if (changes.length > 0) {
    out.push('', '| Environment | Stack | Logical ID | Item | Before | After | Change |', '|---|---|---|---|---:|---:|---:|');
    for (const c of changes) {
      out.push(
        `| ${c.env} | ${c.stack} | \`${c.logicalId}\` | ${itemText(c).replace(/\|/g, '\\|')} | ${rangeText(c.before)} | ${rangeText(c.after)} | ${signedRange(c.delta)} |`,
      );
    }
  }
  out.push(
    '',
    '_Expected at desired counts; in brackets, every autoscaling minimum to maximum. Usage-based lines use the assumptions in `cost.usage` (docs/cost.md)._',
    '',
  );
  return out;
}

export const EXAMPLE_BILL_START = '<!-- example-bill: generated by `npm run docs:cost`; do not edit by hand -->';
export const EXAMPLE_BILL_END = '<!-- /example-bill -->';

/** The example bill of docs/cost.md: per environment, each stack's total and the largest items. */
export function renderExampleBills(estimates: readonly EnvironmentEstimate[]): string {
  const out: string[] = [EXAMPLE_BILL_START, ''];
  for (const e of estimates) {
    const budget = e.model.monthlyBudget === undefined ? '' : `; budget ${money(e.model.monthlyBudget)}`;
    out.push(`### ${e.env}: ${rangeText(e.total)} a month${budget}`, '');
    out.push('| Stack | Region | Monthly |', '|---|---|---:|');
    for (const s of e.stacks) out.push(`| ${s.stack} | ${s.region} | ${rangeText(s.total)} |`);
    out.push('', 'Largest items (expected monthly cost):', '');
    const largest = e.stacks
      .flatMap((s) => s.lines)
      .sort((a, b) => b.monthly.expected - a.monthly.expected || b.monthly.high - a.monthly.high || a.logicalId.localeCompare(b.logicalId))
      .slice(0, 8);
    out.push('| Resource | Item | Quantity | Monthly |', '|---|---|---:|---:|');
    for (const l of largest) out.push(`| \`${l.logicalId}\` | ${l.item} | ${quantityText(l)} | ${rangeText(l.monthly)} |`);
    out.push('');
  }
  out.push(EXAMPLE_BILL_END);
  return out.join('\n');
}

/** `page` with its example-bill section replaced by `bills`. */
export function withExampleBills(page: string, bills: string): string {
  const start = page.indexOf(EXAMPLE_BILL_START);
  const end = page.indexOf(EXAMPLE_BILL_END);
  if (start < 0 || end < start) throw new Error(`docs/cost.md: expected the example-bill markers, got none`);
  return page.slice(0, start) + bills + page.slice(end + EXAMPLE_BILL_END.length);
}

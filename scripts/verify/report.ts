/**
 * The two renderings of a verification: an aligned table for a person, JSON for a machine.
 */
import type { CheckResult } from './result';

export interface Summary {
  readonly total: number;
  readonly passed: number;
  readonly failed: number;
  readonly ok: boolean;
}

export function summarize(results: readonly CheckResult[]): Summary {
  const failed = results.filter((result) => !result.ok).length;
  return { total: results.length, passed: results.length - failed, failed, ok: failed === 0 };
}

/** Colour only for a terminal, and never when NO_COLOR is set to anything (https://no-color.org). */
export function useColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

const GREEN = '\u001b[32m';
const RED = '\u001b[31m';
const BOLD = '\u001b[1m';
const RESET = '\u001b[0m';

export interface TableOptions {
  readonly colour: boolean;
  /** Shown in the heading, e.g. `ScaledApp prod (eu-west-1)`. */
  readonly title: string;
}

export function renderTable(results: readonly CheckResult[], options: TableOptions): string {
  const paint = (code: string, text: string) => (options.colour ? `${code}${text}${RESET}` : text);
  const width = Math.max('CHECK'.length, ...results.map((result) => result.name.length));
  const lines = [`Verifying ${options.title}`, '', `   ${'CHECK'.padEnd(width)}  DETAIL`];
  for (const result of results) {
    const mark = result.ok ? paint(GREEN, '✔') : paint(RED, '✘');
    lines.push(` ${mark} ${result.name.padEnd(width)}  ${result.detail}`);
  }
  const summary = summarize(results);
  const verdict = summary.ok ? paint(GREEN, 'all passed') : paint(RED, `${summary.failed} failed`);
  lines.push('', paint(BOLD, `${summary.total} checks, ${summary.passed} passed, `) + verdict);
  return `${lines.join('\n')}\n`;
}

export interface JsonReport {
  readonly environment: string;
  readonly region: string;
  readonly results: readonly CheckResult[];
  readonly summary: Summary;
}

export function renderJson(results: readonly CheckResult[], context: { environment: string; region: string }): string {
  const report: JsonReport = { ...context, results, summary: summarize(results) };
  return `${JSON.stringify(report, null, 2)}\n`;
}

/**
 * `npm run test:durations -- REPORT.json`
 *
 * Records how long each test file took, from a jest `--json` report, in test/support/test-durations.json: the suite's
 * order of test files reads it where jest has no timing of its own (a fresh clone, CI), so that the longest files
 * start first (test/support/sequencer.js, docs/testing.md). The files the report ran get its durations; the others
 * keep theirs; files that no longer exist are dropped. A stale entry costs speed, never a result.
 *
 *   npm run jest -- --json --outputFile=/tmp/jest.json && npm run test:durations -- /tmp/jest.json
 *
 * Exits 0, or 2 with a message naming what is wrong.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runMain } from './run-main';

const ROOT = path.join(__dirname, '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the sequencer is plain JavaScript, as jest.config.js loads it
const { DURATIONS_FILE } = require('../test/support/sequencer') as { DURATIONS_FILE: string };
const USAGE = 'usage: npm run test:durations -- REPORT.json (a jest --json report)';

/** What the durations are kept to: a tenth of a second, so that a record changes only where a file's time did. */
const RESOLUTION_MS = 100;

/** The part of a jest `--json` report read here. */
interface JestReport {
  testResults: { name: string; startTime: number; endTime: number; status: string; perfStats?: { runtime?: number } }[];
}

/**
 * The durations after `report`: milliseconds of wall clock by path from `root`, keys sorted. `previous` gives the
 * files the report did not run; `exists` says which files are still there.
 */
export function durationsOf(
  report: JestReport,
  previous: Record<string, number>,
  root: string,
  exists: (file: string) => boolean = (file) => fs.existsSync(path.join(root, file)),
): Record<string, number> {
  const merged = { ...previous };
  for (const result of report.testResults) {
    const runtime = result.perfStats?.runtime ?? result.endTime - result.startTime;
    if (!Number.isFinite(runtime) || runtime < 0) continue;
    merged[projectPath(result.name, root)] = Math.max(RESOLUTION_MS, Math.round(runtime / RESOLUTION_MS) * RESOLUTION_MS);
  }
  return Object.fromEntries(
    Object.keys(merged)
      .filter(exists)
      .sort()
      .map((file) => [file, merged[file]]),
  );
}

/** A test file's path from `root`, with forward slashes; an error when the file is not under `root`. */
function projectPath(file: string, root: string): string {
  const relative = path.relative(root, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new Error(`testResults: expected the test files of the project at ${root}, got ${file} (run the report's jest in this tree)`);
  }
  return relative.split(path.sep).join('/');
}

/** Reads and checks a jest `--json` report; a message naming the problem when it is not one. */
function readReport(file: string): JestReport | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    return `${file}: expected a jest --json report, got ${e instanceof SyntaxError ? 'invalid JSON' : (e as Error).message}`;
  }
  const results = (parsed as { testResults?: unknown })?.testResults;
  if (!Array.isArray(results))
    return `${file}: testResults: expected the list of test files of a jest --json report, got ${typeof results}`;
  return parsed as JestReport;
}

/** The exit code: 0, or 2 on bad usage or a report that is not one. Exported for the tests that run it in process. */
export async function main(argv: string[], durationsFile = DURATIONS_FILE): Promise<number> {
  if (argv.length !== 1) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const report = readReport(argv[0]);
  if (typeof report === 'string') {
    process.stderr.write(`${report}\n`);
    return 2;
  }
  const previous = fs.existsSync(durationsFile) ? (JSON.parse(fs.readFileSync(durationsFile, 'utf8')) as Record<string, number>) : {};
  let durations: Record<string, number>;
  try {
    durations = durationsOf(report, previous, ROOT);
  } catch (e) {
    process.stderr.write(`${argv[0]}: ${(e as Error).message}\n`);
    return 2;
  }
  fs.writeFileSync(durationsFile, `${JSON.stringify(durations, null, 2)}\n`);
  const files = (n: number) => `${n} file${n === 1 ? '' : 's'}`;
  process.stdout.write(`${durationsFile}: ${files(report.testResults.length)} recorded, ${files(Object.keys(durations).length)} in all\n`);
  return 0;
}

if (require.main === module) runMain('test:durations', main);

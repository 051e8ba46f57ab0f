/**
 * The suite's order of test files (test/support/sequencer.js): jest's own, with the recorded durations
 * (test/support/test-durations.json) where jest has no timing, and the offline diff's file, whose work is mostly
 * child processes, never starting a worker. And `npm run test:durations`, which records them.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { durationsOf, main as durationsMain } from '../scripts/test-durations';
import { runInProcess } from './support/commands';

/** What jest's sequencer reads of a test: its path, and the file's size when no timings are cached. */
interface SequencedTest {
  path: string;
  context: { config: { cache: boolean }; hasteFS: { getSize(file: string): number } };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain JavaScript module, as jest.config.js loads it
const SuiteSequencer = require('./support/sequencer') as new (durations?: Record<string, number>) => {
  sort(tests: SequencedTest[]): SequencedTest[];
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const JestSequencer = (require('@jest/test-sequencer') as { default: new () => { sort(tests: SequencedTest[]): SequencedTest[] } }).default;

const ROOT = path.join(__dirname, '..');
const DIFF = path.join(ROOT, 'test', 'diff.test.ts');
const workers = os.availableParallelism();

/** Tests of these files as jest hands them to a sequencer on a fresh clone: no timings, so ordered by size. */
function tests(files: string[], sizes: Record<string, number> = {}): SequencedTest[] {
  const hasteFS = { getSize: (file: string) => sizes[file] ?? fs.statSync(file).size };
  return files.map((file) => ({ path: file, context: { config: { cache: false }, hasteFS } }));
}

/** Every other test file of the suite: more files than this machine has cores, on any machine the suite runs on. */
const FILES = (fs.readdirSync(path.join(ROOT, 'test'), { recursive: true }) as string[])
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => path.join(ROOT, 'test', f))
  .filter((f) => f !== DIFF);

test("without recorded durations, the diff's file never starts a worker, even as the largest file; the others keep jest's order", () => {
  // GIVEN the diff's file the largest of all
  const sizes = { [DIFF]: 1_000_000 };
  const all = [...FILES, DIFF];
  // WHEN jest's sequencer and the suite's order them
  const jest = new JestSequencer().sort(tests(all, sizes)).map((t) => t.path);
  const suite = new SuiteSequencer({}).sort(tests(all, sizes)).map((t) => t.path);
  // THEN jest starts a worker with it, and the suite starts it right after the first file of every worker
  expect(FILES.length).toBeGreaterThan(workers);
  expect(jest[0]).toBe(DIFF);
  expect(suite.indexOf(DIFF)).toBe(workers);
  expect(suite.filter((f) => f !== DIFF)).toEqual(jest.filter((f) => f !== DIFF));
});

test("where the diff's file does not start a worker, the order is jest's", () => {
  const sizes = { [DIFF]: 1 };
  const all = [...FILES, DIFF];
  expect(new SuiteSequencer({}).sort(tests(all, sizes)).map((t) => t.path)).toEqual(
    new JestSequencer().sort(tests(all, sizes)).map((t) => t.path),
  );
});

describe('the recorded durations (test/support/test-durations.json), where jest has no timing', () => {
  const file = (name: string) => path.join(ROOT, 'test', name);
  const [A, B, C, D] = ['a.test.ts', 'b.test.ts', 'c.test.ts', 'd.test.ts'].map(file);
  const recorded = { 'test/a.test.ts': 1_000, 'test/b.test.ts': 30_000, 'test/diff.test.ts': 40_000 };
  // A, the largest file, ran shortest; C and D have no record, D the larger. Padding takes the workers' first places.
  const padding = Array.from({ length: workers }, (_, i) => file(`padding-${i}.test.ts`));
  const sizes = { [A]: 40, [B]: 10, [C]: 20, [D]: 30, [DIFF]: 50, ...Object.fromEntries(padding.map((f) => [f, 1])) };
  const order = (durations: Record<string, number>, files = [A, B, C, D]) =>
    new SuiteSequencer(durations).sort(tests(files, sizes)).map((t) => path.basename(t.path));

  test('order the files they name, longest first, after the files they do not name (first, by size, as jest runs files it has no timing of)', () => {
    expect(order(recorded)).toEqual(['d.test.ts', 'c.test.ts', 'b.test.ts', 'a.test.ts']);
    // Without them, jest's order: by size alone.
    expect(order({})).toEqual(['a.test.ts', 'd.test.ts', 'c.test.ts', 'b.test.ts']);
  });

  test("the diff's file, the longest recorded, still starts right after the first file of every worker", () => {
    const sorted = order({ ...recorded, ...Object.fromEntries(padding.map((f) => [path.relative(ROOT, f), 20_000])) }, [
      ...padding,
      A,
      B,
      DIFF,
    ]);
    expect(sorted.indexOf('diff.test.ts')).toBe(workers);
  });

  test("a timing jest has of its own (this machine's last run) wins over the record", () => {
    const time = jest.spyOn(JestSequencer.prototype as unknown as { time(t: SequencedTest): number | undefined }, 'time');
    time.mockImplementation((t) => (t.path === A ? 60_000 : undefined));
    try {
      expect(order(recorded)).toEqual(['d.test.ts', 'c.test.ts', 'a.test.ts', 'b.test.ts']);
    } finally {
      time.mockRestore();
    }
  });

  test('the file the suite reads holds test file paths, each with a positive number of milliseconds', () => {
    const durations = JSON.parse(fs.readFileSync(path.join(ROOT, 'test', 'support', 'test-durations.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(Object.keys(durations).length).toBeGreaterThan(workers);
    for (const [name, ms] of Object.entries(durations)) {
      expect(name).toMatch(/^test\/.+\.test\.ts$/);
      expect(ms).toEqual(expect.any(Number));
      expect(ms).toBeGreaterThan(0);
    }
  });
});

describe('npm run test:durations', () => {
  const result = (name: string, runtime: number) => ({
    name: path.join(ROOT, name),
    startTime: 0,
    endTime: runtime,
    status: 'passed',
    perfStats: { runtime },
  });

  test("records the report's files to a tenth of a second, keeps the others', drops files that are gone, keys sorted", () => {
    const report = { testResults: [result('test/b.test.ts', 12_345), result('test/a.test.ts', 20)] };
    const previous = { 'test/b.test.ts': 1_000, 'test/c.test.ts': 3_000, 'test/gone.test.ts': 5_000 };
    const durations = durationsOf(report, previous, ROOT, (f) => f !== 'test/gone.test.ts');
    expect(durations).toEqual({ 'test/a.test.ts': 100, 'test/b.test.ts': 12_300, 'test/c.test.ts': 3_000 });
    expect(Object.keys(durations)).toEqual(['test/a.test.ts', 'test/b.test.ts', 'test/c.test.ts']);
  });

  test('writes the file from a report; exits 2 naming the problem on bad usage, a file that is not a report, or another tree’s report', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'test-durations-'));
    const run = (argv: string[], durationsFile = path.join(dir, 'durations.json')) =>
      runInProcess('test:durations', (args) => durationsMain(args, durationsFile), argv, process.env);
    const write = (name: string, content: unknown) => {
      fs.writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
      return path.join(dir, name);
    };
    try {
      const ok = await run([write('report.json', { testResults: [result('test/sequencer.test.ts', 1_234)] })]);
      expect(ok.status).toBe(0);
      expect(JSON.parse(fs.readFileSync(path.join(dir, 'durations.json'), 'utf8'))).toEqual({ 'test/sequencer.test.ts': 1_200 });

      expect(await run([])).toMatchObject({ status: 2, stderr: expect.stringContaining('usage: npm run test:durations -- REPORT.json') });
      expect(await run([write('bad.json', '{')])).toMatchObject({
        status: 2,
        stderr: expect.stringContaining('expected a jest --json report, got invalid JSON'),
      });
      expect(await run([write('empty.json', {})])).toMatchObject({
        status: 2,
        stderr: expect.stringContaining('testResults: expected the list of test files of a jest --json report, got undefined'),
      });
      const elsewhere = { testResults: [{ ...result('x', 1), name: '/elsewhere/test/a.test.ts' }] };
      expect(await run([write('elsewhere.json', elsewhere)])).toMatchObject({
        status: 2,
        stderr: expect.stringContaining(`expected the test files of the project at ${ROOT}, got /elsewhere/test/a.test.ts`),
      });
      // A refused report leaves the file as it was.
      expect(JSON.parse(fs.readFileSync(path.join(dir, 'durations.json'), 'utf8'))).toEqual({ 'test/sequencer.test.ts': 1_200 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

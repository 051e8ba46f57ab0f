/**
 * The suite's order of test files (test/support/sequencer.js): jest's own, except that the offline diff's file, whose
 * work is mostly child processes, never starts a worker.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** What jest's sequencer reads of a test: its path, and the file's size when no timings are cached. */
interface SequencedTest {
  path: string;
  context: { config: { cache: boolean }; hasteFS: { getSize(file: string): number } };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a plain JavaScript module, as jest.config.js loads it
const SuiteSequencer = require('./support/sequencer') as new () => { sort(tests: SequencedTest[]): SequencedTest[] };
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

test("the diff's file never starts a worker, even as the largest file; the others keep jest's order", () => {
  // GIVEN the diff's file the largest of all
  const sizes = { [DIFF]: 1_000_000 };
  const all = [...FILES, DIFF];
  // WHEN jest's sequencer and the suite's order them
  const jest = new JestSequencer().sort(tests(all, sizes)).map((t) => t.path);
  const suite = new SuiteSequencer().sort(tests(all, sizes)).map((t) => t.path);
  // THEN jest starts a worker with it, and the suite starts it right after the first file of every worker
  expect(FILES.length).toBeGreaterThan(workers);
  expect(jest[0]).toBe(DIFF);
  expect(suite.indexOf(DIFF)).toBe(workers);
  expect(suite.filter((f) => f !== DIFF)).toEqual(jest.filter((f) => f !== DIFF));
});

test("where the diff's file does not start a worker, the order is jest's", () => {
  const sizes = { [DIFF]: 1 };
  const all = [...FILES, DIFF];
  expect(new SuiteSequencer().sort(tests(all, sizes)).map((t) => t.path)).toEqual(
    new JestSequencer().sort(tests(all, sizes)).map((t) => t.path),
  );
});

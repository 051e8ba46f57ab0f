/**
 * The contract of the suite's runtime and environment (test/support/shared-modules): test files in one jest worker
 * share their modules, and each still gets its setupFilesAfterEnv, restored spies and real timers. Proved on a fixture
 * of two files run by jest itself in one worker, and against jest's own runtime, where each file loads its modules
 * again (so the first assertion can fail).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const SUPPORT = path.join(__dirname, 'support', 'shared-modules');
const FIXTURE = path.join(SUPPORT, 'fixture');

interface FileRecord {
  readonly file: string;
  readonly seen: string[];
}

/** Runs the fixture's two files in one worker, with the shared runtime or jest's own; returns the per-file records. */
function runFixture(shared: boolean): { status: number | null; output: string; records: FileRecord[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shared-modules-'));
  const log = path.join(dir, 'log.jsonl');
  const config = {
    rootDir: FIXTURE,
    testMatch: ['**/*.test.js'],
    transform: {},
    cacheDirectory: path.join(dir, 'cache'),
    setupFilesAfterEnv: ['<rootDir>/per-file.js'],
    ...(shared
      ? { runtime: path.join(SUPPORT, 'runtime.js'), testEnvironment: path.join(SUPPORT, 'environment.js') }
      : { testEnvironment: 'node' }),
  };
  try {
    const result = spawnSync(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--config', JSON.stringify(config), '--runInBand', '--ci'],
      { cwd: FIXTURE, encoding: 'utf8', env: { ...process.env, SHARED_MODULES_LOG: log } },
    );
    const records = fs.existsSync(log)
      ? fs
          .readFileSync(log, 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as FileRecord)
      : [];
    return { status: result.status, output: result.stderr, records };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const names = (records: FileRecord[]) => records.map((r) => path.basename(r.file)).sort();

test('with the shared runtime, the second file finds the first one’s modules loaded; each file still gets its setupFilesAfterEnv, restored spies and real timers', () => {
  const { status, output, records } = runFixture(true);
  // Both files passed "no spy or fake timer of an earlier file is left", though each leaves both behind.
  expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('Tests:       4 passed, 4 total') });
  // The setup file's afterAll ran once for each file.
  expect(names(records)).toEqual(['first.test.js', 'second.test.js']);
  // One registry: the module the second file loaded is the one the first file wrote its name into.
  expect(records[1].seen).toEqual([path.basename(records[0].file), path.basename(records[1].file)]);
});

test("with jest's own runtime, each file loads its modules again", () => {
  const { status, records } = runFixture(false);
  expect(status).toBe(0);
  expect(names(records)).toEqual(['first.test.js', 'second.test.js']);
  expect(records.map((r) => r.seen)).toEqual(records.map((r) => [path.basename(r.file)]));
});

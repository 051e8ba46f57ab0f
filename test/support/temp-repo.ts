/**
 * A temporary git repository holding a copy of this project (what the app needs to synthesize, and the review
 * commands), with one commit, `base`, and node_modules borrowed through a symlink: the ground on which the
 * offline diff and its cost section are tested end to end. The working tree is edited per case.
 *
 * The commit is deterministic: fixed author, committer and dates, and git's own configuration left out, so the same
 * sources give the same commit ID in every temporary repository and every run. The diff command caches a commit's
 * synthesis by commit, environment and lockfile (`commitCacheFile`, in the borrowed node_modules), so the base is
 * synthesized once for as long as the sources stay the same: the same commit and lockfile are the same templates.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { type CommandResult, runScript } from './commands';

const ROOT = path.join(__dirname, '..', '..');
/** What the app needs to synthesize, and the diff command itself. */
const SOURCES = ['bin', 'lib', 'config', 'scripts', 'services', 'cdk.json', 'package.json', 'package-lock.json', 'tsconfig.json'];

export interface TempRepo {
  readonly dir: string;
  git(...args: string[]): string;
  /** Replaces `from` by `to` in `file`; fails (an expect) when the source no longer holds `from`. */
  edit(change: { file: string; from: string; to: string }): void;
  /** Runs `scripts/<script>` in the repository, as `npm run` would, with this process's environment or `env`. */
  run(script: string, args: string[], env?: NodeJS.ProcessEnv): CommandResult;
  /** Undoes every edit of the working tree. */
  reset(): void;
  remove(): void;
}

/** Who made the commit and when, fixed; no global or system configuration (signing, line endings, hooks). */
const GIT_ENV: NodeJS.ProcessEnv = {
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
  GIT_CONFIG_GLOBAL: os.devNull,
  GIT_CONFIG_NOSYSTEM: '1',
};

export function createTempRepo(prefix: string): TempRepo {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const git = (...args: string[]) => spawnSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...GIT_ENV } }).stdout;
  for (const source of SOURCES) fs.cpSync(path.join(ROOT, source), path.join(dir, source), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  fs.writeFileSync(path.join(dir, '.gitignore'), 'node_modules\n');
  git('init', '--quiet');
  git('add', '-A');
  git('commit', '--quiet', '-m', 'base');
  return {
    dir,
    git,
    edit(change) {
      const file = path.join(dir, change.file);
      const text = fs.readFileSync(file, 'utf8');
      // A test that edits nothing would pass for the wrong reason: fail when the source has moved on.
      expect(text).toContain(change.from);
      fs.writeFileSync(file, text.replace(change.from, change.to));
    },
    // This test file's environment by default (the suite's shortcuts of test/support/synth-setup.ts).
    run: (script, args, env = process.env) => runScript(script, args, env, dir),
    reset() {
      git('checkout', '--quiet', '--', '.');
    },
    remove() {
      fs.unlinkSync(path.join(dir, 'node_modules'));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

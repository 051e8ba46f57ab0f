/**
 * Synthesizes the app at a git revision and in the working tree, without the CDK CLI and without AWS: the
 * app command from cdk.json runs with the CLI's protocol (context in CDK_CONTEXT_JSON, output directory in
 * CDK_OUTDIR), then the `*.template.json` files are read back. A revision is checked out in a temporary
 * `git worktree` that borrows the working tree's node_modules through a symlink, so nothing is installed.
 */
import { execFileSync, spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { listEnvironments } from '../../config/load';
import { DiffError } from './errors';

/** A CloudFormation template as synthesized. */
export type CfnTemplate = Record<string, unknown>;

/**
 * The templates of one environment, by stack name (the artifact ID `cdk diff` prints), and, when they come
 * from a cloud assembly, each stack's dependencies from its manifest: the order `cdk deploy --all` follows.
 */
export interface StackTemplates extends Map<string, CfnTemplate> {
  dependencies?: Map<string, readonly string[]>;
}

/** The templates of every synthesized environment of one revision, by environment name. */
export type RevisionTemplates = Map<string, StackTemplates>;

/**
 * Context the CDK CLI adds to every synthesis. Path metadata lets the diff print construct paths next to
 * logical IDs; version reporting is off because its analytics resource changes with library use, not with
 * infrastructure, and would be noise in every review.
 */
const CLI_CONTEXT = { 'aws:cdk:enable-path-metadata': true, 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:version-reporting': false };

/**
 * The app's own context for the diff's syntheses (bin/app.ts): the compliance gate is left out, the Control Tower
 * controls (and an organization's Guard rules) and the cdk-nag packs. They judge templates and change none (their
 * acknowledgements are written into template metadata either way; test/compliance.test.ts proves it), so the diff
 * is the same without them; `cdk synth` runs them. Left in, they cost cfn-guard about 2.5 s of CPU per template per
 * revision and the packs about a seventh of a synthesis, and a base revision whose templates a newer control or
 * rule refuses (the base borrows the working tree's node_modules, and with them the newest rules: a pull request
 * that updates cdk-nag and acknowledges what its new rule finds) could not be synthesized, so not be diffed, at all.
 */
export const APP_CONTEXT = { controlTower: false, nagPacks: false };

/** The environments of the project at `projectDir`: one per file in config/environments/. */
export function environmentsOf(projectDir: string): string[] {
  const dir = path.join(projectDir, 'config', 'environments');
  return fs.existsSync(dir) ? listEnvironments(dir) : [];
}

export interface Revision {
  /** What the user named, e.g. `origin/main`. */
  readonly ref: string;
  /** The commit it resolved to. */
  readonly commit: string;
}

/** Resolves `ref` to a commit of the repository holding `projectRoot`; a DiffError when it names none. */
export function resolveRevision(projectRoot: string, ref: string): Revision {
  try {
    git(projectRoot, ['rev-parse', '--show-toplevel']);
  } catch {
    throw new DiffError(`${projectRoot}: expected a git repository, got a directory outside any`);
  }
  if (ref.startsWith('-')) throw new DiffError(`--base: expected a git revision, got "${ref}"`);
  try {
    const commit = git(projectRoot, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]).trim();
    return { ref, commit };
  } catch {
    throw new DiffError(
      `--base: expected a commit, branch or tag of this repository, got "${ref}" (in CI, check out with full history: actions/checkout with fetch-depth: 0)`,
    );
  }
}

/**
 * Checks out `revision` in a temporary worktree, runs `fn` with the project's directory in it, and removes
 * the worktree afterwards, whatever happens.
 */
export async function withRevision<T>(projectRoot: string, revision: Revision, fn: (projectDir: string) => Promise<T>): Promise<T> {
  const top = git(projectRoot, ['rev-parse', '--show-toplevel']).trim();
  const prefix = git(projectRoot, ['rev-parse', '--show-prefix']).trim();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'offline-cdk-diff-'));
  const tree = path.join(tmp, 'tree');
  try {
    git(top, ['worktree', 'add', '--detach', '--quiet', tree, revision.commit]);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw new DiffError(`git worktree add of ${revision.ref} failed: ${((e as { stderr?: string }).stderr ?? String(e)).trim()}`);
  }
  const projectDir = path.join(tree, prefix);
  const modules = path.join(projectDir, 'node_modules');
  const cleanUp = () => {
    // Unlink first, so that nothing that deletes the worktree can follow the link into the real node_modules.
    if (fs.lstatSync(modules, { throwIfNoEntry: false })?.isSymbolicLink()) fs.unlinkSync(modules);
    try {
      git(top, ['worktree', 'remove', '--force', tree]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
      git(top, ['worktree', 'prune']);
    }
  };
  // Ctrl-C must not leave a worktree registered in the repository.
  const onSignal = (signal: NodeJS.Signals) => {
    cleanUp();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    if (!fs.existsSync(path.join(projectDir, 'cdk.json'))) {
      throw new DiffError(`--base: expected a CDK app (cdk.json) at ${revision.ref}:${prefix || './'}, got none`);
    }
    if (!fs.existsSync(modules)) fs.symlinkSync(path.join(projectRoot, 'node_modules'), modules, 'dir');
    return await fn(projectDir);
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    cleanUp();
  }
}

/** One synthesis to run: an environment of the project at `projectDir`; `label` names the revision in errors. */
export interface SynthTask {
  readonly projectDir: string;
  readonly env: string;
  readonly label: string;
  /**
   * Where to keep the result, for a synthesis that cannot change: a commit's, with the same dependencies.
   * @default - not cached (the working tree)
   */
  readonly cacheFile?: string;
}

/**
 * The cache file for environment `env` at `commit`. A commit's templates depend on its code and on the
 * dependencies it runs with, which are the working tree's (node_modules is borrowed), so the lockfile's hash
 * is part of the key. Kept under node_modules/.cache, the usual place for tools' caches, so `npm ci` clears it.
 */
export function commitCacheFile(projectRoot: string, commit: string, env: string): string | undefined {
  const lockfile = path.join(projectRoot, 'package-lock.json');
  if (!fs.existsSync(lockfile)) return undefined;
  const deps = createHash('sha256').update(fs.readFileSync(lockfile)).digest('hex').slice(0, 16);
  return path.join(projectRoot, 'node_modules', '.cache', 'offline-cdk-diff', `${commit}-${env}-${deps}.json`);
}

const CACHE_ENTRIES_KEPT = 40;

function readCache(file: string | undefined): StackTemplates | undefined {
  if (!file || !fs.existsSync(file)) return undefined;
  try {
    const cached = readJson(file) as { templates: Record<string, CfnTemplate>; dependencies: Record<string, string[]> };
    if (!cached.templates || !cached.dependencies) return undefined; // Written before deploy order was kept.
    return withDependencies(new Map(Object.entries(cached.templates)), new Map(Object.entries(cached.dependencies)));
  } catch {
    return undefined; // A torn or foreign file: synthesize again.
  }
}

function writeCache(file: string | undefined, templates: StackTemplates): void {
  if (!file) return;
  try {
    const dir = path.dirname(file);
    fs.mkdirSync(dir, { recursive: true });
    const dependencies = Object.fromEntries(templates.dependencies ?? new Map());
    fs.writeFileSync(`${file}.tmp`, JSON.stringify({ templates: Object.fromEntries(templates), dependencies }));
    fs.renameSync(`${file}.tmp`, file);
    const entries = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => ({ f, mtime: fs.statSync(path.join(dir, f)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime);
    for (const old of entries.slice(CACHE_ENTRIES_KEPT)) fs.rmSync(path.join(dir, old.f), { force: true });
  } catch {
    // A cache that cannot be written (read-only node_modules) only costs time.
  }
}

/**
 * Runs `tasks`, at most `jobs` at a time (each synthesis is a separate, CPU-bound process), and returns their
 * templates in the tasks' order. The first failure is thrown once every running synthesis has ended.
 */
export async function synthesizeAll(tasks: readonly SynthTask[], jobs: number): Promise<StackTemplates[]> {
  const results: StackTemplates[] = new Array<StackTemplates>(tasks.length);
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (failure === undefined && next < tasks.length) {
      const i = next++;
      try {
        const cached = readCache(tasks[i].cacheFile);
        results[i] = cached ?? (await synthesize(tasks[i].projectDir, tasks[i].env, tasks[i].label));
        if (!cached) writeCache(tasks[i].cacheFile, results[i]);
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, tasks.length)) }, worker));
  if (failure !== undefined) throw failure;
  return results;
}

/** Runs the app of `projectDir` for one environment, as `cdk synth -c env=NAME` would, and reads the templates. */
export async function synthesize(projectDir: string, env: string, label: string): Promise<StackTemplates> {
  const cdkJson = readJson(path.join(projectDir, 'cdk.json')) as { app?: unknown; context?: Record<string, unknown> };
  if (typeof cdkJson.app !== 'string') throw new DiffError(`${label}: cdk.json: app: expected the command that runs the app, got none`);
  const localContext = path.join(projectDir, 'cdk.context.json');
  const context = {
    ...(cdkJson.context ?? {}),
    ...(fs.existsSync(localContext) ? (readJson(localContext) as Record<string, unknown>) : {}),
    ...CLI_CONTEXT,
    ...APP_CONTEXT,
    env,
  };
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'offline-cdk-diff-out-'));
  try {
    const { status, stderr } = await run(cdkJson.app, projectDir, {
      ...process.env,
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify(context),
    });
    if (status !== 0) throw new DiffError(`Synthesis of environment "${env}" at ${label} failed (exit ${status}):\n${stderr.trimEnd()}`);
    const templates = readTemplates(outdir);
    return withDependencies(templates, manifestDependencies(path.join(outdir, 'manifest.json'), templates));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** The file beside a saved environment's templates that holds its deploy order. */
const DEPLOY_ORDER_FILE = 'deploy-order.json';
/** How `cdk synth` names a stack's template in the cloud assembly, and `--out` beside it. */
const TEMPLATE_SUFFIX = '.template.json';

/**
 * Writes a revision's templates as the diff compared them (`--out`): `<dir>/<env>/<stack>.template.json`, the files
 * `cdk synth` would write, and `<dir>/<env>/deploy-order.json`, each stack's dependencies from the manifest.
 */
export function writeRevision(dir: string, revision: RevisionTemplates): void {
  for (const [env, templates] of revision) {
    const envDir = path.join(dir, env);
    fs.mkdirSync(envDir, { recursive: true });
    for (const [stack, template] of templates)
      fs.writeFileSync(path.join(envDir, `${stack}${TEMPLATE_SUFFIX}`), JSON.stringify(template, null, 1));
    fs.writeFileSync(
      path.join(envDir, DEPLOY_ORDER_FILE),
      JSON.stringify(Object.fromEntries(templates.dependencies ?? new Map()), null, 1),
    );
  }
}

/** Reads what `writeRevision` wrote into `dir`. */
export function readRevision(dir: string): RevisionTemplates {
  const revision: RevisionTemplates = new Map();
  for (const env of fs.readdirSync(dir).sort()) {
    const envDir = path.join(dir, env);
    const order = readJson(path.join(envDir, DEPLOY_ORDER_FILE)) as Record<string, string[]>;
    revision.set(env, withDependencies(readTemplates(envDir), new Map(Object.entries(order))));
  }
  return revision;
}

/** Each `<stack>.template.json` of `dir` (a cloud assembly, or what `writeRevision` wrote), by stack name. */
function readTemplates(dir: string): StackTemplates {
  const templates: StackTemplates = new Map();
  for (const file of fs.readdirSync(dir).sort()) {
    if (file.endsWith(TEMPLATE_SUFFIX))
      templates.set(file.slice(0, -TEMPLATE_SUFFIX.length), readJson(path.join(dir, file)) as CfnTemplate);
  }
  return templates;
}

/** Stack → the stacks it depends on, from the cloud assembly manifest (asset artifacts left out). */
function manifestDependencies(manifestFile: string, templates: StackTemplates): Map<string, readonly string[]> {
  const manifest = readJson(manifestFile) as { artifacts?: Record<string, { type?: string; dependencies?: string[] }> };
  const result = new Map<string, readonly string[]>();
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    result.set(id, (artifact.dependencies ?? []).filter((d) => templates.has(d)).sort());
  }
  return result;
}

function withDependencies(templates: StackTemplates, dependencies: Map<string, readonly string[]>): StackTemplates {
  templates.dependencies = dependencies;
  return templates;
}

// The CLI runs cdk.json's `app` through a shell too; stdout is ignored, stderr is kept for the error message.
function run(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, { cwd, env, shell: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

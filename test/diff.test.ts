/**
 * `npm run diff` end to end, on a temporary git repository holding a copy of this project: the base is its
 * first commit, the working tree is edited per case. Each synthesis takes seconds, so the cases share one
 * synthesis of the base and compare only the `dev` environment; the command itself runs once in full.
 */
import * as fs from 'fs';
import * as path from 'path';
import { compareRevisions, type DiffReport, synthesizeRevisions } from '../scripts/diff/engine';
import { commitCacheFile, resolveRevision, type RevisionTemplates, synthesize } from '../scripts/diff/synth';
import { createTempRepo, type TempRepo } from './support/temp-repo';

const ENV = 'dev';

/**
 * The stateful construct whose ID the test renames: the database, the costliest thing to lose by a rename.
 */
const RENAME = {
  file: 'lib/stacks/data-stack.ts',
  from: "new AuroraDatabase(this, 'Database'",
  to: "new AuroraDatabase(this, 'PrimaryDatabase'",
  stack: `ScaledApp-${ENV}-Data`,
  // The resource the assertions single out; the rename replaces the database's other stateful resources too.
  type: 'AWS::RDS::DBCluster',
  path: 'Database/Cluster',
  logicalId: /^DatabaseCluster[0-9A-F]{8}$/,
  renamedIdPrefix: 'PrimaryDatabaseCluster',
};

/** A configuration change that updates a stateful resource in place (switch to the cache eviction policy once caches land). */
const IN_PLACE = {
  file: 'config/defaults.ts',
  from: "evictionPolicy: 'allkeys-lru'",
  to: "evictionPolicy: 'allkeys-lfu'",
  stack: `ScaledApp-${ENV}-Data`,
  type: 'AWS::ElastiCache::ParameterGroup',
};

// Synthesis runs the whole app with every compliance pack, on a shared 2-core machine.
const SYNTH_TIMEOUT = 240_000;

let temp: TempRepo;
let repo: string;
const git = (...args: string[]) => temp.git(...args);
const edit = (change: { file: string; from: string; to: string }) => temp.edit(change);
const diffCommand = (args: string[]) => temp.run('diff.ts', args);

beforeAll(() => {
  temp = createTempRepo('diff-repo-');
  repo = temp.dir;
});

afterEach(() => {
  temp.reset();
  fs.rmSync(path.join(repo, '.diff-allow.json'), { force: true });
});

afterAll(() => temp.remove());

describe('npm run diff', () => {
  test('fails with exit 2 when --base names no commit', () => {
    const result = diffCommand(['--base', 'no-such-branch']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--base: expected a commit, branch or tag of this repository, got "no-such-branch"');
  });

  test('fails with exit 2 on an allow-list entry without a reason, naming the field, before synthesizing', () => {
    const entry = { env: ENV, stack: RENAME.stack, logicalId: 'DatabaseCluster5B53A178' };
    fs.writeFileSync(path.join(repo, '.diff-allow.json'), JSON.stringify([entry]));
    const result = diffCommand(['--base', 'HEAD']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      '.diff-allow.json: 0.reason: expected a reason a reviewer can check (why losing this resource is safe), got nothing (the field is missing)',
    );
  });

  test(
    'a renamed stateful construct: exit 1, the resource named, the PR summary written, the worktree removed',
    () => {
      edit(RENAME);
      const markdown = path.join(repo, 'summary.md');
      const result = diffCommand(['--base', 'HEAD', '--env', ENV, '--markdown', markdown]);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(1);
      const blocked = result.stdout.split('\n').filter((line) => line.includes('BLOCKED '));
      // The cluster, its instances, its secret and its log group: every stateful resource under the construct.
      expect(blocked.length).toBeGreaterThanOrEqual(3);
      const id = RENAME.logicalId.source.slice(1, -1);
      expect(blocked).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `BLOCKED ${ENV} ${RENAME.stack} ${id} \\(${RENAME.type}\\) removed: ${RENAME.path}; added in its place: ${RENAME.renamedIdPrefix}`,
          ),
        ),
      );
      expect(result.stdout).toContain(`BLOCKED: ${blocked.length} stateful resources would be replaced or removed.`);
      // The CDK-style diff, as `cdk diff` prints it.
      expect(result.stdout).toMatch(new RegExp(`\\[-\\] ${RENAME.type} ${RENAME.path} ${id} destroy`));

      const summary = fs.readFileSync(markdown, 'utf8');
      expect(summary.startsWith('<!-- offline-cdk-diff -->')).toBe(true);
      expect(summary).toMatch(new RegExp(`\\| ❌ \\| ${ENV} \\| ${RENAME.stack} \\| \`${id}\` \\| ${RENAME.type} \\| removed \\|`));
      expect(summary).toMatch(new RegExp(`<details><summary>dev / ${RENAME.stack}: \\d+ added, .*\\d+ removed</summary>`));

      expect(git('worktree', 'list').trim().split('\n')).toHaveLength(1);
    },
    SYNTH_TIMEOUT,
  );
});

describe('the diff engine against one synthesis of the base', () => {
  test("a synthesis that fails is an error carrying the app's stderr (the command exits 2)", async () => {
    edit({ file: `config/environments/${ENV}.ts`, from: 'readReplicas: 1,', to: 'readReplicas: -1,' });
    await expect(synthesize(repo, ENV, 'the working tree')).rejects.toThrow(
      /Synthesis of environment "dev" at the working tree failed \(exit 1\):\n.*database\.readReplicas: expected an integer >= /s,
    );
  });

  let base: RevisionTemplates;
  const workingTree = async (): Promise<RevisionTemplates> => new Map([[ENV, await synthesize(repo, ENV, 'the working tree')]]);
  const changesOf = (report: DiffReport) =>
    report.environments.flatMap((e) => e.stacks.flatMap((s) => s.changes.map((c) => ({ stack: s.stack, ...c }))));

  let unchanged: RevisionTemplates;
  beforeAll(async () => {
    // The base is a commit: the command's run above cached its synthesis, so only the working tree is synthesized.
    ({ base, head: unchanged } = await synthesizeRevisions({ projectRoot: repo, base: 'HEAD', envs: [ENV] }));
  }, SYNTH_TIMEOUT);

  test("a commit's synthesis is cached, keyed by commit, environment and lockfile, and read back whole", () => {
    const file = commitCacheFile(repo, resolveRevision(repo, 'HEAD').commit, ENV)!;
    expect(file).toContain(path.join('node_modules', '.cache', 'offline-cdk-diff'));
    const cached = JSON.parse(fs.readFileSync(file, 'utf8'));
    const templates = base.get(ENV)!;
    expect(cached).toEqual({ templates: Object.fromEntries(templates), dependencies: Object.fromEntries(templates.dependencies!) });
    // Network, Data, Service, Monitoring, and Chaos (the environment is not production: it has experiments).
    expect(Object.keys(cached.templates)).toHaveLength(5);
    // The deploy order the plan reasons with is kept too: Service after Data, Chaos after Monitoring.
    expect(cached.dependencies[`ScaledApp-${ENV}-Service`]).toContain(`ScaledApp-${ENV}-Data`);
  });

  test(
    'an unchanged working tree has no changes and is safe',
    async () => {
      const report = compareRevisions(base, unchanged);
      expect(report.exitCode).toBe(0);
      expect(changesOf(report)).toEqual([]);
      expect(report.environments[0].stacks.map((s) => s.status)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged']);
    },
    SYNTH_TIMEOUT,
  );

  describe("a working tree that changes the hot tier's eviction policy and renames the database", () => {
    // One synthesis serves the three specifications below: synthesis is the slow part of this suite.
    let head: RevisionTemplates;
    beforeAll(async () => {
      edit(IN_PLACE);
      edit(RENAME);
      head = await workingTree();
    }, SYNTH_TIMEOUT);

    test('the eviction-policy change is updated in place and not destructive', () => {
      expect(changesOf(compareRevisions(base, head))).toContainEqual(
        expect.objectContaining({ stack: IN_PLACE.stack, type: IN_PLACE.type, kind: 'updated in place', destructive: false }),
      );
    });

    test('the rename blocks (exit 1), naming the database cluster', () => {
      const blocked = compareRevisions(base, head);
      expect(blocked.exitCode).toBe(1);
      expect(blocked.findings.map((f) => f.change.logicalId)).toContainEqual(expect.stringMatching(RENAME.logicalId));
    });

    test('a reviewed allow-list entry per finding lets the rename pass, and the rename is still listed as allowed', () => {
      const ids = compareRevisions(base, head).findings.map((f) => f.change.logicalId);
      const entries = ids.map((logicalId) => ({ env: ENV, stack: RENAME.stack, logicalId, reason: 'dev holds no data worth keeping' }));
      // One entry short still blocks.
      expect(compareRevisions(base, head, entries.slice(1)).exitCode).toBe(1);
      const allowed = compareRevisions(base, head, entries);
      expect(allowed.exitCode).toBe(0);
      expect(allowed.findings).toEqual(entries.map((entry) => expect.objectContaining({ stack: RENAME.stack, allowedBy: entry })));
    });
  });
});

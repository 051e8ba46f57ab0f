/**
 * The command-line contract: `cdk synth`'s app and `npm run config` on good and bad configuration.
 *
 * Each entry point runs once in a child process as its users run it (tsx, `TS_LOADER`, as cdk.json and
 * package.json do): the wiring from the process to `main`, its exit code and its output. The other cases run the
 * same `main` in this process (test/support/commands.ts): a child costs about 1 s of CPU (tsx, loading
 * aws-cdk-lib) before it does anything, and those cases stop before any synthesis.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main as appMain, complianceOptions } from '../bin/app';
import { main as configMain } from '../scripts/config';
import { TS_LOADER } from './support/child';
import { runEntryPoint, runInProcess, runScript } from './support/commands';
import { CDK_JSON_CONTEXT } from './support/synth';

const ROOT = path.join(__dirname, '..');

/**
 * Runs bin/app.ts as the CDK CLI would: cdk.json's context and the command line's in CDK_CONTEXT_JSON, output
 * directory in CDK_OUTDIR; in a child process, or its `main` in this one with the same variables. (Without cdk.json's
 * feature flags the audit bucket takes S3 log delivery through an ACL, which Control Tower's CT.S3.PR.5 refuses:
 * the flags are part of the app.)
 */
async function synthApp(context: Record<string, string>, where: 'child process' | 'in process') {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-out-'));
  const cli = { CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ ...CDK_JSON_CONTEXT, ...context }) };
  const result =
    where === 'child process'
      ? runEntryPoint('bin/app.ts', [], { ...process.env, ...cli })
      : await runInProcess('bin/app.ts', async () => appMain(), [], { ...process.env, ...cli });
  const templates = fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
  fs.rmSync(outdir, { recursive: true, force: true });
  return { ...result, templates };
}

/** `npm run config`'s `main` in this process. */
const config = (argv: string[]) => runInProcess('config', async (args) => configMain(args), argv, process.env);

const BAD_ENV_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'bad-envs-'));
fs.writeFileSync(
  path.join(BAD_ENV_DIR, 'broken.ts'),
  `export default {
  environment: { production: true, account: '1', region: 'eu-west-1', availabilityZones: ['eu-west-1a', 'eu-west-1b'] },
  network: { natGateways: 2 },
  database: { multiAz: false, backup: { retentionDays: 40 } },
  loadBalancer: { certificate: { arn: 'arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-4000-8000-000000000000' } },
};
`,
);

describe('the entry points run as the tests run them', () => {
  test("cdk.json's app and every package.json script that runs a TypeScript file load it with TS_LOADER", () => {
    const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const app = (JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as { app: string }).app;
    const commands = [app, ...Object.values(scripts).filter((command) => /\.ts\b/.test(command))];
    // The app, and config, diff, verify, cost, chaos, workload and the document generators.
    expect(commands.length).toBeGreaterThanOrEqual(10);
    for (const command of commands) expect(command).toMatch(new RegExp(`^node (--[\\w-]+ )*${TS_LOADER.join(' ')} \\S+\\.ts$`));
  });
});

describe('bin/app.ts (the app cdk.json runs)', () => {
  // The entry point itself, in a child process as the CDK CLI runs it: context and output directory from the
  // variables, exit code 0, the templates written. Its templates are byte for byte those of environments.test.ts's
  // whole-gate synthesis of dev (cdk.json's context in both), so in one run cfn-guard checks them once: whichever
  // runs second finds its findings in the result cache.
  test('without -c env it synthesizes dev: one template per layer', async () => {
    const result = await synthApp({}, 'child process');
    expect(result.status).toBe(0);
    expect(result.templates.sort()).toEqual([
      // dev is not production: it has the fault-injection experiments.
      'ScaledApp-dev-Chaos.template.json',
      'ScaledApp-dev-Data.template.json',
      'ScaledApp-dev-Monitoring.template.json',
      'ScaledApp-dev-Network.template.json',
      'ScaledApp-dev-Service.template.json',
    ]);
  });

  test('fails on an unknown environment, lists the known ones, and writes no template', async () => {
    const result = await synthApp({ env: 'prd' }, 'in process');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/expected one of .*dev.*prod.*staging.*got "prd"/);
    expect(result.templates).toEqual([]);
  });

  test('fails on bad configuration with every problem, and writes no template', async () => {
    const result = await synthApp({ env: 'broken', environmentsDir: BAD_ENV_DIR }, 'in process');
    expect(result.status).toBe(1);
    // The three below, and production's two recovery guard rails (copy region, vault lock) the file leaves out.
    expect(result.stderr).toContain('is invalid (5 problems)');
    expect(result.stderr).toContain('recovery.crossRegionCopy.region: expected a region for the copy vault in a production environment');
    expect(result.stderr).toContain('environment.account: expected a 12-digit AWS account ID, got "1"');
    expect(result.stderr).toContain('database.backup.retentionDays: expected an integer <= 35, got 40');
    expect(result.stderr).toContain('database.multiAz: expected true in a production environment, got false');
    expect(result.templates).toEqual([]);
  });
});

describe("bin/app.ts's compliance gate, from the context", () => {
  const optionsOf = (context: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => complianceOptions((key) => context[key], env);

  test('is the whole gate by default: every cdk-nag pack and Control Tower control, no rules of its own, no result cache', () => {
    expect(optionsOf({})).toEqual({ guardRules: undefined, controlTower: true, nagPacks: true, guardResultCacheDir: undefined });
  });

  test('-c controlTower=false and -c nagPacks=false leave each out, whether from the command line (a string) or cdk.json (a boolean)', () => {
    expect(optionsOf({ controlTower: 'false' })).toMatchObject({ controlTower: false, nagPacks: true });
    expect(optionsOf({ nagPacks: 'false' })).toMatchObject({ controlTower: true, nagPacks: false });
    expect(optionsOf({ controlTower: false, nagPacks: false })).toMatchObject({ controlTower: false, nagPacks: false });
    // Anything else keeps them.
    expect(optionsOf({ controlTower: 'no', nagPacks: true })).toMatchObject({ controlTower: true, nagPacks: true });
  });

  test("an organization's Guard rules from -c guardRules=A,B or a list in cdk.json, and the result cache from GUARD_RESULT_CACHE_DIR", () => {
    expect(optionsOf({ guardRules: 'a.guard,,rules/' }).guardRules).toEqual(['a.guard', 'rules/']);
    expect(optionsOf({ guardRules: ['rules/'] }).guardRules).toEqual(['rules/']);
    expect(optionsOf({}, { GUARD_RESULT_CACHE_DIR: '/tmp/guard' }).guardResultCacheDir).toBe('/tmp/guard');
    expect(optionsOf({}, { GUARD_RESULT_CACHE_DIR: '' }).guardResultCacheDir).toBeUndefined();
  });
});

describe('npm run config', () => {
  test('prints the resolved configuration as JSON on stdout only', async () => {
    const result = await config(['--env', 'prod']);
    expect(result.status).toBe(0);
    const printed = JSON.parse(result.stdout);
    expect(printed.environment).toMatchObject({ name: 'prod', production: true });
    expect(printed.database.deletionProtection).toBe(true);
    expect(result.stderr).toBe('');
  });

  // The entry point itself, in a child process as npm runs it: the arguments reach `main`, its code is the process's.
  test('prints the same problems as synth and exits 1 on bad configuration', () => {
    const result = runScript('config.ts', ['--env', 'broken', '--environments-dir', BAD_ENV_DIR], process.env);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(5);
  });

  test('exits 2 with usage when --env is missing', async () => {
    const result = await config([]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/usage: npm run config -- --env NAME/);
  });
});

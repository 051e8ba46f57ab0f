/**
 * `npm run compliance:findings [-- ENV...] [--all-controls]` lists, per environment, every finding of the
 * compliance gate (cdk-nag packs, Control Tower controls, CloudFormation validation) that is not acknowledged:
 * rule, construct path, logical ID and the fix the rule suggests. It synthesizes like the CLI but does not stop at
 * the first failing environment, so one run shows everything left to fix or acknowledge after a merge.
 * `--all-controls` runs every bundled Control Tower control against every template (no pruning by resource
 * type), to show that the pruned run finds the same. Exit 1 when anything is listed.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { listEnvironments, loadEnvironment } from '../config/load';
import { buildEnvironment } from '../lib/app';

const CDK_JSON = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };

export interface Finding {
  readonly plugin: string;
  readonly rule: string;
  readonly description: string;
  readonly fix?: string;
  readonly constructPath?: string;
  readonly logicalId?: string;
}

interface ReportJson {
  pluginReports: {
    pluginName: string;
    violations?: {
      ruleName: string;
      description: string;
      suggestedFix?: string;
      violatingConstructs?: { constructPath?: string; cloudFormationResource?: { logicalId?: string } }[];
    }[];
  }[];
}

/** Every unacknowledged finding of one environment, read from CDK's validation report of a real synth. */
export function findings(envName: string, options: { allControls?: boolean } = {}): Finding[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `findings-${envName}-`));
  try {
    // Report instead of throwing, so that every finding of every plugin is listed.
    const app = new App({ outdir, context: { ...CDK_JSON.context, '@aws-cdk/core:failSynthOnValidationErrors': false } });
    buildEnvironment(app, loadEnvironment(envName), { allControlTowerControls: options.allControls });
    const originalExitCode = process.exitCode;
    const assembly = app.synth();
    process.exitCode = originalExitCode;
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8')) as ReportJson;
    return report.pluginReports.flatMap((p) =>
      (p.violations ?? []).flatMap((v) =>
        (v.violatingConstructs?.length ? v.violatingConstructs : [{}]).map((c) => ({
          plugin: p.pluginName,
          rule: v.ruleName,
          description: v.description,
          fix: v.suggestedFix,
          constructPath: c.constructPath,
          logicalId: c.cloudFormationResource?.logicalId,
        })),
      ),
    );
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const allControls = args.includes('--all-controls');
  const envs = args.filter((a) => !a.startsWith('--'));
  // CDK prints the validation report on stderr as well; this script's own listing is the shorter one.
  const consoleError = console.error;
  let total = 0;
  for (const env of envs.length > 0 ? envs : listEnvironments()) {
    console.error = () => undefined;
    const list = findings(env, { allControls });
    console.error = consoleError;
    total += list.length;
    process.stdout.write(`## ${env}: ${list.length} unacknowledged finding${list.length === 1 ? '' : 's'}\n`);
    for (const f of list) {
      process.stdout.write(`- [${f.plugin}] ${f.rule} at ${f.constructPath ?? '?'} (${f.logicalId ?? '?'})\n    ${f.description}\n`);
      if (f.fix) process.stdout.write(`    fix: ${f.fix}\n`);
    }
  }
  process.exitCode = total > 0 ? 1 : 0;
}

/**
 * `npm run chaos -- --env NAME [--list | --start EXPERIMENT [--yes]] [--json] [--region R] [--profile P]`
 *
 * Lists an environment's fault-injection experiments with their hypotheses, or starts one, follows it and judges
 * the recovery (scripts/chaos/runner.ts). Exit codes: 0 listed, or the experiment completed and the app recovered
 * within the stated time; 1 the experiment was stopped or failed, or the app did not recover in time, or the
 * configuration is invalid; 2 usage error, an experiment this environment does not have, an AWS error, or
 * credentials missing or expired (one line, as `npm run verify`). See docs/chaos.md.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { FisClient } from '@aws-sdk/client-fis';
import { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import * as readline from 'readline';
import { parseArgs } from 'util';
import { ConfigError, ENVIRONMENTS_DIR, listEnvironments, loadEnvironment } from '../config/load';
import { chaosEnabled } from '../config/schema/chaos-rules';
import { planExperiments } from '../lib/chaos/experiments';
import { type RunEvent, exitCodeOf, findTemplates, runExperiment } from './chaos/runner';
import { isCredentialsError } from './verify/aws';
import { runMain } from './run-main';

const USAGE = 'usage: npm run chaos -- --env NAME [--list | --start EXPERIMENT [--yes]] [--json] [--region REGION] [--profile PROFILE]';

interface Flags {
  env?: string;
  list?: boolean;
  start?: string;
  yes?: boolean;
  json?: boolean;
  region?: string;
  profile?: string;
  'poll-seconds'?: string;
  'environments-dir'?: string;
  help?: boolean;
}

export async function main(argv: string[]): Promise<number> {
  let values: Flags;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        env: { type: 'string' },
        list: { type: 'boolean' },
        start: { type: 'string' },
        yes: { type: 'boolean' },
        json: { type: 'boolean' },
        region: { type: 'string' },
        profile: { type: 'string' },
        'poll-seconds': { type: 'string' },
        'environments-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const dir = values['environments-dir'] ?? ENVIRONMENTS_DIR;
  const modes = (values.list ? 1 : 0) + (values.start !== undefined ? 1 : 0);
  if (values.help || !values.env || modes !== 1) {
    if (!values.help && modes === 2) process.stderr.write('--list and --start exclude each other\n');
    process.stderr.write(`${USAGE}\nenvironments: ${listEnvironments(dir).join(', ')}\n`);
    return values.help ? 0 : 2;
  }
  const pollSeconds = values['poll-seconds'] === undefined ? 15 : Number(values['poll-seconds']);
  if (!Number.isFinite(pollSeconds) || pollSeconds <= 0) {
    process.stderr.write(`--poll-seconds: expected a number of seconds > 0, got ${JSON.stringify(values['poll-seconds'])}\n${USAGE}\n`);
    return 2;
  }

  let config;
  try {
    config = loadEnvironment(values.env, dir);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return 1;
  }
  const env = config.environment.name;
  if (!chaosEnabled(config)) {
    process.stderr.write(
      `${env} has no experiments: ${config.environment.production ? 'a production environment opts in with chaos.enabled: true in its file' : 'chaos.enabled is false'}\n`,
    );
    return values.list ? 0 : 2;
  }
  const catalog = planExperiments(config);
  const plan = values.start === undefined ? undefined : catalog.planned.find((p) => p.id === values.start);
  if (values.start !== undefined && !plan) {
    const skipped = catalog.skipped.find((s) => s.id === values.start);
    process.stderr.write(
      skipped
        ? `${env} has no experiment ${values.start}: ${skipped.reason}\n`
        : `no experiment "${values.start}"; ${env} has ${catalog.planned.map((p) => p.id).join(', ')}\n`,
    );
    return 2;
  }

  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const region = values.region ?? config.environment.region;
  const credentials = values.profile ? fromIni({ profile: values.profile }) : fromNodeProviderChain();
  const clients = { fis: new FisClient({ region, credentials }), cloudWatch: new CloudWatchClient({ region, credentials }) };

  try {
    // Resolve credentials once, up front: a missing profile should say so before anything else happens.
    await credentials();
    const templates = await findTemplates(clients.fis, config.app.name, env);

    if (values.list) {
      const rows = catalog.planned.map((p) => ({
        id: p.id,
        title: p.title,
        hypothesis: p.hypothesis,
        expectedRecoverySeconds: p.recovery.seconds,
        recoveryDerivation: p.recovery.derivation,
        stopAlarms: p.stopAlarmNames,
        templateId: templates.get(p.id) ?? null,
      }));
      if (values.json) {
        process.stdout.write(`${JSON.stringify({ environment: env, region, experiments: rows, notCreated: catalog.skipped }, null, 2)}\n`);
      } else {
        for (const r of rows) {
          process.stdout.write(
            `${r.id} (${r.templateId ?? 'not deployed'}): ${r.title}\n  ${r.hypothesis}\n  recovers within ${r.expectedRecoverySeconds} s: ${r.recoveryDerivation}\n\n`,
          );
        }
        for (const s of catalog.skipped) process.stdout.write(`${s.id} (not created): ${s.reason}\n`);
      }
      return 0;
    }

    const templateId = templates.get(plan!.id);
    if (!templateId) {
      process.stderr.write(
        `experiment ${plan!.id} is not deployed in ${env} (${region}): deploy the ${config.app.name}-${env}-Chaos stack\n`,
      );
      return 2;
    }
    if (!values.yes && !(await confirm(`Start ${plan!.id} (${plan!.title}) in ${env}, template ${templateId}? [y/N] `))) {
      process.stderr.write('not started\n');
      return 2;
    }
    const onEvent = values.json ? undefined : (e: RunEvent) => process.stdout.write(`${describe(e)}\n`);
    const result = await runExperiment(clients, plan!, templateId, { pollMs: pollSeconds * 1000, onEvent });
    if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else process.stdout.write(`${summary(result.outcome, result.recoveredAfterSeconds, result.expectedRecoverySeconds, result.reason)}\n`);
    return exitCodeOf(result);
  } catch (e) {
    if (isCredentialsError(e)) {
      const how = values.profile ? `profile "${values.profile}"` : 'the default credential chain';
      process.stderr.write(
        `credentials: ${oneLine(`${(e as Error).name}: ${(e as Error).message}`)} (from ${how}; sign in again, or pass --profile)\n`,
      );
      return 2;
    }
    process.stderr.write(`chaos: ${oneLine(`${(e as Error).name}: ${(e as Error).message}`)}\n`);
    return 2;
  }
}

async function confirm(question: string): Promise<boolean> {
  // Without a terminal (CI, a pipe) nobody can answer: refuse rather than start an outage unasked.
  if (!process.stdin.isTTY) {
    process.stderr.write('no terminal to confirm on: pass --yes to start without confirmation\n');
    return false;
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}

function describe(e: RunEvent): string {
  const time = new Date().toISOString().slice(11, 19);
  switch (e.kind) {
    case 'started':
      return `${time} started experiment ${e.experimentId}`;
    case 'state':
      return `${time} experiment ${e.status}${e.reason ? `: ${e.reason}` : ''}`;
    case 'alarm':
      return `${time} alarm ${e.name}: ${e.state}`;
    case 'recovering':
      return `${time} waiting up to ${e.deadlineSeconds} s for every alarm to be OK`;
  }
}

function summary(outcome: string, after: number | undefined, expected: number, reason: string | undefined): string {
  switch (outcome) {
    case 'recovered':
      return `recovered: every alarm OK ${after} s after the experiment ended (expected within ${expected} s)`;
    case 'not-recovered':
      return `not recovered: an alarm was still not OK ${expected} s after the experiment ended`;
    default:
      return `experiment ${outcome}${reason ? `: ${reason}` : ''}`;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

// Run as a command, not when a test imports `main` (test/support/commands.ts).
if (require.main === module) runMain('chaos', main);

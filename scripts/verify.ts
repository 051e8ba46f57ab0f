/**
 * `npm run verify -- --env NAME [--region R] [--profile P] [--json] [--max-replica-lag SECONDS]`
 *
 * Checks that what runs in AWS matches what the configuration says: proxy targets, readers and their lag,
 * cache eviction policies, ECS services and their targets, alarms. Reads only (Describe*, GetMetricData).
 * Exit codes: 0 every check passed; 1 a check failed or the configuration is invalid; 2 usage error, or
 * credentials missing or expired. See docs/verify.md.
 */
import { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { parseArgs } from 'util';
import { ConfigError, ENVIRONMENTS_DIR, listEnvironments, loadEnvironment } from '../config/load';
import { CredentialsError, createAws, createClients, isCredentialsError } from './verify/aws';
import { planFromConfig } from './verify/plan';
import { renderJson, renderTable, summarize, useColour } from './verify/report';
import { verify } from './verify/runner';
import { runMain } from './run-main';

const USAGE =
  'usage: npm run verify -- --env NAME [--region REGION] [--profile PROFILE] [--json] [--max-replica-lag SECONDS (default: monitoring.thresholds.database.replicaLagSeconds)]';

interface Flags {
  env?: string;
  region?: string;
  profile?: string;
  json?: boolean;
  'max-replica-lag'?: string;
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
        region: { type: 'string' },
        profile: { type: 'string' },
        json: { type: 'boolean' },
        'max-replica-lag': { type: 'string' },
        'environments-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const dir = values['environments-dir'] ?? ENVIRONMENTS_DIR;
  if (values.help || !values.env) {
    process.stderr.write(`${USAGE}\nenvironments: ${listEnvironments(dir).join(', ')}\n`);
    return values.help ? 0 : 2;
  }
  // Without the flag, the replica-lag alarm's threshold from the environment's configuration (see planFromConfig).
  const maxLag = values['max-replica-lag'] === undefined ? undefined : Number(values['max-replica-lag']);
  if (maxLag !== undefined && (!Number.isFinite(maxLag) || maxLag <= 0)) {
    process.stderr.write(
      `--max-replica-lag: expected a number of seconds > 0, got ${JSON.stringify(values['max-replica-lag'])}\n${USAGE}\n`,
    );
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
  // The SDK warns on Node 20 (which this project supports) in seven lines on stderr, before the report; a
  // notice about the SDK's future releases, not about the deployment. Set the variable to false to see it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const region = values.region ?? config.environment.region;
  const credentials = values.profile ? fromIni({ profile: values.profile }) : fromNodeProviderChain();
  const aws = createAws(createClients({ region, credentials, copyRegion: config.recovery.crossRegionCopy.region }));

  try {
    // Resolve credentials once, up front: a missing profile should say so before any check runs.
    await credentials();
    const results = await verify(aws, planFromConfig(config, { maxReplicaLagSeconds: maxLag }));
    if (values.json) process.stdout.write(renderJson(results, { environment: config.environment.name, region }));
    else {
      const title = `${config.app.name} ${config.environment.name} (${region})`;
      process.stdout.write(renderTable(results, { colour: useColour(process.stdout, process.env), title }));
    }
    return summarize(results).ok ? 0 : 1;
  } catch (e) {
    if (e instanceof CredentialsError || isCredentialsError(e)) {
      const message = e instanceof CredentialsError ? e.message : `${(e as Error).name}: ${(e as Error).message}`;
      const how = values.profile ? `profile "${values.profile}"` : 'the default credential chain';
      process.stderr.write(`credentials: ${oneLine(message)} (from ${how}; sign in again, or pass --profile)\n`);
      return 2;
    }
    throw e;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

// Run as a command, not when a test imports `main` (test/support/commands.ts).
if (require.main === module) runMain('verify', main, 1);

/**
 * `npm run config -- --env NAME [--environments-dir DIR]`
 *
 * Prints the resolved, validated configuration of one environment as JSON on stdout (pipe it to jq), or
 * every problem on stderr and exits 1. The same loader as `cdk synth`, so the two never disagree.
 */
import { parseArgs } from 'util';
import { ConfigError, ENVIRONMENTS_DIR, listEnvironments, loadEnvironment } from '../config/load';

const USAGE = 'usage: npm run config -- --env NAME [--environments-dir DIR]';

/** The exit code: 0, 1 on bad configuration, 2 on bad usage. Exported for the tests that run it in their own process. */
export function main(argv: string[]): number {
  let values: { env?: string; 'environments-dir'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { env: { type: 'string' }, 'environments-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
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
  try {
    const config = loadEnvironment(values.env, dir);
    process.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));

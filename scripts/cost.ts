/**
 * `npm run cost -- --env NAME [--env NAME ...] [--json]`
 *
 * Estimates the monthly cost of each environment, offline, from the templates the app synthesizes (as `cdk synth`
 * would) and the usage assumptions of its configuration (`cost.usage`), at the committed prices of
 * config/prices/<region>.json. docs/cost.md describes what is priced and how.
 *   exit 0  every resource priced (or free, or usage-only with a reason)
 *   exit 1  a resource could not be priced: a new type, or a class the price table lacks
 *   exit 2  error: bad arguments, an unknown environment, a synthesis that failed, a bad price table
 */
import { parseArgs } from 'util';
import { listEnvironments } from '../config/load';
import { PROJECT_ROOT } from '../config/project-root';
import { renderEstimate } from './cost/report';
import { estimateWorkingTree } from './cost/working-tree';
import { environmentsOf } from './diff/synth';
import { runMain } from './run-main';

const USAGE = 'usage: npm run cost -- --env NAME [--env NAME ...] [--json]';

async function main(argv: string[]): Promise<number> {
  let values: { env?: string[]; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { env: { type: 'string', multiple: true }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const known = environmentsOf(PROJECT_ROOT);
  const envs = values.env ?? [];
  const unknown = envs.filter((e) => !known.includes(e));
  if (envs.length === 0 || unknown.length > 0) {
    const got = envs.length === 0 ? 'none' : unknown.map((e) => `"${e}"`).join(', ');
    process.stderr.write(`--env: expected one of ${listEnvironments().join(', ')}, got ${got}\n${USAGE}\n`);
    return 2;
  }
  try {
    const estimates = await estimateWorkingTree([...new Set(envs)]);
    process.stdout.write(
      values.json
        ? `${JSON.stringify(estimates.length === 1 ? estimates[0] : estimates, null, 2)}\n`
        : estimates.map(renderEstimate).join('\n'),
    );
    return estimates.some((e) => e.problems.length > 0) ? 1 : 0;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
}

runMain('cost', main);

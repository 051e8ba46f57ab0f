/**
 * `npm run docs:cost`: writes the example bill of docs/cost.md, the estimate of every environment at the committed
 * prices, between its markers. The estimate test (test/cost.test.ts) fails when the page is stale.
 */
import * as fs from 'fs';
import * as path from 'path';
import { PROJECT_ROOT } from '../config/project-root';
import { estimateEnvironment } from './cost/estimate';
import { renderExampleBills, withExampleBills } from './cost/report';
import { environmentsOf, synthesize } from './diff/synth';

export const COST_GUIDE_FILE = path.join(PROJECT_ROOT, 'docs', 'cost.md');

async function main(): Promise<void> {
  const estimates = [];
  for (const env of environmentsOf(PROJECT_ROOT))
    estimates.push(estimateEnvironment(env, await synthesize(PROJECT_ROOT, env, 'the working tree')));
  const page = fs.readFileSync(COST_GUIDE_FILE, 'utf8');
  fs.writeFileSync(COST_GUIDE_FILE, withExampleBills(page, renderExampleBills(estimates)));
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  });
}

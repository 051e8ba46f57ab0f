/**
 * `npm run docs:cost`: writes the example bill of docs/cost.md, the estimate of every environment at the committed
 * prices, between its markers. The estimate test (test/cost.test.ts) fails when the page is stale.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as prettier from 'prettier';
import { PROJECT_ROOT } from '../config/project-root';
import { type EnvironmentEstimate, estimateEnvironment } from './cost/estimate';
import { renderExampleBills, withExampleBills } from './cost/report';
import { environmentsOf, synthesize } from './diff/synth';

export const COST_GUIDE_FILE = path.join(PROJECT_ROOT, 'docs', 'cost.md');

/** docs/cost.md (`page`) with the example bill of `estimates`, formatted as the project's Prettier formats it. */
export async function renderCostGuide(page: string, estimates: readonly EnvironmentEstimate[]): Promise<string> {
  const options = (await prettier.resolveConfig(COST_GUIDE_FILE)) ?? {};
  return prettier.format(withExampleBills(page, renderExampleBills(estimates)), { ...options, filepath: COST_GUIDE_FILE });
}

async function main(): Promise<void> {
  const estimates: EnvironmentEstimate[] = [];
  for (const env of environmentsOf(PROJECT_ROOT)) {
    estimates.push(estimateEnvironment(env, await synthesize(PROJECT_ROOT, env, 'the working tree')));
  }
  fs.writeFileSync(COST_GUIDE_FILE, await renderCostGuide(fs.readFileSync(COST_GUIDE_FILE, 'utf8'), estimates));
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  });
}

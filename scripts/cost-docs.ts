/**
 * `npm run docs:cost`: writes the example bill of docs/cost.md, the estimate of every environment at the committed
 * prices, between its markers. The estimate test (test/cost.test.ts) fails when the page is stale.
 */
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { PROJECT_ROOT } from '../config/project-root';
import type { EnvironmentEstimate } from './cost/estimate';
import { renderExampleBills, withExampleBills } from './cost/report';
import { estimateWorkingTree } from './cost/working-tree';
import { environmentsOf } from './diff/synth';

export const COST_GUIDE_FILE = path.join(PROJECT_ROOT, 'docs', 'cost.md');

/**
 * docs/cost.md (`page`) with the example bill of `estimates`, formatted as the project's Prettier formats it. Prettier
 * runs as its CLI in a child process: its API loads plugins with a dynamic import, which jest's CommonJS cannot run.
 */
export function renderCostGuide(page: string, estimates: readonly EnvironmentEstimate[]): string {
  const prettier = path.join(PROJECT_ROOT, 'node_modules', 'prettier', 'bin', 'prettier.cjs');
  const result = spawnSync(process.execPath, [prettier, '--stdin-filepath', COST_GUIDE_FILE], {
    cwd: PROJECT_ROOT,
    input: withExampleBills(page, renderExampleBills(estimates)),
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`prettier failed on docs/cost.md: ${result.stderr}`);
  return result.stdout;
}

async function main(): Promise<void> {
  const estimates = await estimateWorkingTree(environmentsOf(PROJECT_ROOT));
  fs.writeFileSync(COST_GUIDE_FILE, renderCostGuide(fs.readFileSync(COST_GUIDE_FILE, 'utf8'), estimates));
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  });
}

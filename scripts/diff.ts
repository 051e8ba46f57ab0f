/**
 * `npm run diff -- --base REF [--env NAME ...] [--markdown FILE] [--allow FILE] [--out DIR]`
 *
 * Compares the templates synthesized at git REF with the working tree's, offline (no AWS credentials, no
 * CDK CLI), prints the CDK-style diff of every stack and the monthly cost before and after, and guards stateful
 * resources and budgets:
 *   exit 0  safe: no stateful resource is replaced or removed (or each one is in the allow-list)
 *   exit 1  a stateful resource (lib/stateful.ts) would be replaced or removed, or an environment's expected
 *           monthly cost rises above its `cost.monthlyBudget` (the cost section, docs/cost.md)
 *   exit 2  error: bad arguments, unknown REF, invalid allow-list, a synthesis that failed
 * `--out DIR` keeps what was compared: DIR/base/ENV/ and DIR/head/ENV/ hold each stack's template and the deploy order.
 * The engine is in scripts/diff/; this file parses arguments and prints.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { loadAllowList } from './diff/allow-list';
import { compareRevisions, synthesizeRevisions } from './diff/engine';
import { DiffError } from './diff/errors';
import { renderMarkdown, renderText } from './diff/report';
import { writeRevision } from './diff/synth';
import { PROJECT_ROOT } from '../config/project-root';
import { runMain } from './run-main';

const USAGE = 'usage: npm run diff -- --base REF [--env NAME ...] [--markdown FILE] [--allow FILE] [--out DIR]';

/** The command: `argv` are its arguments; `projectRoot` the project it compares (tests pass a temporary repository). */
export async function main(argv: string[], projectRoot: string = PROJECT_ROOT): Promise<number> {
  let values: { base?: string; env?: string[]; markdown?: string; allow?: string; out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        base: { type: 'string' },
        env: { type: 'string', multiple: true },
        markdown: { type: 'string' },
        allow: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help || !values.base) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  try {
    // The allow-list and --out are checked before anything is synthesized: a bad entry fails in a second, not a minute.
    const allow = loadAllowList(projectRoot, values.allow);
    if (values.out) checkOutDir(values.out);
    const { revision, base, head } = await synthesizeRevisions({ projectRoot, base: values.base, envs: values.env });
    if (values.out) {
      writeRevision(path.join(values.out, 'base'), base);
      writeRevision(path.join(values.out, 'head'), head);
    }
    const report = compareRevisions(base, head, allow.entries);
    const options = { revision, allowFile: allow.file };
    process.stdout.write(renderText(report, options));
    if (values.markdown) fs.writeFileSync(values.markdown, renderMarkdown(report, options));
    return report.exitCode;
  } catch (e) {
    process.stderr.write(`${e instanceof DiffError ? e.message : ((e as Error).stack ?? String(e))}\n`);
    return 2;
  }
}

/** `--out` writes DIR/base and DIR/head; what an earlier run left there would be read as part of this one. */
function checkOutDir(dir: string): void {
  const taken = ['base', 'head'].filter((side) => fs.existsSync(path.join(dir, side)));
  if (taken.length > 0) {
    throw new DiffError(
      `--out: expected a directory without base/ and head/ (the command writes both), got ${dir} with ${taken.map((t) => `${t}/`).join(' and ')} (an earlier run's? remove them or choose another directory)`,
    );
  }
}

// Run as a command, not when a test imports `main` (test/support/commands.ts).
if (require.main === module) runMain('diff', main);

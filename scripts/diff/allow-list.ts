/**
 * The reviewed exceptions: a stateful resource that a change deliberately replaces or removes (a key rotated
 * by replacement, a log group renamed on purpose). Each entry names one resource of one stack of one
 * environment and says why losing it is safe, so the reason is reviewed with the change and stays in history.
 *
 * ```json
 * [{ "env": "dev", "stack": "ScaledApp-dev-Network", "logicalId": "NetworkLogsKey573F0F74", "reason": "..." }]
 * ```
 */
import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { type ConfigProblem, formatProblem, problemsFromIssues } from '../../config/errors';
import { DiffError } from './errors';

/** The file read when `--allow` is not given, at the project root, if it exists. */
export const DEFAULT_ALLOW_FILE = '.diff-allow.json';

const allowEntrySchema = z
  .strictObject({
    env: z.string('expected the environment name, e.g. "prod"').min(1, 'expected the environment name, e.g. "prod"'),
    stack: z.string('expected the stack name as the diff prints it, e.g. "ScaledApp-prod-Data"').min(1, 'expected the stack name'),
    logicalId: z.string('expected the logical ID as the diff prints it').min(1, 'expected the logical ID as the diff prints it'),
    reason: z
      .string('expected a reason a reviewer can check (why losing this resource is safe)')
      .trim()
      .min(1, 'expected a reason a reviewer can check (why losing this resource is safe)'),
  })
  .meta({ description: 'A stateful resource that this change may replace or remove, and why that is safe.' });

export const allowListSchema = z.array(allowEntrySchema).meta({ description: 'Reviewed replacements and removals of stateful resources.' });

export type AllowEntry = z.infer<typeof allowEntrySchema>;

/** Parses and validates an allow-list; `file` names it in error lines. Throws a DiffError listing every problem. */
export function parseAllowList(text: string, file: string): AllowEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw problemsError([{ file, path: '', expected: 'expected valid JSON', received: `an error: ${(e as Error).message}` }]);
  }
  const result = allowListSchema.safeParse(data);
  if (!result.success) {
    throw problemsError(
      problemsFromIssues(result.error.issues, {
        merged: data,
        overrides: data,
        envFile: file,
        defaultsFile: file,
        schema: allowListSchema,
      }),
    );
  }
  return result.data;
}

/**
 * Reads the allow-list: `explicit` when given (it must exist), else the default file at `projectRoot` when it
 * exists, else an empty list. Returns the entries and the file they came from (relative to the project).
 */
export function loadAllowList(projectRoot: string, explicit?: string): { entries: AllowEntry[]; file?: string } {
  const file = explicit ? path.resolve(explicit) : path.join(projectRoot, DEFAULT_ALLOW_FILE);
  const shown = path.relative(projectRoot, file).split(path.sep).join('/') || file;
  if (!fs.existsSync(file)) {
    if (explicit) throw new DiffError(`${shown}: expected an allow-list file, got nothing (the file does not exist)`);
    return { entries: [] };
  }
  return { entries: parseAllowList(fs.readFileSync(file, 'utf8'), shown), file: shown };
}

/** The entry that allows losing `logicalId` of `stack` in `env`, if any. */
export function findAllowance(entries: readonly AllowEntry[], env: string, stack: string, logicalId: string): AllowEntry | undefined {
  return entries.find((e) => e.env === env && e.stack === stack && e.logicalId === logicalId);
}

function problemsError(problems: readonly ConfigProblem[]): DiffError {
  return new DiffError(`The allow-list is invalid:\n${problems.map(formatProblem).join('\n')}`);
}

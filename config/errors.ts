/**
 * Turns zod issues into one line per problem:
 * `config/environments/prod.ts: database.readReplicas: expected an integer >= 0, got -1`.
 */
import type { z } from 'zod';
import { hasPath, valueAt } from './merge';

export interface ConfigProblem {
  /** The file to edit, relative to the project root. */
  readonly file: string;
  /** Dotted path of the field, e.g. `database.backup.retentionDays`. */
  readonly path: string;
  /** What the field must hold. */
  readonly expected: string;
  /** What it held, rendered for a person. */
  readonly received: string;
}

export function formatProblem(p: ConfigProblem): string {
  return `${[p.file, p.path].filter(Boolean).join(': ')}: ${p.expected}, got ${p.received}`;
}

/** Thrown when configuration cannot be used; `problems` holds every problem found, not just the first. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
  }
}

export interface IssueSource {
  /** The merged configuration that was validated. */
  readonly merged: unknown;
  /** The environment file's own overrides, to tell its values from inherited ones. */
  readonly overrides: unknown;
  readonly envFile: string;
  readonly defaultsFile: string;
  readonly schema: z.ZodType;
}

export function problemsFromIssues(issues: readonly z.core.$ZodIssue[], source: IssueSource): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // Report the branch the value came closest to (fewest problems), at the fields inside it, rather than
      // a bare "invalid input" at the union: `{ arn: 42 }` is a bad ARN, not a bad certificate.
      const closestBranch = issue.errors.reduce((best, branch) => (branch.length < best.length ? branch : best));
      const nested = closestBranch.map((sub) => ({ ...sub, path: [...issue.path, ...sub.path] }) as z.core.$ZodIssue);
      problems.push(...problemsFromIssues(nested, source));
      continue;
    }
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(source.schema, issue.path);
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        const hint = closest(key, known);
        const expected = `expected ${hint ? `"${hint}" or another ` : 'one of the '}known field (${known.join(', ')})`;
        problems.push({ ...problem(source, path, expected), received: `the unknown field "${key}"` });
      }
      continue;
    }
    if (issue.code === 'invalid_key') {
      // A map key (a tier or service name) that the key schema refuses: say what names look like, and show the name.
      const inner = issue.issues.find((i) => i.message.startsWith('expected '));
      const key = issue.path[issue.path.length - 1];
      problems.push({
        ...problem(source, issue.path, inner?.message ?? 'expected a valid name'),
        received: `the name ${render(String(key))}`,
      });
      continue;
    }
    const found = problem(source, issue.path, expectation(issue));
    // A rule may render the received value itself (`5,000,000` keys), keeping the note on where it came from.
    const shown = issue.code === 'custom' ? (issue.params as { received?: unknown } | undefined)?.received : undefined;
    problems.push(
      typeof shown === 'string' ? { ...found, received: found.received.replace(/^.*?(?= \(inherited from |$)/, shown) } : found,
    );
  }
  return problems;
}

function problem(source: IssueSource, path: readonly PropertyKey[], expected: string): ConfigProblem {
  const inherited = !hasPath(source.overrides, path) && hasPath(source.merged, path);
  const value = valueAt(source.merged, path);
  // A field nobody wrote may still hold the schema's own default: say that, not "missing".
  const schemaDefault = value === undefined ? schemaDefaultAt(source.schema, path) : undefined;
  return {
    file: source.envFile,
    path: path.map(String).join('.'),
    expected,
    received:
      schemaDefault !== undefined
        ? `${render(schemaDefault.value)} (the schema's default)`
        : render(value) + (inherited ? ` (inherited from ${source.defaultsFile})` : ''),
  };
}

function expectation(issue: z.core.$ZodIssue): string {
  if (issue.message.startsWith('expected ')) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${withArticle(issue.expected)}`;
    case 'too_small':
      return `expected ${bound(issue.origin, issue.inclusive ? '>=' : '>', issue.minimum, 'at least')}`;
    case 'too_big':
      return `expected ${bound(issue.origin, issue.inclusive ? '<=' : '<', issue.maximum, 'at most')}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return `expected a valid ${issue.format}`;
    default:
      return `expected ${issue.message.replace(/^Invalid input:?\s*/i, '') || 'a valid value'}`;
  }
}

function bound(origin: string, op: string, limit: number | bigint, words: string): string {
  if (origin === 'array' || origin === 'set') return `${words} ${limit} item${limit === 1 ? '' : 's'}`;
  if (origin === 'string') return `${words} ${limit} character${limit === 1 ? '' : 's'}`;
  return `${origin === 'int' ? 'an integer' : 'a number'} ${op} ${limit}`;
}

function withArticle(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

export function render(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (typeof value === 'string' || typeof value === 'object') {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  }
  return String(value);
}

interface SchemaDef {
  readonly type: string;
  readonly options?: readonly z.ZodType[];
  readonly shape?: Record<string, z.ZodType>;
  readonly valueType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly defaultValue?: unknown;
}

function defOf(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
}

/** The field names the schema allows at `path`, for the "did you mean" hint. */
export function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node: z.ZodType | undefined = schema;
  const steps = [...path];
  while (node) {
    const def = defOf(node);
    if (def.options) {
      // A union: the keys of every branch are known keys.
      return [...new Set(def.options.flatMap((option) => knownKeys(option, steps)))];
    }
    if (def.innerType) node = def.innerType;
    else if (def.type === 'pipe') node = def.in;
    else if (steps.length === 0) return def.shape ? Object.keys(def.shape) : [];
    else {
      const step = steps.shift();
      node = def.shape ? def.shape[String(step)] : (def.valueType ?? def.element);
    }
  }
  return [];
}

/** The schema's `.default(...)` of the field at `path`, if it has one. */
function schemaDefaultAt(schema: z.ZodType, path: readonly PropertyKey[]): { value: unknown } | undefined {
  let node: z.ZodType | undefined = schema;
  const steps = [...path];
  while (node) {
    const def = defOf(node);
    if (steps.length === 0 && def.type === 'default') return { value: def.defaultValue };
    if (def.innerType) node = def.innerType;
    else if (def.type === 'pipe') node = def.in;
    else if (steps.length === 0) return undefined;
    else {
      const step = steps.shift();
      node = def.shape ? def.shape[String(step)] : (def.valueType ?? def.element);
    }
  }
  return undefined;
}

/** The known key nearest to a misspelling, if it is near enough to be a likely typo. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = levenshtein(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

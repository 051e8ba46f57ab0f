/**
 * Turns one stack's template diff (from @aws-cdk/cloudformation-diff, the engine behind `cdk diff`) into the
 * facts a reviewer acts on: what each resource change does, whether it loses data, and which changes widen
 * access. The impact itself comes from the library's `changeImpact` (it knows, per property of every
 * resource type, whether a change replaces); only the reading of it for stateful types is ours.
 */
import { type ResourceDifference, ResourceImpact, type TemplateDiff } from '@aws-cdk/cloudformation-diff';
import { isStatefulType } from '../../lib/stateful';

/** What deploying the change does to one resource, in the words of `cdk diff`. */
export type ChangeKind = 'added' | 'updated in place' | 'may replace' | 'will replace' | 'removed';

/** Every kind, in the order summaries list them. */
export const CHANGE_KINDS: readonly ChangeKind[] = ['added', 'updated in place', 'may replace', 'will replace', 'removed'];

export interface ResourceChange {
  readonly logicalId: string;
  /** The resource type (the new one when a type changed). */
  readonly type: string;
  readonly kind: ChangeKind;
  /** The construct path within its stack (`Network/LogsKey`), from `aws:cdk:path` metadata when present. */
  readonly path?: string;
  /** One of lib/stateful.ts's types: it holds data (or decrypts it). */
  readonly stateful: boolean;
  /**
   * Replaced or removed while stateful: deploying loses what the resource holds (a removed resource with
   * `DeletionPolicy: Retain` is orphaned rather than deleted, but the app moves to a new, empty one).
   */
  readonly destructive: boolean;
  /** Removed, but kept in the account by its deletion policy (`cdk diff` says "orphan"). */
  readonly retained: boolean;
  /** For replacements: the properties whose change forces (or may force) the replacement. */
  readonly replacingProperties: readonly string[];
  /** For removals: resources of the same type added in the same stack; a renamed construct ID looks like this. */
  readonly addedSameType: readonly string[];
  /** For in-place updates: the properties whose value changes (what scripts/diff/traffic.ts looks up). */
  readonly updatedProperties: readonly string[];
}

/** A change that widens or alters access, listed apart from resource changes. */
export interface SecurityChange {
  readonly kind: 'iam-statement' | 'managed-policy' | 'security-group';
  /** Permissions added (or a Deny removed), or ingress/egress rules added. */
  readonly broadened: boolean;
  /** Statements, policies or rules added, and removed. */
  readonly added: number;
  readonly removed: number;
  /** The library's summary table: a header row, then one row per added (+) or removed (-) statement or rule. */
  readonly table: readonly (readonly string[])[];
}

const KIND_OF_IMPACT: Record<ResourceImpact, ChangeKind | undefined> = {
  [ResourceImpact.WILL_CREATE]: 'added',
  [ResourceImpact.WILL_IMPORT]: 'added',
  [ResourceImpact.WILL_UPDATE]: 'updated in place',
  [ResourceImpact.MAY_REPLACE]: 'may replace',
  [ResourceImpact.WILL_REPLACE]: 'will replace',
  [ResourceImpact.WILL_DESTROY]: 'removed',
  [ResourceImpact.WILL_ORPHAN]: 'removed',
  [ResourceImpact.NO_CHANGE]: undefined,
};

/** The kinds that lose a stateful resource's data. `may replace` counts: the library cannot rule it out. */
const LOSES_DATA: ReadonlySet<ChangeKind> = new Set<ChangeKind>(['may replace', 'will replace', 'removed']);

/** Every changed resource of one stack's diff, in logical-ID order. */
export function classifyResources(diff: TemplateDiff): ResourceChange[] {
  const changes: ResourceChange[] = [];
  const added = new Map<string, string[]>();
  diff.resources.forEachDifference((logicalId, change) => {
    if (change.isAddition) {
      const type = change.newResourceType ?? '';
      added.set(type, [...(added.get(type) ?? []), logicalId]);
    }
  });
  diff.resources.forEachDifference((logicalId, change) => {
    const kind = KIND_OF_IMPACT[change.changeImpact];
    if (!kind) return;
    const type = change.newResourceType ?? change.oldResourceType ?? 'unknown';
    const stateful = isStatefulType(change.oldResourceType ?? type) || isStatefulType(type);
    changes.push({
      logicalId,
      type,
      kind,
      path: constructPath(change),
      stateful,
      destructive: stateful && LOSES_DATA.has(kind),
      retained: change.changeImpact === ResourceImpact.WILL_ORPHAN,
      replacingProperties: kind === 'will replace' || kind === 'may replace' ? replacingProperties(change) : [],
      addedSameType: kind === 'removed' ? (added.get(change.oldResourceType ?? '') ?? []) : [],
      updatedProperties: kind === 'updated in place' ? Object.keys(change.propertyUpdates).sort() : [],
    });
  });
  return changes.sort((a, b) => a.logicalId.localeCompare(b.logicalId));
}

/** IAM statement and security-group rule changes of one stack's diff. */
export function classifySecurity(diff: TemplateDiff): SecurityChange[] {
  const changes: SecurityChange[] = [];
  const iam = diff.iamChanges;
  // Broadened as the library defines it: an Allow added or a Deny removed.
  const statementsBroadened =
    iam.statements.additions.some((s) => !s.isNegativeStatement) || iam.statements.removals.some((s) => s.isNegativeStatement);
  if (iam.statements.hasChanges) changes.push(securityChange('iam-statement', statementsBroadened, iam.summarizeStatements()));
  if (iam.managedPolicies.hasChanges)
    changes.push(securityChange('managed-policy', iam.managedPolicies.hasAdditions, iam.summarizeManagedPolicies()));
  const groups = diff.securityGroupChanges;
  if (groups.hasChanges) changes.push(securityChange('security-group', groups.rulesAdded, groups.summarize()));
  return changes;
}

/** Counts of changes by kind, every kind present (zero when none). */
export function countByKind(changes: readonly ResourceChange[]): Record<ChangeKind, number> {
  const counts = Object.fromEntries(CHANGE_KINDS.map((k) => [k, 0])) as Record<ChangeKind, number>;
  for (const change of changes) counts[change.kind] += 1;
  return counts;
}

function securityChange(kind: SecurityChange['kind'], broadened: boolean, summary: string[][]): SecurityChange {
  const table = summary.map((row) => row.map(stripAnsi));
  const count = (sign: string) => table.filter((row) => row[0] === sign).length;
  return { kind, broadened, added: count('+'), removed: count('-'), table };
}

/**
 * Logical ID → construct path within the stack, from both templates' `aws:cdk:path` metadata (the CLI
 * builds the same map from the cloud assembly; the formatter does not find it in the diff by itself).
 */
export function constructPaths(...templates: readonly Record<string, unknown>[]): Record<string, string> {
  const paths: Record<string, string> = {};
  for (const template of templates) {
    const resources = (template.Resources ?? {}) as Record<string, { Metadata?: Record<string, unknown> }>;
    for (const [logicalId, resource] of Object.entries(resources)) {
      const path = resource?.Metadata?.['aws:cdk:path'];
      if (typeof path === 'string') paths[logicalId] = path;
    }
  }
  return paths;
}

/** `/ScaledApp-dev-Network/Network/LogsKey/Resource` → `Network/LogsKey`, as `cdk diff` shows it. */
export function shortPath(path: string): string {
  const parts = path.replace(/^\//, '').split('/').slice(1);
  if (parts.length > 1 && ['Resource', 'Default'].includes(parts[parts.length - 1])) parts.pop();
  return parts.length > 0 ? parts.join('/') : path;
}

function constructPath(change: ResourceDifference): string | undefined {
  const metadata = (change.newValue ?? change.oldValue)?.Metadata as Record<string, unknown> | undefined;
  const path = metadata?.['aws:cdk:path'];
  return typeof path === 'string' ? shortPath(path) : undefined;
}

function replacingProperties(change: ResourceDifference): string[] {
  if (change.resourceTypeChanged) return ['Type'];
  return Object.entries(change.propertyUpdates)
    .filter(([, d]) => d.changeImpact === ResourceImpact.WILL_REPLACE || d.changeImpact === ResourceImpact.MAY_REPLACE)
    .map(([name]) => name)
    .sort();
}

// The library colours its tables for a terminal; a PR comment and a test want the text.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

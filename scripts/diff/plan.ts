/**
 * The deploy plan: what `cdk deploy --all` does to one environment across its stacks, and where that goes
 * wrong although every stack's own diff looks fine. `cdk diff` and the per-stack comparison look at one
 * template at a time; the hazards below exist only between stacks:
 *
 * - **Stale consumer.** A stack reads another's output with `Fn::GetStackOutput` (a weak reference).
 *   CloudFormation resolves it when the reading stack is created or updated, and at no other time; the CDK
 *   CLI skips a stack whose template has not changed. So when the value behind the output changes (the
 *   resource is replaced, or the output's expression changes) while the reader's template stays identical,
 *   the reader keeps the old value: alarms watch a deleted target group.
 * - **In-use deletion.** A security group, target group, subnet, load balancer, managed policy or key is
 *   removed (or replaced) in a stack that deploys before a stack whose deployed template still attaches it.
 *   EC2 and ELB refuse to delete what is in use (`DependencyViolation`, `ResourceInUse`).
 * - **Export lock.** With strong references (`Export` and `Fn::ImportValue`), CloudFormation refuses to
 *   remove an export, or change its value, while another stack imports it.
 * - **Engine version.** A database whose engine major rises without the upgrade being declared in config, or
 *   whose version falls (RDS cannot downgrade).
 *
 * Which property changes replace a resource comes from @aws-cdk/cloudformation-diff's `changeImpact`, which
 * reads it from @aws-cdk/aws-service-spec (the CloudFormation resource specification); nothing here lists it.
 */
import { ResourceImpact } from '@aws-cdk/cloudformation-diff';
import { canonicalJson } from '../../lib/canonical-json';
import { ALLOW_MAJOR_UPGRADE_METADATA } from '../../lib/template-metadata';
import type { CfnTemplate, StackTemplates } from './synth';
import { templateDiff } from './template-diff';

export type HazardKind = 'stale-consumer' | 'in-use-deletion' | 'export-lock' | 'engine-version';

export interface Hazard {
  readonly kind: HazardKind;
  readonly env: string;
  /** The stack whose change causes the hazard (the producer); the allow-list matches it. */
  readonly stack: string;
  /** The producer's resource (or, for an output whose expression changed, the output's name). */
  readonly logicalId: string;
  /** Its resource type, or `Output`. */
  readonly type: string;
  /** The stack that reads or attaches it, and the logical IDs there that do. */
  readonly consumer?: { readonly stack: string; readonly logicalIds: readonly string[] };
  /** What goes wrong, in one sentence. */
  readonly why: string;
  /** The safe way through: the steps, in order. */
  readonly safeWay: readonly string[];
}

/**
 * Types that AWS refuses to delete while another resource uses them. Security groups: `DependencyViolation`
 * while a rule of another group or a network interface names them. Target groups: `ResourceInUse` while a
 * listener rule or a service forwards to them. Subnets: while a network interface lives in them. Load
 * balancers: while... only by deletion protection, but a listener of another stack holds them. Managed
 * policies: `DeleteConflict` while attached. Keys: deletion is only scheduled, but whatever they encrypt
 * becomes unreadable when it completes.
 */
export const IN_USE_TYPES: ReadonlySet<string> = new Set([
  'AWS::EC2::SecurityGroup',
  'AWS::ElasticLoadBalancingV2::TargetGroup',
  'AWS::EC2::Subnet',
  'AWS::ElasticLoadBalancingV2::LoadBalancer',
  'AWS::IAM::ManagedPolicy',
  'AWS::KMS::Key',
]);

/**
 * Resource types that name another stack's resource without attaching it: an alarm's dimension, a dashboard's
 * widget, a parameter's value and an event pattern hold a string, and never stop a deletion.
 */
export const NON_ATTACHING_TYPES: ReadonlySet<string> = new Set([
  'AWS::CloudWatch::Alarm',
  'AWS::CloudWatch::CompositeAlarm',
  'AWS::CloudWatch::Dashboard',
  'AWS::SSM::Parameter',
  'AWS::Events::Rule',
  'AWS::CDK::Metadata',
]);

/** What the analysis needs of one environment: both sides' templates, and the deploy order after the change. */
export interface PlanInput {
  readonly env: string;
  readonly before: StackTemplates;
  readonly after: StackTemplates;
  /**
   * Stack → the stacks it depends on (the cloud assembly manifest's `dependencies`), after the change.
   * @default - `after.dependencies`, else derived from the cross-stack references of both sides' templates
   */
  readonly dependencies?: ReadonlyMap<string, readonly string[]>;
}

/** Every cross-stack hazard of deploying `after` over `before` with `cdk deploy --all`. */
export function planHazards(input: PlanInput): Hazard[] {
  const { env, before, after } = input;
  const dependencies = input.dependencies ?? after.dependencies ?? dependenciesFromReferences(after, before);
  const deploysAfter = (consumer: string, producer: string) => dependsOn(dependencies, consumer, producer);
  const impacts = new Map<string, Map<string, ResourceImpact>>();
  const impactOf = (stack: string): Map<string, ResourceImpact> => {
    if (!impacts.has(stack)) impacts.set(stack, resourceImpacts(before.get(stack) ?? {}, after.get(stack) ?? {}));
    return impacts.get(stack)!;
  };
  const replaced = (stack: string, logicalId: string) => {
    const impact = impactOf(stack).get(logicalId);
    return impact === ResourceImpact.WILL_REPLACE || impact === ResourceImpact.MAY_REPLACE;
  };
  const hazards: Hazard[] = [];

  // Stale consumers: a weak read in a stack whose template does not change.
  for (const [consumer, template] of after) {
    const old = before.get(consumer);
    if (!old || canonicalJson(old) !== canonicalJson(template)) continue;
    for (const [key, read] of groupReads(stackReads(template).filter((r) => r.kind === 'weak'))) {
      const [producer, outputName] = key.split('\u0000');
      const was = outputsOf(before.get(producer)).get(outputName);
      const now = outputsOf(after.get(producer)).get(outputName);
      if (!was) continue; // Read before the producer existed: the consumer cannot have deployed.
      const target = now?.targets[0] ?? was.targets[0];
      const type = target ? resourceType(after.get(producer) ?? before.get(producer), target) : 'Output';
      let why: string | undefined;
      if (!now) why = `the output ${outputName} it reads is removed from ${producer}`;
      else if (canonicalJson(was.value) !== canonicalJson(now.value)) why = `the output ${outputName} it reads changes its value`;
      else {
        const moved = now.targets.find((t) => replaced(producer, t));
        if (moved) why = `${moved} (${type}) is replaced, so ${outputName} takes a new value`;
      }
      if (!why) continue;
      hazards.push({
        kind: 'stale-consumer',
        env,
        stack: producer,
        logicalId: target ?? outputName,
        type,
        consumer: { stack: consumer, logicalIds: read },
        why: `${why}, but ${consumer}'s template does not change: the CDK CLI skips it and CloudFormation never re-reads the value, so ${read.join(', ')} keep the old one.`,
        safeWay: [
          `Make ${consumer}'s template change with the producer (the app does this with a digest of what it reads; see docs/architecture.md), or`,
          `after deploying, run \`cdk deploy ${consumer} --exclusively --force\` so that CloudFormation resolves the reference again.`,
        ],
      });
    }
  }

  for (const [producer, old] of before) {
    const now = after.get(producer) ?? old; // A stack removed from the app is not deleted by deploy.
    const oldResources = resourcesOf(old);
    const newResources = resourcesOf(now);
    const outputs = outputsOf(old);

    // In-use deletions: removed or replaced while a later stack's deployed template attaches it.
    for (const [logicalId, resource] of Object.entries(oldResources)) {
      if (!IN_USE_TYPES.has(resource.Type)) continue;
      const removed = !(logicalId in newResources);
      if (!removed && !replaced(producer, logicalId)) continue;
      const names = [...outputs].filter(([, o]) => o.targets.includes(logicalId));
      for (const [consumer, consumerTemplate] of before) {
        if (consumer === producer) continue;
        const laterOrGone = !after.has(consumer) || deploysAfter(consumer, producer);
        if (!laterOrGone) continue;
        const attaching = stackReads(consumerTemplate).filter(
          (r) =>
            !NON_ATTACHING_TYPES.has(r.consumerType) &&
            names.some(([name, o]) => (r.kind === 'weak' ? r.stack === producer && r.output === name : r.exportName === o.exportName)),
        );
        if (attaching.length === 0) continue;
        // A strong reference is refused earlier, as an export lock (below).
        if (attaching.every((r) => r.kind === 'strong')) continue;
        const ids = [...new Set(attaching.map((r) => r.consumerLogicalId))].sort();
        hazards.push({
          kind: 'in-use-deletion',
          env,
          stack: producer,
          logicalId,
          type: resource.Type,
          consumer: { stack: consumer, logicalIds: ids },
          why: `${logicalId} (${resource.Type}) is ${removed ? 'removed' : 'replaced, and the old one deleted,'} in ${producer}, which deploys before ${consumer}, whose deployed ${ids.join(', ')} still ${ids.length === 1 ? 'uses' : 'use'} it: ${IN_USE_ERROR[resource.Type] ?? 'AWS refuses to delete it while in use'}.`,
          safeWay: [
            `Deploy ${consumer} first, so that it lets go: \`cdk deploy ${consumer} --exclusively\` (its new template no longer reads ${producer}'s value), then`,
            '`cdk deploy --all`.',
            'Or move what attaches it into the stack that owns it, so that both leave in one update (docs/architecture.md).',
          ],
        });
      }
    }

    // Export locks: an imported export removed, or its value changed.
    const nowOutputs = outputsOf(now);
    for (const [name, output] of outputs) {
      if (!output.exportName) continue;
      const importers = [...before].filter(
        ([consumer, t]) => consumer !== producer && stackReads(t).some((r) => r.kind === 'strong' && r.exportName === output.exportName),
      );
      if (importers.length === 0) continue;
      const next = [...nowOutputs.values()].find((o) => o.exportName === output.exportName);
      let why: string | undefined;
      if (!next) why = `the export ${output.exportName} (output ${name}) is removed`;
      else if (canonicalJson(next.value) !== canonicalJson(output.value))
        why = `the export ${output.exportName} (output ${name}) changes its value`;
      else {
        const moved = next.targets.find((t) => replaced(producer, t));
        if (moved) why = `${moved} is replaced, so the export ${output.exportName} changes its value`;
      }
      if (!why) continue;
      for (const [consumer, t] of importers) {
        const ids = stackReads(t)
          .filter((r) => r.kind === 'strong' && r.exportName === output.exportName)
          .map((r) => r.consumerLogicalId);
        hazards.push({
          kind: 'export-lock',
          env,
          stack: producer,
          logicalId: output.targets[0] ?? name,
          type: output.targets[0] ? resourceType(old, output.targets[0]) : 'Output',
          consumer: { stack: consumer, logicalIds: [...new Set(ids)].sort() },
          why: `${why} while ${consumer} imports it: CloudFormation refuses to update ${producer} ("Export ${output.exportName} cannot be updated as it is in use by ${consumer}").`,
          safeWay: [
            `Step 1: keep the old export in ${producer} (\`this.exportValue(...)\` with the old value) and deploy, so that ${consumer} moves to the new value;`,
            'Step 2: remove the kept export in a second change and deploy again.',
          ],
        });
      }
    }

    // Engine versions.
    for (const [logicalId, resource] of Object.entries(oldResources)) {
      if (resource.Type !== 'AWS::RDS::DBCluster' && resource.Type !== 'AWS::RDS::DBInstance') continue;
      const next = newResources[logicalId];
      const from = resource.Properties?.EngineVersion;
      const to = next?.Properties?.EngineVersion;
      if (typeof from !== 'string' || typeof to !== 'string' || from === to) continue;
      const [fromMajor, toMajor] = [majorOf(from), majorOf(to)];
      const allowed = next?.Properties?.AllowMajorVersionUpgrade === true || next?.Metadata?.[ALLOW_MAJOR_UPGRADE_METADATA] === true;
      let why: string | undefined;
      if (toMajor < fromMajor || (toMajor === fromMajor && compareVersions(to, from) < 0 && to.includes('.'))) {
        why = `EngineVersion goes from ${from} to ${to}: RDS cannot downgrade an engine, and the update fails.`;
      } else if (toMajor > fromMajor && !allowed) {
        why = `EngineVersion goes from major ${fromMajor} to ${toMajor} without database.allowMajorVersionUpgrade: a major upgrade takes the database down for its duration and cannot be undone.`;
      }
      if (!why) continue;
      hazards.push({
        kind: 'engine-version',
        env,
        stack: producer,
        logicalId,
        type: resource.Type,
        why,
        safeWay: [
          'Follow the runbook section "Major version upgrade" (docs/runbook.md#major-version-upgrade):',
          'rehearse on a snapshot restore or with an RDS Blue/Green deployment, then set database.allowMajorVersionUpgrade: true in the same change that raises database.engineVersion.',
        ],
      });
    }
  }
  return hazards.sort((a, b) =>
    `${a.kind}${a.stack}${a.logicalId}${a.consumer?.stack}`.localeCompare(`${b.kind}${b.stack}${b.logicalId}${b.consumer?.stack}`),
  );
}

const IN_USE_ERROR: Record<string, string> = {
  'AWS::EC2::SecurityGroup':
    'EC2 refuses to delete a security group another group\'s rule names ("DependencyViolation: resource has a dependent object")',
  'AWS::ElasticLoadBalancingV2::TargetGroup': 'ELB refuses to delete a target group a listener rule or service uses ("ResourceInUse")',
  'AWS::EC2::Subnet': 'EC2 refuses to delete a subnet that holds network interfaces ("DependencyViolation")',
  'AWS::ElasticLoadBalancingV2::LoadBalancer': 'the listener and target registrations of the other stack break',
  'AWS::IAM::ManagedPolicy': 'IAM refuses to delete an attached policy ("DeleteConflict")',
  'AWS::KMS::Key': 'the key is scheduled for deletion while the other stack still encrypts with it',
};

/** One cross-stack read: a weak `Fn::GetStackOutput` or a strong `Fn::ImportValue`, and who reads. */
export type StackRead =
  | { kind: 'weak'; stack: string; output: string; consumerLogicalId: string; consumerType: string }
  | { kind: 'strong'; exportName: string; consumerLogicalId: string; consumerType: string };

/** Every cross-stack read of a template, from its resources and outputs. */
export function stackReads(template: CfnTemplate): StackRead[] {
  const reads: StackRead[] = [];
  const walk = (value: unknown, id: string, type: string): void => {
    if (Array.isArray(value)) value.forEach((v) => walk(v, id, type));
    else if (value && typeof value === 'object') {
      const obj = value as Record<string, unknown>;
      const weak = obj['Fn::GetStackOutput'] as { StackName?: unknown; OutputName?: unknown } | undefined;
      if (weak && typeof weak.StackName === 'string' && typeof weak.OutputName === 'string') {
        reads.push({ kind: 'weak', stack: weak.StackName, output: weak.OutputName, consumerLogicalId: id, consumerType: type });
        return;
      }
      if (typeof obj['Fn::ImportValue'] === 'string') {
        reads.push({ kind: 'strong', exportName: obj['Fn::ImportValue'], consumerLogicalId: id, consumerType: type });
        return;
      }
      for (const v of Object.values(obj)) walk(v, id, type);
    }
  };
  for (const [id, resource] of Object.entries(resourcesOf(template))) walk(resource.Properties, id, resource.Type);
  for (const [id, output] of Object.entries((template.Outputs ?? {}) as Record<string, unknown>)) walk(output, id, 'Output');
  return reads;
}

interface OutputInfo {
  readonly value: unknown;
  readonly exportName?: string;
  /** Resources of the same template the value is made of (`Ref`, `Fn::GetAtt`). */
  readonly targets: readonly string[];
}

function outputsOf(template: CfnTemplate | undefined): Map<string, OutputInfo> {
  const result = new Map<string, OutputInfo>();
  const outputs = (template?.Outputs ?? {}) as Record<string, { Value?: unknown; Export?: { Name?: unknown } }>;
  for (const [name, output] of Object.entries(outputs)) {
    const exportName = typeof output.Export?.Name === 'string' ? output.Export.Name : undefined;
    result.set(name, { value: output.Value, exportName, targets: [...new Set(targetsOf(output.Value))] });
  }
  return result;
}

function targetsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(targetsOf);
  if (!value || typeof value !== 'object') return [];
  const obj = value as Record<string, unknown>;
  if (typeof obj.Ref === 'string' && !obj.Ref.startsWith('AWS::')) return [obj.Ref];
  const getAtt = obj['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return [getAtt[0]];
  return Object.values(obj).flatMap(targetsOf);
}

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

function resourcesOf(template: CfnTemplate | undefined): Record<string, Resource> {
  return (template?.Resources ?? {}) as Record<string, Resource>;
}

function resourceType(template: CfnTemplate | undefined, logicalId: string): string {
  return resourcesOf(template)[logicalId]?.Type ?? 'unknown';
}

/** The change impact of every resource of one stack, as `cdk diff` computes it. */
function resourceImpacts(before: CfnTemplate, after: CfnTemplate): Map<string, ResourceImpact> {
  const impacts = new Map<string, ResourceImpact>();
  templateDiff(before, after).resources.forEachDifference((logicalId, change) => impacts.set(logicalId, change.changeImpact));
  return impacts;
}

function groupReads(reads: readonly StackRead[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const read of reads) {
    if (read.kind !== 'weak') continue;
    const key = `${read.stack}\u0000${read.output}`;
    const ids = groups.get(key) ?? [];
    if (!ids.includes(read.consumerLogicalId)) ids.push(read.consumerLogicalId);
    groups.set(key, ids.sort());
  }
  return groups;
}

/** Stack → stacks it reads from, for assemblies without a manifest (hand-made ones in tests). */
export function dependenciesFromReferences(...sides: readonly StackTemplates[]): Map<string, string[]> {
  const result = new Map<string, string[]>();
  const exporters = new Map<string, string>();
  for (const side of sides) {
    for (const [name, template] of side) for (const o of outputsOf(template).values()) if (o.exportName) exporters.set(o.exportName, name);
  }
  for (const side of sides) {
    for (const [name, template] of side) {
      const from = stackReads(template).map((r) => (r.kind === 'weak' ? r.stack : exporters.get(r.exportName)));
      const all = [...(result.get(name) ?? []), ...from.filter((s): s is string => !!s && s !== name)];
      result.set(name, [...new Set(all)].sort());
    }
  }
  return result;
}

/** True when `consumer` depends, directly or through others, on `producer`: it deploys after it. */
export function dependsOn(dependencies: ReadonlyMap<string, readonly string[]>, consumer: string, producer: string): boolean {
  const seen = new Set<string>();
  const stack = [...(dependencies.get(consumer) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (next === producer) return true;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(dependencies.get(next) ?? []));
  }
  return false;
}

/** Stacks in the order `cdk deploy --all` deploys them: every stack after the stacks it depends on. */
export function deployOrder(stacks: readonly string[], dependencies: ReadonlyMap<string, readonly string[]>): string[] {
  const order: string[] = [];
  const visit = (name: string, path: string[]) => {
    if (order.includes(name) || path.includes(name)) return;
    for (const dep of [...(dependencies.get(name) ?? [])].sort()) if (stacks.includes(dep)) visit(dep, [...path, name]);
    order.push(name);
  };
  for (const name of [...stacks].sort()) visit(name, []);
  return order;
}

function majorOf(version: string): number {
  return Number(version.split('.')[0]);
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

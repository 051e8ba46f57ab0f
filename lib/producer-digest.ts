/**
 * Makes a stack's template change whenever a value it reads from another stack may change.
 *
 * Stacks read each other through weak references (`Fn::GetStackOutput`, cdk.json's
 * `@aws-cdk/core:defaultCrossStackReferences: weak`). CloudFormation resolves one when the reading stack is
 * created or updated, never afterwards, and the CDK CLI skips a stack whose template has not changed. So a
 * target group replaced by a port change left the Monitoring stack, whose template did not change, watching
 * the deleted one: its alarms saw no data, treated as not breaching, and never fired.
 *
 * The fix is a digest, in the reading stack's template metadata, of the definitions (type and properties)
 * of every resource of another stack it reads. Any change to such a resource, in place or by replacement,
 * changes the digest, so `cdk deploy --all` deploys the reader after the producer and CloudFormation resolves
 * the reference again. A change in place that leaves the value alone costs an update with nothing to do.
 * The metadata is inert: CloudFormation stores it and acts on nothing in it.
 */
import { createHash } from 'crypto';
import { CfnElement, CfnOutput, CfnResource, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { PRODUCER_DIGEST_METADATA } from './template-metadata';

/** Stands in for the digests in the template metadata until the template is rendered, keeping the key's place. */
const PENDING = 'pending: lib/producer-digest.ts';

/** A stack or element as CDK renders it: `_toCloudFormation` is public in JavaScript but marked internal. */
interface Renderable {
  _toCloudFormation(): unknown;
}

/**
 * Adds the producer digests to `stack`'s template metadata, computed when the template is rendered: what the stack
 * reads from other stacks is found in its rendered template, not by rendering each of its resources again (which
 * was a fifth of a synthesis in the test suite). Were a release of aws-cdk-lib to render stacks another way, the
 * placeholder would reach the template: every snapshot and test/producer-digest.test.ts would fail.
 */
export function followProducers(stack: Stack): void {
  stack.templateOptions.metadata = { ...stack.templateOptions.metadata, [PRODUCER_DIGEST_METADATA]: PENDING };
  const renderable = stack as unknown as Renderable;
  const render = renderable._toCloudFormation.bind(stack);
  renderable._toCloudFormation = () => {
    const template = render() as { Metadata?: Record<string, unknown>; Resources?: unknown };
    // The rendered metadata is this template's own object: resolving copies it.
    if (template.Metadata?.[PRODUCER_DIGEST_METADATA] === PENDING) {
      const digests = producerDigests(stack, template.Resources);
      if (digests) template.Metadata[PRODUCER_DIGEST_METADATA] = digests;
      else delete template.Metadata[PRODUCER_DIGEST_METADATA];
    }
    return template;
  };
}

/**
 * Producer stack name → sha256 of the definitions of the resources that `resources`, the `Resources` of `stack`'s
 * rendered template, read from it. Rendered after CDK has turned cross-stack tokens into `Fn::GetStackOutput`, so
 * what is read is what the template reads.
 */
export function producerDigests(stack: Stack, resources: unknown): Record<string, string> | undefined {
  const reads = new Map<string, Set<string>>();
  collectReads(resources, reads);
  if (reads.size === 0) return undefined;
  const stacks = stack.node.root.node.findAll().filter((c): c is Stack => Stack.isStack(c));
  const digests: Record<string, string> = {};
  for (const [producerName, outputNames] of [...reads].sort(([a], [b]) => a.localeCompare(b))) {
    const producer = stacks.find((s) => s.stackName === producerName);
    if (!producer) continue; // Another app's stack: nothing here can say when it changes.
    const resources = new Map(cfnOf(producer, CfnResource).map((r) => [producer.resolve(r.logicalId) as string, r]));
    const outputs = new Map(cfnOf(producer, CfnOutput).map((o) => [producer.resolve(o.logicalId) as string, o]));
    const hash = createHash('sha256');
    for (const name of [...outputNames].sort()) {
      const output = outputs.get(name);
      const value = output
        ? (producer.resolve(render(output)) as { Outputs?: Record<string, { Value?: unknown }> }).Outputs?.[name]?.Value
        : undefined;
      hash.update(`${name}=${JSON.stringify(value)}\n`);
      for (const target of targetsOf(value).sort()) {
        const resource = resources.get(target);
        if (!resource) continue;
        const rendered = (producer.resolve(render(resource)) as { Resources: Record<string, { Type: string; Properties?: unknown }> })
          .Resources[target];
        hash.update(`${target}=${JSON.stringify({ Type: rendered.Type, Properties: rendered.Properties })}\n`);
      }
    }
    digests[producerName] = hash.digest('hex').slice(0, 16);
  }
  return digests;
}

function render(element: CfnElement): unknown {
  return (element as unknown as Renderable)._toCloudFormation();
}

function cfnOf<T extends CfnElement>(stack: Stack, type: abstract new (...args: never[]) => T): T[] {
  return stack.node.findAll().filter((c: IConstruct): c is T => c instanceof type && Stack.of(c) === stack);
}

function collectReads(value: unknown, reads: Map<string, Set<string>>): void {
  if (Array.isArray(value)) value.forEach((v) => collectReads(v, reads));
  else if (value && typeof value === 'object') {
    const ref = (value as Record<string, unknown>)['Fn::GetStackOutput'] as { StackName?: unknown; OutputName?: unknown } | undefined;
    if (ref && typeof ref.StackName === 'string' && typeof ref.OutputName === 'string') {
      const names = reads.get(ref.StackName) ?? new Set<string>();
      names.add(ref.OutputName);
      reads.set(ref.StackName, names);
      return;
    }
    for (const v of Object.values(value)) collectReads(v, reads);
  }
}

function targetsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(targetsOf);
  if (!value || typeof value !== 'object') return [];
  const obj = value as Record<string, unknown>;
  if (typeof obj.Ref === 'string') return [obj.Ref];
  const getAtt = obj['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return [getAtt[0]];
  return Object.values(obj).flatMap(targetsOf);
}

/**
 * What a role of a bare stack may do, evaluated the way IAM evaluates it: the role's identity policies from the
 * synthesized template, intrinsics resolved to ARNs (test/iam/resolve.ts), each request decided by the permission
 * matrix's evaluator (test/iam/matrix.ts, @cloud-copilot/iam-simulate).
 */
import type { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { type Expected, evaluateMatrix, failures, identityPoliciesOf } from '../iam/matrix';
import { type CfnTemplate, type Json, Resolver } from '../iam/resolve';
import { ACCOUNT, REGION } from './fixtures';

/** One request and what IAM must decide. */
export interface Request {
  readonly action: string;
  /** What is asked for, as a reader says it (printed when the decision differs). */
  readonly on: string;
  readonly resource: string;
  readonly expected: Expected;
  readonly context?: Record<string, string>;
  /** The resource's own policy (a trust policy, a key policy). @default - none */
  readonly resourcePolicy?: Json;
}

export class Permissions {
  readonly resolver: Resolver;
  private readonly templates: Record<string, CfnTemplate>;

  constructor(private readonly stack: Stack) {
    this.templates = { [stack.stackName]: Template.fromStack(stack).toJSON() as CfnTemplate };
    this.resolver = new Resolver({ account: ACCOUNT, region: REGION, templates: this.templates });
  }

  /** What the template's `Ref` of `construct`'s resource resolves to. */
  ref(construct: { node: { defaultChild?: unknown } }): string {
    return this.resolver.string(this.stack.stackName, { Ref: this.stack.getLogicalId(construct.node.defaultChild as CfnElement) });
  }

  /** `Fn::GetAtt` of `construct`'s resource. */
  attr(construct: { node: { defaultChild?: unknown } }, attribute: string): string {
    const id = this.stack.getLogicalId(construct.node.defaultChild as CfnElement);
    return this.resolver.string(this.stack.stackName, { 'Fn::GetAtt': [id, attribute] });
  }

  /** The resolved resource policy-like property of `construct`'s resource (`AssumeRolePolicyDocument`, `KeyPolicy`). */
  property(construct: { node: { defaultChild?: unknown } }, name: string): Json {
    const id = this.stack.getLogicalId(construct.node.defaultChild as CfnElement);
    return this.resolver.resolve(this.stack.stackName, this.resolver.resource(this.stack.stackName, id).Properties![name]);
  }

  /** The requests whose decision for `role` differs from the expected one, one line each (none: all as expected). */
  async failuresOf(role: iam.IRole, who: string, requests: readonly Request[]): Promise<string[]> {
    const identityPolicies = identityPoliciesOf(this.resolver, this.templates, role);
    const principal = this.attr(role, 'Arn');
    const outcomes = await evaluateMatrix(
      requests.map((r) => ({
        who,
        action: r.action,
        on: r.on,
        expected: r.expected,
        why: '',
        principal,
        resource: r.resource,
        context: r.context ?? {},
        identityPolicies,
        resourcePolicy: r.resourcePolicy,
      })),
    );
    return failures(outcomes);
  }

  /** Who may assume `role`, by its trust policy alone (what STS checks for a service principal). */
  async failuresOfTrust(
    role: iam.IRole,
    requests: readonly { service: string; expected: Expected; context?: Record<string, string> }[],
  ): Promise<string[]> {
    const trust = this.property(role, 'AssumeRolePolicyDocument');
    const roleArn = this.attr(role, 'Arn');
    const outcomes = await evaluateMatrix(
      requests.map(({ service, expected, context }) => ({
        who: service,
        action: 'sts:AssumeRole',
        on: `the role${context ? ` with ${JSON.stringify(context)}` : ''}`,
        expected,
        why: '',
        principal: service,
        resource: roleArn,
        context: context ?? {},
        identityPolicies: [],
        resourcePolicy: trust,
      })),
    );
    return failures(outcomes);
  }
}

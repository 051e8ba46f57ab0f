/**
 * The deployed stacks of an environment and their outputs: what every other check starts from.
 */
import { DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { type Aws, AwsCallError, allPages } from './aws';
import { type CheckResult, fail, pass } from './result';

export interface StacksInput {
  /** Stack names, `<App>-<env>-<Layer>`. */
  readonly stackNames: readonly string[];
}

export interface StacksReport {
  readonly results: CheckResult[];
  /** Every output of every stack found, by OutputKey (the names of lib/outputs.ts). */
  readonly outputs: ReadonlyMap<string, string>;
}

/** A stack in one of these states has finished a deployment that succeeded. */
const SETTLED = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'IMPORT_COMPLETE']);

export async function readStacks(aws: Aws, input: StacksInput): Promise<StacksReport> {
  const results: CheckResult[] = [];
  const outputs = new Map<string, string>();
  for (const stackName of input.stackNames) {
    const name = `stack ${stackName}`;
    let stack: Stack | undefined;
    try {
      const pages = await allPages(
        (NextToken) =>
          aws.call('cloudformation:DescribeStacks', () =>
            aws.clients.cloudFormation.send(new DescribeStacksCommand({ StackName: stackName, NextToken })),
          ),
        (page) => page.NextToken,
      );
      stack = pages.flatMap((page) => page.Stacks ?? [])[0];
    } catch (e) {
      if (!(e instanceof AwsCallError)) throw e;
      // CloudFormation answers a missing stack with a ValidationError, not an empty list.
      const missing = e.errorName === 'ValidationError' && /does not exist/.test(e.message);
      results.push(fail(name, missing ? 'not deployed (no such stack in this account and region)' : e.message));
      continue;
    }
    if (!stack) {
      results.push(fail(name, 'not deployed (no such stack in this account and region)'));
      continue;
    }
    for (const output of stack.Outputs ?? []) {
      if (output.OutputKey && output.OutputValue !== undefined) outputs.set(output.OutputKey, output.OutputValue);
    }
    const status = stack.StackStatus ?? 'UNKNOWN';
    const count = stack.Outputs?.length ?? 0;
    results.push(
      SETTLED.has(status)
        ? pass(name, `${status}, ${count} output${count === 1 ? '' : 's'}`)
        : fail(
            name,
            `${status}${stack.StackStatusReason ? `: ${stack.StackStatusReason}` : ''} (expected CREATE_COMPLETE or UPDATE_COMPLETE)`,
          ),
    );
  }
  return { results, outputs };
}

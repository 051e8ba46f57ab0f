/**
 * A bare stack for construct-level tests: no compliance packs, no whole environment, no asset bundling (the
 * functions' code is not what these tests are about). Each test builds only the construct it looks at.
 */
import { App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SUITE_APP_CONTEXT, SUITE_TREE_METADATA } from '../support/shortcuts';

export const ACCOUNT = '111111111111';
export const REGION = 'eu-west-1';
export const ZONES = [`${REGION}a`, `${REGION}b`, `${REGION}c`];

export function bareStack(): Stack {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...SUITE_APP_CONTEXT }, treeMetadata: SUITE_TREE_METADATA });
  return new Stack(app, 'Test', { env: { account: ACCOUNT, region: REGION } });
}

/** A stack with a VPC of public, private and isolated subnets in three zones, and a key. */
export function stackWithVpc(): { stack: Stack; vpc: ec2.Vpc; key: kms.Key } {
  const stack = bareStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: ZONES,
    natGateways: 1,
    subnetConfiguration: [
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      { name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
  const key = new kms.Key(stack, 'Key');
  return { stack, vpc, key };
}

/**
 * The reservation one of the project's functions makes by default (`executions`), and none when its construct is
 * given `reserveConcurrency: false`, where the NIST and HIPAA packs' LambdaConcurrency rule is acknowledged on the
 * function instead (the construct metadata the compliance plugins read at synth). `functionOf` builds the construct.
 */
export function expectConcurrencyReservation(functionOf: (reserveConcurrency?: boolean) => lambda.Function, executions: number): void {
  const concurrencyRules = (fn: lambda.Function) =>
    fn.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.keys(m.data as Record<string, string>))
      // aws-cdk-lib records a cdk-nag rule under its annotations' namespace (`Annotation::NIST.800.53.R5-…`).
      .map((id) => id.replace(/^Annotation::/, ''))
      .filter((id) => id.endsWith('-LambdaConcurrency'))
      .sort();
  const reservation = (fn: lambda.Function) => {
    const stack = Stack.of(fn);
    const resource = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(fn.node.defaultChild as CfnElement)] as {
      Properties: Record<string, unknown>;
    };
    return resource.Properties.ReservedConcurrentExecutions;
  };
  const byDefault = functionOf();
  expect({ reserved: reservation(byDefault), acknowledged: concurrencyRules(byDefault) }).toEqual({
    reserved: executions,
    acknowledged: [],
  });
  const unreserved = functionOf(false);
  expect({ reserved: reservation(unreserved), acknowledged: concurrencyRules(unreserved) }).toEqual({
    reserved: undefined,
    acknowledged: ['HIPAA.Security-LambdaConcurrency', 'NIST.800.53.R5-LambdaConcurrency'],
  });
}

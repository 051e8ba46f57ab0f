/**
 * A bare stack for construct-level tests: no compliance packs, no whole environment, no asset bundling (the
 * functions' code is not what these tests are about). Each test builds only the construct it looks at.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { SUITE_APP_CONTEXT } from '../support/shortcuts';

export const ACCOUNT = '111111111111';
export const REGION = 'eu-west-1';
export const ZONES = [`${REGION}a`, `${REGION}b`, `${REGION}c`];

export function bareStack(): Stack {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...SUITE_APP_CONTEXT } });
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

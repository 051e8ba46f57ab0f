import { RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Network, type NetworkProps } from '../../lib/constructs/network';
import { bareStack, ZONES } from './fixtures';

const PROPS: NetworkProps = {
  cidr: '10.0.0.0/16',
  availabilityZones: ZONES,
  subnetCidrMask: { public: 24, private: 20, isolated: 24 },
  flowLogRetentionDays: 30,
};

describe('Network', () => {
  test('one NAT gateway and flow logs of all traffic by default, its key and log group retained', () => {
    // GIVEN
    const stack = bareStack();
    // WHEN
    new Network(stack, 'Network', PROPS);
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.resourceCountIs('AWS::EC2::Subnet', 9);
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL' });
    template.hasResource('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Retain' });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
  });

  test('the log group policy decides removal of the key and the flow logs', () => {
    const stack = bareStack();
    new Network(stack, 'Network', {
      ...PROPS,
      natGateways: 3,
      flowLogTrafficType: 'REJECT',
      logGroupPolicy: { removalPolicy: RemovalPolicy.DESTROY },
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::NatGateway', 3);
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT' });
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  test('fails on more NAT gateways than zones', () => {
    const stack = bareStack();
    expect(() => new Network(stack, 'Network', { ...PROPS, natGateways: 4 })).toThrow(
      'Network Test/Network: expected natGateways between 1 and the number of zones (3), got 4',
    );
  });

  test('fails on no NAT gateway', () => {
    const stack = bareStack();
    expect(() => new Network(stack, 'Network', { ...PROPS, natGateways: 0 })).toThrow(/expected natGateways between 1 and .*, got 0/);
  });

  test('fails without zones', () => {
    const stack = bareStack();
    expect(() => new Network(stack, 'Network', { ...PROPS, availabilityZones: [] })).toThrow(
      'Network Test/Network: expected at least one availability zone, got none',
    );
  });
});

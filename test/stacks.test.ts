import { Match } from 'aws-cdk-lib/assertions';
import { configOf, synth } from './support/synth';

describe('network', () => {
  test('prod spans its three configured zones with a public, a private and an isolated subnet in each', () => {
    const network = synth('prod').template('network');
    network.resourceCountIs('AWS::EC2::Subnet', 9);
    for (const az of ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']) {
      network.resourcePropertiesCountIs('AWS::EC2::Subnet', { AvailabilityZone: az }, 3);
    }
    network.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.30.0.0/16' });
  });

  test('prod has one NAT gateway per zone, so losing a zone does not cut the others off', () => {
    synth('prod').template('network').resourceCountIs('AWS::EC2::NatGateway', 3);
  });

  test('dev may run fewer NAT gateways than zones', () => {
    synth('dev').template('network').resourceCountIs('AWS::EC2::NatGateway', 1);
  });

  test('flow logs go to a KMS-encrypted log group with the configured retention and traffic type', () => {
    const network = synth('prod').template('network');
    network.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    network.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365, KmsKeyId: Match.anyValue() });
    network.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    synth('dev').template('network').hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT' });
  });

  test("the key lets CloudWatch Logs use it only for this account's log groups", () => {
    synth('prod')
      .template('network')
      .hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
              Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
            }),
          ]),
        },
      });
  });

  test('the default security group is stripped of its rules', () => {
    synth('prod').template('network').hasResourceProperties('Custom::VpcRestrictDefaultSG', { DefaultSecurityGroupId: Match.anyValue() });
  });

  test('public subnets do not hand out public addresses', () => {
    synth('prod').template('network').resourcePropertiesCountIs('AWS::EC2::Subnet', { MapPublicIpOnLaunch: true }, 0);
  });

  test('prod keeps the flow-log key and log group when they leave the template; dev deletes them', () => {
    synth('prod').template('network').hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    synth('prod').template('network').hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
    synth('dev').template('network').hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });
});

describe('stacks', () => {
  test('are named <App>-<env>-<Layer> and deploy to the configured account and region', () => {
    const { stacks } = synth('staging');
    expect(Object.values(stacks).map((s) => s.stackName)).toEqual([
      'ScaledApp-staging-Network',
      'ScaledApp-staging-Data',
      'ScaledApp-staging-Service',
      'ScaledApp-staging-Monitoring',
      'ScaledApp-staging-Chaos',
      // staging rehearses production's cross-region copy: the copy vault's stack, in the copy region.
      'ScaledApp-staging-BackupCopy',
    ]);
    expect(stacks.data.account).toBe('222222222222');
    expect(stacks.data.region).toBe('eu-west-1');
  });

  test('the Chaos stack deploys after Monitoring and takes nothing from another stack: no import, no parameter', () => {
    const { stacks } = synth('staging');
    expect(stacks.chaos!.dependencies.map((s) => s.stackName)).toEqual(['ScaledApp-staging-Monitoring']);
    // A cross-stack reference would make the stacks it exercises export values it locks (contract 1: by name).
    const template = synth('staging').template('chaos').toJSON();
    expect(JSON.stringify(template)).not.toContain('Fn::ImportValue');
    expect(Object.keys(template.Parameters ?? {})).toEqual(['BootstrapVersion']);
  });

  test('prod protects the stateful and network stacks from deletion; dev does not', () => {
    const prod = synth('prod').stacks;
    expect(prod.data.terminationProtection).toBe(true);
    expect(prod.network.terminationProtection).toBe(true);
    expect(prod.service.terminationProtection).toBe(false);
    expect(synth('dev').stacks.data.terminationProtection).toBe(false);
  });

  test('every stack and resource carries the application, environment, owner and cost-centre tags from config', () => {
    const { stacks } = synth('prod');
    expect(stacks.network.tags.tagValues()).toEqual({
      Application: 'ScaledApp',
      CostCenter: 'engineering',
      DataClassification: 'confidential',
      Environment: 'prod',
      Owner: 'platform-team',
    });
    synth('prod')
      .template('network')
      .hasResourceProperties('AWS::EC2::VPC', {
        Tags: Match.arrayWith([
          { Key: 'Application', Value: 'ScaledApp' },
          { Key: 'CostCenter', Value: 'engineering' },
          { Key: 'Environment', Value: 'prod' },
          { Key: 'Owner', Value: 'platform-team' },
        ]),
      });
  });

  test('a permissions boundary from config applies to every role', () => {
    const config = configOf('dev', { app: { permissionsBoundaryArn: 'arn:aws:iam::111111111111:policy/Boundary' } });
    synth(config)
      .template('network')
      .allResourcesProperties('AWS::IAM::Role', { PermissionsBoundary: 'arn:aws:iam::111111111111:policy/Boundary' });
  });
});

describe('data stack', () => {
  test('the database, the cache tiers and the backup vault each get their own rotating customer-managed key', () => {
    const data = synth('prod').template('data');
    data.resourcePropertiesCountIs('AWS::KMS::Key', { EnableKeyRotation: true }, 3);
    data.hasResourceProperties('AWS::KMS::Key', { Description: Match.stringLikeRegexp('PostgreSQL') });
    data.hasResourceProperties('AWS::KMS::Key', { Description: Match.stringLikeRegexp('cache tiers') });
    data.hasResourceProperties('AWS::KMS::Key', { Description: Match.stringLikeRegexp('[Bb]ackup') });
  });

  test('prod retains the data keys when they leave the template', () => {
    const keys = synth('prod').template('data').findResources('AWS::KMS::Key');
    // The database's, the cache tiers' and the backup vault's.
    expect(Object.values(keys).map((k) => k.DeletionPolicy)).toEqual(['Retain', 'Retain', 'Retain']);
  });
});

describe('service stack', () => {
  test('the cluster has Container Insights on', () => {
    synth('dev')
      .template('service')
      .hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
  });
});

describe('monitoring stack', () => {
  test('the alarm topic is encrypted with its own key and refuses plain HTTP publishing', () => {
    const monitoring = synth('prod').template('monitoring');
    monitoring.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    monitoring.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  test('CloudWatch alarms, EventBridge and AWS Budgets may use the topic key to publish; CloudWatch scoped to this account', () => {
    // That they actually may (and nobody else) is evaluated by the permission matrix (test/iam).
    const key = (statement: object) =>
      synth('prod')
        .template('monitoring')
        .hasResourceProperties('AWS::KMS::Key', { KeyPolicy: { Statement: Match.arrayWith([Match.objectLike(statement)]) } });
    key({
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': '333333333333' } }),
    });
    // EventBridge's and AWS Budgets' KMS requests carry no source: a key statement that requires one drops every
    // event and budget notification (AlarmTopic's keyRequestsCarrySource). The topic policy still admits only this
    // account's rules and budgets. CDK merges the two unscoped statements into one with both principals.
    key({
      Principal: { Service: ['budgets.amazonaws.com', 'events.amazonaws.com'] },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Condition: Match.absent(),
    });
  });

  test('subscriptions come from config: prod pages on-call by email, dev has none', () => {
    synth('prod')
      .template('monitoring')
      .hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
    synth('dev').template('monitoring').resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

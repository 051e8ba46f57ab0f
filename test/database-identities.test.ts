/**
 * Specifications of the database identity bootstrap: the custom resource's handler (with its outside world
 * replaced; the SQL itself runs against a real PostgreSQL in the service's integration tests) and the construct.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DatabaseIdentities } from '../lib/constructs/database-identities';
import { type CustomResourceEvent, type Dependencies, handle } from '../lib/database/identity-handler';
import { identitySql, serviceIdentities } from '../lib/database/identity-sql';
import { expectConcurrencyReservation } from './constructs/fixtures';

const PROPS = {
  SecretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:master-AbCdEf',
  Host: 'writer.example',
  Port: '5432',
  DatabaseName: 'app',
};

function event(type: CustomResourceEvent['RequestType'], statements: string[], physical?: string): CustomResourceEvent {
  return {
    RequestType: type,
    ResponseURL: 'https://response.example/put',
    StackId: 'stack',
    RequestId: 'request',
    LogicalResourceId: 'Identities',
    PhysicalResourceId: physical,
    ResourceProperties: { ...PROPS, Statements: statements, ServiceToken: 'fn' },
  };
}

function fakes(fail?: Error) {
  const ran: string[][] = [];
  const responses: Record<string, string>[] = [];
  const deps: Dependencies = {
    readSecret: async () => ({ username: 'postgres_admin', password: 'hunter2' }),
    runStatements: async (_props, _credentials, statements) => {
      if (fail) throw fail;
      ran.push([...statements]);
    },
    respond: async (_url, body) => {
      responses.push(JSON.parse(body) as Record<string, string>);
    },
  };
  return { deps, ran, responses };
}

const STATEMENTS = identitySql(serviceIdentities('api', 'read-write'), { databaseName: 'app' });

describe('the identity handler', () => {
  beforeEach(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  test('on create, runs every statement and answers SUCCESS with a stable physical ID', async () => {
    const { deps, ran, responses } = fakes();
    await handle(event('Create', STATEMENTS), deps);
    expect(ran).toEqual([STATEMENTS]);
    expect(responses).toEqual([expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: 'app-identities', RequestId: 'request' })]);
  });

  test('on update, runs every statement again and keeps the physical ID (never a replacement)', async () => {
    const { deps, ran, responses } = fakes();
    await handle(event('Update', STATEMENTS, 'app-identities'), deps);
    expect(ran).toEqual([STATEMENTS]);
    expect(responses[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'app-identities' });
  });

  test('on delete, runs nothing: users are never dropped', async () => {
    const { deps, ran, responses } = fakes();
    await handle(event('Delete', STATEMENTS, 'app-identities'), deps);
    expect(ran).toEqual([]);
    expect(responses[0]).toMatchObject({ Status: 'SUCCESS' });
  });

  test('fails the deployment with the reason, never the password, when a statement fails', async () => {
    const { deps, responses } = fakes(new Error('permission denied to create role'));
    await handle(event('Create', STATEMENTS), deps);
    expect(responses[0]).toMatchObject({ Status: 'FAILED', Reason: 'Create failed: permission denied to create role' });
    expect(JSON.stringify(responses)).not.toContain('hunter2');
  });
});

describe('the identity bootstrap construct', () => {
  function build(services: string[], reserveConcurrency?: boolean) {
    const stack = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    const key = new kms.Key(stack, 'Key');
    const databaseSecurityGroup = new ec2.SecurityGroup(stack, 'DatabaseSecurityGroup', { vpc, allowAllOutbound: false });
    const identities = new DatabaseIdentities(stack, 'Identities', {
      identities: services.flatMap((s) => serviceIdentities(s, 'read-write')),
      databaseName: 'app',
      writerHost: 'writer.example',
      port: 5432,
      masterSecret: new secretsmanager.Secret(stack, 'Master', { encryptionKey: key }),
      vpc,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      databaseSecurityGroup,
      logsKey: key,
      logRetentionDays: 30,
      reserveConcurrency,
    });
    return { template: Template.fromStack(stack), identities };
  }

  test("its function reserves 1 concurrent execution by default; with reserveConcurrency false (an account whose quota leaves no room) none, and the packs' LambdaConcurrency rule is acknowledged on it", () => {
    expectConcurrencyReservation((reserveConcurrency) => build(['api'], reserveConcurrency).identities.function, 1);
  });

  test('runs the statements of identitySql with the master secret, on the writer', () => {
    const { template } = build(['api']);
    template.hasResourceProperties('Custom::DatabaseIdentities', {
      Host: 'writer.example',
      Port: '5432',
      DatabaseName: 'app',
      Statements: STATEMENTS,
      SecretArn: { Ref: Match.stringLikeRegexp('^Master') },
    });
  });

  test('re-runs when the user list changes: its properties carry the statements and their digest', () => {
    const props = (services: string[]) => Object.values(build(services).template.findResources('Custom::DatabaseIdentities'))[0].Properties;
    const one = props(['api']);
    const two = props(['api', 'worker']);
    expect(two.StatementsSha256).not.toEqual(one.StatementsSha256);
    expect(two.Statements).toContain('GRANT "rds_iam" TO "worker"');
  });

  test('runs in the VPC, reaches the writer on 5432 and AWS APIs on 443 only, and verifies TLS with the RDS CAs', () => {
    const { template } = build(['api']);
    template.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
      Environment: { Variables: { NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' } },
      ReservedConcurrentExecutions: 1,
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Database identity bootstrap'),
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 })],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 5432,
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^IdentitiesSecurityGroup'), 'GroupId'] },
    });
  });

  test('its role has no AWS managed policy (the permission matrix reads every statement it has)', () => {
    const { template } = build(['api']);
    const roles = template.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('^Database identity') } });
    expect(Object.values(roles)).toHaveLength(1);
    expect(Object.values(roles)[0].Properties.ManagedPolicyArns).toBeUndefined();
  });
});

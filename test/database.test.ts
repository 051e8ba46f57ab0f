/**
 * Specifications of the database layer, for both engines: the RDS Proxy and its pool, TLS and IAM
 * authentication, parameters, logs, encryption, placement, security groups, outputs and data safety.
 */
import { Stack } from 'aws-cdk-lib';
import { AuroraDatabase, InstanceDatabase } from '../lib/constructs/database';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { AppConfig } from '../config/load';
import { buildEnvironment } from '../lib/app';
import { acknowledge } from '../lib/compliance';
import { Outputs, parameterName } from '../lib/outputs';
import { configOf, newApp, SUITE_COMPLIANCE, type SynthesizedEnvironment, synth } from './support/synth';

const postgresProd = configOf('prod', { database: { engine: 'postgres' } });
let postgresEnvironment: SynthesizedEnvironment | undefined;
/** prod with engine `postgres`, synthesized once per file. */
const postgres = () => (postgresEnvironment ??= synth(postgresProd));
const ENGINES: [string, () => SynthesizedEnvironment][] = [
  ['aurora-postgresql', () => synth('prod')],
  ['postgres', postgres],
];

/** Builds an environment, lets a service-side client use the database, and returns the templates. */
function withClient(config: AppConfig): { data: Template; service: Template } {
  const app = newApp();
  const stacks = buildEnvironment(app, config, SUITE_COMPLIANCE);
  const client = new ec2.SecurityGroup(stacks.service, 'ClientSecurityGroup', {
    vpc: stacks.network.network.vpc,
    allowAllOutbound: false,
  });
  const role = new iam.Role(stacks.service, 'ClientRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
  acknowledge(role, 'A test stand-in for a service task role.', '*-IAMNoInlinePolicy');
  stacks.data.database.allowFrom(client);
  stacks.data.database.grantConnect(role, { writer: 'app_user', reader: 'app_user_reader' });
  return { data: Template.fromStack(stacks.data as Stack), service: Template.fromStack(stacks.service as Stack) };
}

function isolatedSubnetOutputs(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    'Fn::GetStackOutput': Match.objectLike({ OutputName: Match.stringLikeRegexp(`isolatedSubnet${i + 1}`) }),
  }));
}

describe.each(ENGINES)('database on %s', (engine, env) => {
  const data = () => env().template('data');

  test('the writer sits behind an RDS Proxy that requires TLS and end-to-end IAM authentication, with no secret', () => {
    data().hasResourceProperties('AWS::RDS::DBProxy', {
      DBProxyName: 'scaledapp-prod-proxy',
      EngineFamily: 'POSTGRESQL',
      RequireTLS: true,
      IdleClientTimeout: 1800,
      DefaultAuthScheme: 'IAM_AUTH',
      Auth: Match.absent(),
    });
  });

  test('the proxy pool comes from the capacity model, with a borrow timeout from config', () => {
    const plan = env().stacks.data.database.capacityPlan;
    // prod: r7g.xlarge has 32 GiB, so max_connections = 32 GiB / 9,531,392 = 3,604; 100 reserved leaves 97%.
    expect(plan.maxConnections).toBe(3604);
    expect(plan.maxConnectionsPercent).toBe(97);
    data().hasResourceProperties('AWS::RDS::DBProxyTargetGroup', {
      ConnectionPoolConfigurationInfo: {
        ConnectionBorrowTimeout: 10,
        MaxConnectionsPercent: 97,
        MaxIdleConnectionsPercent: plan.maxIdleConnectionsPercent,
      },
    });
    expect(plan.maxIdleConnectionsPercent).toBe(23); // 800 writer connections at peak / 3,604
  });

  test('the proxy, the database and its replicas live in the isolated subnets', () => {
    data().hasResourceProperties('AWS::RDS::DBProxy', { VpcSubnetIds: isolatedSubnetOutputs(3) });
    data().hasResourceProperties('AWS::RDS::DBSubnetGroup', { SubnetIds: isolatedSubnetOutputs(3) });
    data().allResourcesProperties('AWS::RDS::DBInstance', { PubliclyAccessible: false });
  });

  test('the database admits the proxy, secret rotation and the identity bootstrap only, on 5432; the proxy admits only the data-clients group the services wear', () => {
    const all = Object.values(data().findResources('AWS::EC2::SecurityGroupIngress'));
    const fromClients = all.filter((r) => JSON.stringify(r.Properties.SourceSecurityGroupId).includes('DataClientsSecurityGroup'));
    // The proxy, and with postgres the replicas, admit the services' data-clients group; the rest go to the cache tiers.
    expect(
      fromClients
        .filter((r) => r.Properties.FromPort === 5432)
        .map((r) => r.Properties.Description)
        .sort(),
    ).toEqual(
      engine === 'postgres' ? ['Service to the PostgreSQL read replicas', 'Service to the RDS Proxy'] : ['Service to the RDS Proxy'],
    );
    const ingress = all.filter((r) => !fromClients.includes(r));
    expect(ingress).toHaveLength(3);
    data().hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseIdentitiesSecurityGroup'), 'GroupId'] },
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseSecurityGroup'), 'GroupId'] },
    });
    for (const rule of ingress) {
      expect(rule.Properties).toMatchObject({ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432 });
      expect(rule.Properties.SourceSecurityGroupId).toBeDefined();
      expect(rule.Properties.CidrIp).toBeUndefined();
    }
    data().hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseProxySecurityGroup'), 'GroupId'] },
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseSecurityGroup'), 'GroupId'] },
    });
    data().hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^RDS Proxy'),
      SecurityGroupIngress: Match.absent(),
    });
  });

  test('storage, Performance Insights and the secret are encrypted with the database key', () => {
    const key = { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseKey'), 'Arn'] };
    const type = engine === 'postgres' ? 'AWS::RDS::DBInstance' : 'AWS::RDS::DBCluster';
    data().hasResourceProperties(type, {
      StorageEncrypted: true,
      KmsKeyId: key,
      // The two resource types spell the property differently.
      [engine === 'postgres' ? 'PerformanceInsightsKMSKeyId' : 'PerformanceInsightsKmsKeyId']: key,
      EnableIAMDatabaseAuthentication: true,
    });
    data().hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: key,
      GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"postgres_admin","dbname":"app"}' }),
    });
  });

  test('the master secret rotates every 30 days', () => {
    data().hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
    });
  });

  test('slow statements are logged and pg_stat_statements is preloaded; connections require TLS', () => {
    const type = engine === 'postgres' ? 'AWS::RDS::DBParameterGroup' : 'AWS::RDS::DBClusterParameterGroup';
    data().hasResourceProperties(type, {
      Family: engine === 'postgres' ? 'postgres17' : 'aurora-postgresql17',
      Parameters: Match.objectLike({
        log_min_duration_statement: '500',
        shared_preload_libraries: 'pg_stat_statements',
        'rds.force_ssl': '1',
      }),
    });
  });

  test('PostgreSQL logs go to encrypted log groups with the configured retention, created before the database', () => {
    const path =
      engine === 'postgres' ? '/aws/rds/instance/scaledapp-prod-writer/postgresql' : '/aws/rds/cluster/scaledapp-prod/postgresql';
    data().hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: path, RetentionInDays: 365, KmsKeyId: Match.anyValue() });
    const type = engine === 'postgres' ? 'AWS::RDS::DBInstance' : 'AWS::RDS::DBCluster';
    data().hasResource(type, {
      Properties: Match.objectLike({ EnableCloudwatchLogsExports: Match.arrayWith(['postgresql']) }),
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('Logs')]),
    });
  });

  test('instances have enhanced monitoring, Performance Insights and automatic minor version upgrades', () => {
    data().allResourcesProperties('AWS::RDS::DBInstance', {
      MonitoringInterval: 60,
      PerformanceInsightsKMSKeyId: Match.anyValue(),
      AutoMinorVersionUpgrade: true,
    });
  });

  test('backups, windows and snapshot tags come from config', () => {
    const type = engine === 'postgres' ? 'AWS::RDS::DBInstance' : 'AWS::RDS::DBCluster';
    data().hasResourceProperties(type, {
      BackupRetentionPeriod: 14,
      PreferredBackupWindow: '03:00-04:00',
      PreferredMaintenanceWindow: 'sun:04:30-sun:05:30',
      CopyTagsToSnapshot: true,
      DeletionProtection: true,
    });
  });

  test('prod snapshots the writer on delete and on replace', () => {
    const type = engine === 'postgres' ? 'AWS::RDS::DBInstance' : 'AWS::RDS::DBCluster';
    data().hasResource(type, {
      Properties: Match.objectLike({ DBInstanceIdentifier: engine === 'postgres' ? 'scaledapp-prod-writer' : Match.absent() }),
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
    });
  });

  test('endpoints are published under names that say which is which, as outputs and SSM parameters', () => {
    const outputs = data().toJSON().Outputs as Record<string, { Value: unknown }>;
    for (const key of [
      Outputs.databaseWriterEndpoint,
      Outputs.databaseReaderEndpoint,
      Outputs.databasePort,
      Outputs.databaseSecretArn,
      Outputs.databaseProxyName,
      Outputs.databaseIdentifier,
      Outputs.databaseReaderIdentifiers,
    ]) {
      expect(outputs[key]).toBeDefined();
      data().hasResourceProperties('AWS::SSM::Parameter', { Name: parameterName('ScaledApp', 'prod', key) });
    }
    data().hasOutput(Outputs.databaseWriterEndpoint, {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DatabaseProxy[A-F0-9]+$'), 'Endpoint'] },
    });
    expect(outputs.DatabasePort.Value).toBe('5432');
    expect(outputs.DatabaseReaderIdentifiers.Value).toBe('scaledapp-prod-reader-1,scaledapp-prod-reader-2');
    data().hasResourceProperties('AWS::SSM::Parameter', { Name: '/ScaledApp/prod/database-writer-endpoint' });
  });

  test('a service that is allowed in may reach the proxy on 5432 and connect with IAM', () => {
    const { service } = withClient(engine === 'postgres' ? postgresProd : configOf('prod'));
    service.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 5432,
      ToPort: 5432,
      GroupId: Match.objectLike({ 'Fn::GetStackOutput': Match.objectLike({ OutputName: Match.stringLikeRegexp('ProxySecurityGroup') }) }),
    });
    service.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'rds-db:connect', Effect: 'Allow' })]) },
    });
  });
});

describe('Aurora readers', () => {
  test('readers have their own read-only proxy endpoint', () => {
    synth('prod')
      .template('data')
      .hasResourceProperties('AWS::RDS::DBProxyEndpoint', { TargetRole: 'READ_ONLY', DBProxyEndpointName: 'scaledapp-prod-readers' });
    const outputs = synth('prod').template('data').toJSON().Outputs;
    expect(outputs.DatabaseReaderEndpoint.Value).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^DatabaseProxyReadOnlyEndpoint/), 'Endpoint'],
    });
  });

  test('the reader count scales between the configured bounds to hold the CPU target', () => {
    const data = synth('prod').template('data');
    data.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ServiceNamespace: 'rds',
      ScalableDimension: 'rds:cluster:ReadReplicaCount',
      MinCapacity: 2,
      MaxCapacity: 6,
    });
    data.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        TargetValue: 60,
        PredefinedMetricSpecification: { PredefinedMetricType: 'RDSReaderAverageCPUUtilization' },
      }),
    });
  });

  test('prod runs a provisioned writer and two readers of the configured class', () => {
    const data = synth('prod').template('data');
    data.resourceCountIs('AWS::RDS::DBInstance', 3);
    data.allResourcesProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.r7g.xlarge', Engine: 'aurora-postgresql' });
    // The major alone: minors follow AWS's automatic upgrades, and no deploy asks RDS to go back to a pinned one.
    data.hasResourceProperties('AWS::RDS::DBCluster', { DBClusterIdentifier: 'scaledapp-prod', EngineVersion: '17' });
  });

  test('dev runs Serverless v2 with one reader, and deletes the database with the stack', () => {
    const data = synth('dev').template('data');
    data.hasResourceProperties('AWS::RDS::DBCluster', { ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 4 } });
    data.resourcePropertiesCountIs('AWS::RDS::DBInstance', { DBInstanceClass: 'db.serverless' }, 2);
    data.hasResource('AWS::RDS::DBCluster', { DeletionPolicy: 'Delete' });
    data.hasResourceProperties('AWS::RDS::DBCluster', { DeletionProtection: false });
  });

  test('removalPolicy retain keeps the cluster', () => {
    synth(configOf('staging', { database: { removalPolicy: 'retain' } }))
      .template('data')
      .hasResource('AWS::RDS::DBCluster', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('monitoring gets the proxy, the cluster and the reader identifiers as typed properties', () => {
    const { database } = synth('prod').stacks.data;
    expect(database).toBeInstanceOf(AuroraDatabase);
    expect(database.backupTarget.kind).toBe('cluster');
    expect(database.readerInstanceIdentifiers).toEqual(['scaledapp-prod-reader-1', 'scaledapp-prod-reader-2']);
    expect(database.writerInstanceIdentifier).toBe('scaledapp-prod-writer');
  });
});

describe('postgres readers', () => {
  test('read replicas of the primary are spread over the zones', () => {
    const data = postgres().template('data');
    data.resourcePropertiesCountIs('AWS::RDS::DBInstance', { SourceDBInstanceIdentifier: Match.anyValue() }, 2);
    data.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceIdentifier: 'scaledapp-prod-reader-1', AvailabilityZone: 'eu-west-1a' });
    data.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceIdentifier: 'scaledapp-prod-reader-2', AvailabilityZone: 'eu-west-1b' });
    data.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceIdentifier: 'scaledapp-prod-writer', MultiAZ: true });
  });

  test('the replicas get one stable name: weighted records in a private hosted zone', () => {
    const data = postgres().template('data');
    data.hasResourceProperties('AWS::Route53::HostedZone', {
      Name: 'database.scaledapp-prod.internal.',
      VPCs: [Match.objectLike({ VPCRegion: 'eu-west-1' })],
    });
    data.resourcePropertiesCountIs(
      'AWS::Route53::RecordSet',
      { Name: 'readers.database.scaledapp-prod.internal.', Type: 'CNAME', Weight: 1, TTL: '30' },
      2,
    );
    expect(data.toJSON().Outputs.DatabaseReaderEndpoint.Value).toBe('readers.database.scaledapp-prod.internal');
  });

  test('services are told the reader name is an alias (cname), which they resolve per connection; Aurora and replica-less postgres say endpoint', () => {
    const readerEnv = (env: SynthesizedEnvironment) => {
      const [task] = Object.values(env.template('service').findResources('AWS::ECS::TaskDefinition')) as {
        Properties: { ContainerDefinitions: { Name: string; Environment?: { Name: string; Value: unknown }[] }[] };
      }[];
      const app = task!.Properties.ContainerDefinitions.find((c) => c.Environment?.some((e) => e.Name === 'DATABASE_READER_ENDPOINT'));
      return app!.Environment!.find((e) => e.Name === 'DATABASE_READER_ENDPOINT_TYPE')?.Value;
    };
    expect(readerEnv(postgres())).toBe('cname');
    expect(readerEnv(synth('prod'))).toBe('endpoint');
    expect(
      readerEnv(
        synth(
          configOf('dev', {
            database: { engine: 'postgres', instanceClass: 't4g.medium', readReplicas: 0, readerAutoScaling: { min: 0, max: 1 } },
          }),
        ),
      ),
    ).toBe('endpoint');
  });

  test('there is no reader auto scaling and no read-only proxy endpoint (RDS Proxy cannot target replicas)', () => {
    const data = postgres().template('data');
    data.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
    data.resourceCountIs('AWS::RDS::DBProxyEndpoint', 0);
  });

  test('replicas are copies: they are deleted with the stack while the primary is snapshotted', () => {
    const data = postgres().template('data');
    data.hasResource('AWS::RDS::DBInstance', {
      Properties: Match.objectLike({ SourceDBInstanceIdentifier: Match.anyValue() }),
      DeletionPolicy: 'Delete',
    });
  });

  test('each instance exports its PostgreSQL and upgrade logs to its own encrypted log group', () => {
    const data = postgres().template('data');
    for (const id of ['writer', 'reader-1', 'reader-2']) {
      for (const type of ['postgresql', 'upgrade']) {
        data.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: `/aws/rds/instance/scaledapp-prod-${id}/${type}` });
      }
    }
  });

  test('allowFrom opens the replicas to the service too, and grantConnect covers them', () => {
    const { service } = withClient(postgresProd);
    // The test's client only (the environment's own services get the same rules).
    service.resourcePropertiesCountIs(
      'AWS::EC2::SecurityGroupIngress',
      { FromPort: 5432, SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ClientSecurityGroup'), 'GroupId'] } },
      2,
    );
    service.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: Match.objectLike({ 'Fn::GetStackOutput': Match.objectLike({ OutputName: Match.stringLikeRegexp('ReplicaSecurityGroup') }) }),
    });
  });

  test('monitoring gets the primary, the replicas and their identifiers as typed properties', () => {
    const { database } = postgres().stacks.data;
    expect(database).toBeInstanceOf(InstanceDatabase);
    expect((database as InstanceDatabase).replicas).toHaveLength(2);
    expect(database.monitoredResources.instances).toHaveLength(3);
    expect(database.readerInstanceIdentifiers).toEqual(['scaledapp-prod-reader-1', 'scaledapp-prod-reader-2']);
  });
});

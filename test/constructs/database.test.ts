/**
 * The two engine classes behind `Database`, each in a bare stack: the same construct paths (so logical IDs), the
 * engine's own resources, metrics and the validations of their props.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Stack } from 'aws-cdk-lib';
import {
  AuroraDatabase,
  type AuroraDatabaseSettings,
  InstanceDatabase,
  type InstanceDatabaseSettings,
} from '../../lib/constructs/database';
import { ALLOW_MAJOR_UPGRADE_METADATA } from '../../lib/template-metadata';
import { stackWithVpc, ZONES } from './fixtures';
import { AURORA_SETTINGS as AURORA, POSTGRES_SETTINGS as POSTGRES, databasePlan as plan, databaseProps as common } from './settings';

function aurora(settings: Partial<AuroraDatabaseSettings> = {}): { stack: Stack; db: AuroraDatabase; template: () => Template } {
  const { stack, vpc, key } = stackWithVpc();
  const s = { ...AURORA, ...settings };
  const db = new AuroraDatabase(stack, 'Database', {
    ...common(vpc, key),
    settings: s,
    capacityPlan: plan('aurora-postgresql', s.readReplicas),
  });
  return { stack, db, template: () => Template.fromStack(stack) };
}

function postgres(settings: Partial<InstanceDatabaseSettings> = {}, zones: readonly string[] = ZONES) {
  const { stack, vpc, key } = stackWithVpc();
  const s = { ...POSTGRES, ...settings };
  const db = new InstanceDatabase(stack, 'Database', {
    ...common(vpc, key),
    settings: s,
    capacityPlan: plan('postgres', s.readReplicas),
    availabilityZones: zones,
  });
  return { stack, db, template: () => Template.fromStack(stack) };
}

describe('AuroraDatabase', () => {
  test('a cluster with a writer and the readers, the proxy and its read-only endpoint, under the Database paths', () => {
    // GIVEN / WHEN
    const { db, template } = aurora();
    // THEN
    const t = template();
    t.resourceCountIs('AWS::RDS::DBCluster', 1);
    t.resourceCountIs('AWS::RDS::DBInstance', 3);
    t.hasResourceProperties('AWS::RDS::DBProxyEndpoint', { TargetRole: 'READ_ONLY', DBProxyEndpointName: 'app-dev-readers' });
    t.hasResource('AWS::RDS::DBCluster', { DeletionPolicy: 'Snapshot' });
    expect(db.cluster.node.path).toBe('Test/Database/Cluster');
    expect(db.proxy.node.path).toBe('Test/Database/Proxy');
    expect(db.readerEndpointType).toBe('endpoint');
    expect(db.backupTarget.kind).toBe('cluster');
    expect(db.readerInstanceIdentifiers).toEqual(['app-dev-reader-1', 'app-dev-reader-2']);
    expect(db.monitoredResources.clusters).toEqual([db.cluster]);
  });

  test('without readers, the reader endpoint is the writer endpoint and there is no read-only endpoint', () => {
    const { db, template } = aurora({ readReplicas: 0, readerAutoScaling: { min: 0, max: 2, targetCpuPercent: 60 } });
    template().resourceCountIs('AWS::RDS::DBProxyEndpoint', 0);
    expect(db.readOnlyProxyEndpoint).toBeUndefined();
    expect(db.readerEndpoint).toBe(db.writerEndpoint);
    expect(db.metricReadersCpu()).toEqual([]);
  });

  test('writer metrics follow the writer by role; replica lag is converted to seconds', () => {
    const { db } = aurora();
    const writer = db.metricWriter('CPUUtilization', 'Maximum', 'Writer CPU %');
    expect(writer.dimensions).toEqual({ DBClusterIdentifier: db.identifier, Role: 'WRITER' });
    expect(db.metricWriterFreeStorage().metricName).toBe('FreeLocalStorage');
    const lag = db.metricReplicaLag(0);
    expect(lag).toBeInstanceOf(cloudwatch.MathExpression);
    expect((lag as cloudwatch.MathExpression).expression).toBe('lag0 / 1000');
    expect(db.metricReadersCpu().map((r) => r.key)).toEqual(['readers']);
    expect(db.metricProxy('DatabaseConnections', 'Sum', 'x', true).dimensions).toMatchObject({ TargetRole: 'READ_WRITE' });
  });

  test('secret and log groups take the removal policies given', () => {
    const { stack, vpc, key } = stackWithVpc();
    new AuroraDatabase(stack, 'Database', {
      ...common(vpc, key),
      settings: AURORA,
      capacityPlan: plan('aurora-postgresql', 2),
      secretRemovalPolicy: RemovalPolicy.DESTROY,
      logGroupPolicy: { removalPolicy: RemovalPolicy.DESTROY },
    });
    const t = Template.fromStack(stack);
    t.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Delete' });
    t.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete', Properties: { LogGroupName: '/aws/rds/cluster/app-dev/postgresql' } });
  });

  test('fails when reader auto scaling has min above max', () => {
    expect(() => aurora({ readerAutoScaling: { min: 5, max: 4, targetCpuPercent: 60 } })).toThrow(
      'AuroraDatabase Test/Database: expected readerAutoScaling.min (5) at most readerAutoScaling.max (4)',
    );
  });

  test('fails on Serverless v2 bounds with min above max', () => {
    expect(() => aurora({ instanceClass: 'serverless', serverlessV2Capacity: { min: 16, max: 8 } })).toThrow(
      'AuroraDatabase Test/Database: expected serverlessV2Capacity.min (16) at most serverlessV2Capacity.max (8)',
    );
  });

  test('fails on more than 15 readers', () => {
    expect(() => aurora({ readReplicas: 16 })).toThrow('AuroraDatabase Test/Database: expected 0 to 15 readReplicas, got 16');
  });

  test('fails on an upper-case name prefix, which RDS would store in lower case', () => {
    const { stack, vpc, key } = stackWithVpc();
    expect(
      () =>
        new AuroraDatabase(stack, 'Database', {
          ...common(vpc, key),
          namePrefix: 'App-dev',
          settings: AURORA,
          capacityPlan: plan('aurora-postgresql', 2),
        }),
    ).toThrow('AuroraDatabase Test/Database: expected a lowercase namePrefix (RDS stores identifiers in lowercase), got "App-dev"');
  });
});

describe('InstanceDatabase', () => {
  test('a primary and replicas spread over the zones, named by one weighted record, under the Database paths', () => {
    // GIVEN / WHEN
    const { db, template } = postgres();
    // THEN
    const t = template();
    t.resourceCountIs('AWS::RDS::DBCluster', 0);
    t.resourceCountIs('AWS::RDS::DBInstance', 3);
    t.hasResourceProperties('AWS::RDS::DBInstance', { SourceDBInstanceIdentifier: Match.anyValue(), AvailabilityZone: ZONES[1] });
    t.resourceCountIs('AWS::Route53::RecordSet', 2);
    expect(db.primary.node.path).toBe('Test/Database/Primary');
    expect(db.replicas.map((r) => r.node.path)).toEqual(['Test/Database/Replica1', 'Test/Database/Replica2']);
    expect(db.readerEndpointType).toBe('cname');
    expect(db.backupTarget.kind).toBe('instance');
    expect(db.monitoredResources.instances).toHaveLength(3);
  });

  test('without replicas: no zone, no replica group, and the reader endpoint is the proxy', () => {
    const { db, template } = postgres({ readReplicas: 0 });
    template().resourceCountIs('AWS::Route53::HostedZone', 0);
    expect(db.replicaSecurityGroup).toBeUndefined();
    expect(db.readerZone).toBeUndefined();
    expect(db.readerEndpoint).toBe(db.writerEndpoint);
    expect(db.readerEndpointType).toBe('endpoint');
  });

  test('metrics name the instances; replica lag is RDS ReplicaLag in seconds, CPU one per reader', () => {
    const { db } = postgres();
    expect(db.metricWriter('CPUUtilization', 'Maximum', 'x').dimensions).toEqual({ DBInstanceIdentifier: db.writerInstanceIdentifier });
    expect(db.metricWriterFreeStorage().metricName).toBe('FreeStorageSpace');
    expect((db.metricReplicaLag(1) as cloudwatch.Metric).metricName).toBe('ReplicaLag');
    expect(db.metricReadersCpu().map((r) => r.key)).toEqual(['reader-1', 'reader-2']);
  });

  test('fails on the Serverless v2 class, which RDS for PostgreSQL does not have', () => {
    expect(() => postgres({ instanceClass: 'serverless' })).toThrow(
      'InstanceDatabase Test/Database: expected a provisioned instance class (RDS for PostgreSQL has no Serverless v2), got serverless',
    );
  });

  test('fails on replicas without zones to spread them over', () => {
    expect(() => postgres({}, [])).toThrow(
      'InstanceDatabase Test/Database: expected availabilityZones to spread 2 replicas over, got none',
    );
  });
});

describe.each([
  ['AuroraDatabase', 'AWS::RDS::DBCluster', (s: Partial<AuroraDatabaseSettings>) => aurora(s).template()],
  ['InstanceDatabase', 'AWS::RDS::DBInstance', (s: Partial<InstanceDatabaseSettings>) => postgres(s).template()],
] as const)('%s and a major version upgrade', (_name, writerType, build) => {
  /** The writer's resources that carry the metadata `npm run diff` reads (the replicas never do). */
  const marked = (t: Template) =>
    Object.values(t.findResources(writerType)).filter((r) => r.Metadata?.[ALLOW_MAJOR_UPGRADE_METADATA] === true);

  test('the writer says in its metadata that configuration allows the upgrade', () => {
    // GIVEN / WHEN
    const t = build({ allowMajorVersionUpgrade: true });
    // THEN
    const writers = marked(t);
    expect(writers).toHaveLength(1);
    expect(writers[0].Properties.SourceDBInstanceIdentifier).toBeUndefined();
  });

  test('no resource carries the metadata when configuration does not allow it', () => {
    // GIVEN / WHEN
    const t = build({ allowMajorVersionUpgrade: false });
    // THEN
    expect(marked(t)).toHaveLength(0);
  });
});

import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServiceDeploymentsCommand, DescribeServicesCommand, ListServiceDeploymentsCommand } from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  DescribeCacheClustersCommand,
  DescribeCacheParametersCommand,
  DescribeReplicationGroupsCommand,
} from '@aws-sdk/client-elasticache';
import {
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBProxyEndpointsCommand,
  DescribeDBProxyTargetsCommand,
} from '@aws-sdk/client-rds';
import { CredentialsError } from '../../scripts/verify/aws';
import { cacheTiers, services, stackNames, verify, type VerifyPlan } from '../../scripts/verify/runner';
import { accessDenied, awsError, mockAws, noCredentials } from './support';

const plan: VerifyPlan = {
  appName: 'ScaledApp',
  envName: 'prod',
  engine: 'aurora-postgresql',
  minReaders: 1,
  maxReplicaLagSeconds: 30,
  evictionPolicies: { critical: 'noeviction', hot: 'allkeys-lru' },
  now: new Date('2026-03-01T12:00:00Z'),
};

const OUTPUTS: Record<string, Record<string, string>> = {
  'ScaledApp-prod-Network': {},
  'ScaledApp-prod-Data': {
    DatabaseProxyName: 'proxy',
    DatabaseIdentifier: 'cluster',
    DatabaseReaderIdentifiers: '',
    CacheCriticalReplicationGroupId: 'rg-critical',
    CacheHotReplicationGroupId: 'rg-hot',
  },
  'ScaledApp-prod-Service': { ClusterName: 'ecs', ServiceApiServiceName: 'api-svc', ServiceApiTargetGroupArn: 'arn:tg/api' },
  'ScaledApp-prod-Monitoring': { AlarmNamePrefix: 'ScaledApp-prod-' },
};

/** A deployed, healthy prod environment. */
function healthyEnvironment(outputs = OUTPUTS) {
  const { aws, mocks } = mockAws();
  for (const [StackName, values] of Object.entries(outputs)) {
    mocks.cloudFormation.on(DescribeStacksCommand, { StackName }).resolves({
      Stacks: [
        {
          StackName,
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: Object.entries(values).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
        },
      ],
    });
  }
  mocks.rds
    .on(DescribeDBProxyTargetsCommand)
    .resolves({ Targets: [{ Type: 'RDS_INSTANCE', RdsResourceId: 'w', TargetHealth: { State: 'AVAILABLE' } }] });
  mocks.rds
    .on(DescribeDBProxyEndpointsCommand)
    .resolves({ DBProxyEndpoints: [{ DBProxyEndpointName: 'ro', TargetRole: 'READ_ONLY', Status: 'available' }] });
  mocks.rds.on(DescribeDBClustersCommand).resolves({
    DBClusters: [
      {
        DBClusterMembers: [
          { DBInstanceIdentifier: 'w', IsClusterWriter: true },
          { DBInstanceIdentifier: 'r1', IsClusterWriter: false },
        ],
      },
    ],
  });
  mocks.rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ DBInstanceIdentifier: 'r1', DBInstanceStatus: 'available' }] });
  mocks.cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'lag0', Values: [12] }] });
  for (const [tier, policy] of [
    ['critical', 'noeviction'],
    ['hot', 'allkeys-lru'],
  ]) {
    mocks.elastiCache
      .on(DescribeReplicationGroupsCommand, { ReplicationGroupId: `rg-${tier}` })
      .resolves({ ReplicationGroups: [{ MemberClusters: [`${tier}-1`] }] });
    mocks.elastiCache.on(DescribeCacheClustersCommand, { CacheClusterId: `${tier}-1` }).resolves({
      CacheClusters: [
        { CacheClusterId: `${tier}-1`, CacheParameterGroup: { CacheParameterGroupName: `pg-${tier}`, ParameterApplyStatus: 'in-sync' } },
      ],
    });
    mocks.elastiCache
      .on(DescribeCacheParametersCommand, { CacheParameterGroupName: `pg-${tier}` })
      .resolves({ Parameters: [{ ParameterName: 'maxmemory-policy', ParameterValue: policy }] });
  }
  mocks.ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [{ serviceDeploymentArn: 'arn:deployment/1' }] });
  mocks.ecs
    .on(DescribeServiceDeploymentsCommand)
    .resolves({ serviceDeployments: [{ status: 'SUCCESSFUL', deploymentConfiguration: { strategy: 'CANARY' } }] });
  mocks.ecs.on(DescribeServicesCommand).resolves({
    services: [
      {
        serviceName: 'api-svc',
        status: 'ACTIVE',
        runningCount: 2,
        desiredCount: 2,
        deployments: [{ status: 'PRIMARY', rolloutState: 'COMPLETED' }],
      },
    ],
  });
  mocks.elbv2
    .on(DescribeTargetHealthCommand)
    .resolves({ TargetHealthDescriptions: [{ Target: { Id: '10.0.1.5' }, TargetHealth: { State: 'healthy' } }] });
  mocks.cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'ScaledApp-prod-Lag', StateValue: 'OK' }] });
  return { aws, mocks };
}

describe('verify (the runner)', () => {
  test('a healthy environment passes every check, one line each, in a stable order', async () => {
    const { aws } = healthyEnvironment();
    const results = await verify(aws, plan);
    expect(results.filter((result) => !result.ok)).toEqual([]);
    expect(results.map((result) => result.name)).toEqual([
      'stack ScaledApp-prod-Network',
      'stack ScaledApp-prod-Data',
      'stack ScaledApp-prod-Service',
      'stack ScaledApp-prod-Monitoring',
      'database proxy targets',
      'database proxy read-only endpoint',
      'database readers',
      'replica lag r1',
      'cache critical eviction policy',
      'cache hot eviction policy',
      'service Api steady',
      'service Api targets',
      'service Api deployment',
      'alarms',
    ]);
  });

  test('a stack that is not deployed fails its line, and the checks that need its outputs say which output is missing', async () => {
    const { aws, mocks } = healthyEnvironment();
    mocks.cloudFormation
      .on(DescribeStacksCommand, { StackName: 'ScaledApp-prod-Service' })
      .rejects(awsError('ValidationError', 'Stack with id ScaledApp-prod-Service does not exist'));
    const results = await verify(aws, plan);
    expect(results.filter((result) => !result.ok)).toEqual([
      { name: 'stack ScaledApp-prod-Service', ok: false, detail: 'not deployed (no such stack in this account and region)' },
      { name: 'services', ok: false, detail: 'no stack output ClusterName: is the layer that publishes it deployed?' },
    ]);
  });

  test('a stack left in UPDATE_ROLLBACK_COMPLETE fails', async () => {
    const { aws, mocks } = healthyEnvironment();
    mocks.cloudFormation
      .on(DescribeStacksCommand, { StackName: 'ScaledApp-prod-Network' })
      .resolves({ Stacks: [{ StackName: 'ScaledApp-prod-Network', StackStatus: 'UPDATE_ROLLBACK_COMPLETE', CreationTime: new Date() }] });
    const [network] = await verify(aws, plan);
    expect(network).toEqual({
      name: 'stack ScaledApp-prod-Network',
      ok: false,
      detail: 'UPDATE_ROLLBACK_COMPLETE (expected CREATE_COMPLETE or UPDATE_COMPLETE)',
    });
  });

  test('without an AlarmNamePrefix output, alarms are looked up under <App>-<env>-', async () => {
    const { aws, mocks } = healthyEnvironment({ ...OUTPUTS, 'ScaledApp-prod-Monitoring': {} });
    await verify(aws, plan);
    expect(mocks.cloudWatch.commandCalls(DescribeAlarmsCommand)[0].args[0].input.AlarmNamePrefix).toBe('ScaledApp-prod-');
  });

  test('a missing permission fails only the checks that need it; the run goes on', async () => {
    const { aws, mocks } = healthyEnvironment();
    mocks.elastiCache.on(DescribeReplicationGroupsCommand).rejects(accessDenied());
    const failed = (await verify(aws, plan)).filter((result) => !result.ok);
    expect(failed.map((result) => result.name)).toEqual(['cache critical eviction policy', 'cache hot eviction policy']);
    expect(failed[0].detail).toContain('elasticache:DescribeReplicationGroups');
  });

  test('missing credentials stop the run with a CredentialsError', async () => {
    const { aws, mocks } = healthyEnvironment();
    mocks.cloudFormation.on(DescribeStacksCommand).rejects(noCredentials());
    await expect(verify(aws, plan)).rejects.toBeInstanceOf(CredentialsError);
  });
});

describe('discovery from outputs', () => {
  test('stack names follow <App>-<env>-<Layer>', () => {
    expect(stackNames(plan)).toEqual([
      'ScaledApp-prod-Network',
      'ScaledApp-prod-Data',
      'ScaledApp-prod-Service',
      'ScaledApp-prod-Monitoring',
    ]);
  });

  test('finds tiers by Cache<Tier>ReplicationGroupId, joins the expected policies, and reports configured tiers not published', () => {
    const outputs = new Map([
      ['CacheHotReplicationGroupId', 'rg-hot'],
      ['CacheHotPrimaryEndpoint', 'hot.example'],
      ['CacheSearchResultsReplicationGroupId', 'rg-search'],
    ]);
    expect(cacheTiers(outputs, { critical: 'noeviction', hot: 'allkeys-lru' })).toEqual([
      { name: 'critical', expectedPolicy: 'noeviction' },
      { name: 'hot', replicationGroupId: 'rg-hot', expectedPolicy: 'allkeys-lru' },
      { name: 'SearchResults', replicationGroupId: 'rg-search', expectedPolicy: undefined },
    ]);
  });

  test('finds services by Service<Name>ServiceName, with their target group when published', () => {
    const outputs = new Map([
      ['ServiceApiServiceName', 'api-svc'],
      ['ServiceApiTargetGroupArn', 'arn:tg/api'],
      ['ServiceWorkerServiceName', 'worker-svc'],
      ['ClusterName', 'ecs'],
    ]);
    expect(services(outputs)).toEqual([
      { name: 'Api', serviceName: 'api-svc', targetGroupArn: 'arn:tg/api' },
      { name: 'Worker', serviceName: 'worker-svc', targetGroupArn: undefined },
    ]);
  });
});

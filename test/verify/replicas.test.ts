import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { checkReplicas, type ReplicasInput } from '../../scripts/verify/replicas';
import { accessDenied, awsError, mockAws } from './support';

const NOW = new Date('2026-03-01T12:00:00Z');

const aurora: ReplicasInput = {
  engine: 'aurora-postgresql',
  databaseIdentifier: 'scaledapp-prod-db',
  readerIdentifiers: [],
  minReaders: 2,
  maxLagSeconds: 30,
  now: NOW,
};

const cluster = {
  DBClusters: [
    {
      DBClusterIdentifier: 'scaledapp-prod-db',
      DBClusterMembers: [
        { DBInstanceIdentifier: 'writer', IsClusterWriter: true },
        { DBInstanceIdentifier: 'reader1', IsClusterWriter: false },
        { DBInstanceIdentifier: 'reader2', IsClusterWriter: false },
      ],
    },
  ],
};
const available = (...ids: string[]) => ({ DBInstances: ids.map((id) => ({ DBInstanceIdentifier: id, DBInstanceStatus: 'available' })) });
/** Newest first, as GetMetricData returns with ScanBy TimestampDescending. */
const lag = (...series: number[][]) => ({ MetricDataResults: series.map((values, i) => ({ Id: `lag${i}`, Values: values })) });

describe('readers and replica lag check', () => {
  test('passes with the expected Aurora readers available and lag in milliseconds under the threshold', async () => {
    const { aws, mocks } = mockAws();
    mocks.rds.on(DescribeDBClustersCommand).resolves(cluster);
    mocks.rds.on(DescribeDBInstancesCommand).resolves(available('reader1', 'reader2'));
    mocks.cloudWatch.on(GetMetricDataCommand).resolves(lag([20, 35, 15], [5]));
    const results = await checkReplicas(aws, aurora);
    expect(results).toEqual([
      { name: 'database readers', ok: true, detail: '2 available (reader1, reader2), expected at least 2' },
      { name: 'replica lag reader1', ok: true, detail: '0.02 s now, at most 0.04 s in 10 min (threshold 30 s)' },
      { name: 'replica lag reader2', ok: true, detail: '0.01 s now, at most 0.01 s in 10 min (threshold 30 s)' },
    ]);
  });

  test('asks CloudWatch for AuroraReplicaLag of each reader over the last 10 minutes', async () => {
    const { aws, mocks } = mockAws();
    mocks.rds.on(DescribeDBClustersCommand).resolves(cluster);
    mocks.rds.on(DescribeDBInstancesCommand).resolves(available('reader1', 'reader2'));
    mocks.cloudWatch.on(GetMetricDataCommand).resolves(lag([1], [1]));
    await checkReplicas(aws, aurora);
    const input = mocks.cloudWatch.commandCalls(GetMetricDataCommand)[0].args[0].input;
    expect(input.EndTime).toEqual(NOW);
    expect(input.StartTime).toEqual(new Date('2026-03-01T11:50:00Z'));
    expect(input.MetricDataQueries?.[1].MetricStat).toEqual({
      Metric: { Namespace: 'AWS/RDS', MetricName: 'AuroraReplicaLag', Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'reader2' }] },
      Period: 60,
      Stat: 'Maximum',
    });
  });

  test('fails when a reader lags at or above the threshold', async () => {
    const { aws, mocks } = mockAws();
    mocks.rds.on(DescribeDBClustersCommand).resolves(cluster);
    mocks.rds.on(DescribeDBInstancesCommand).resolves(available('reader1', 'reader2'));
    mocks.cloudWatch.on(GetMetricDataCommand).resolves(lag([45_000, 1_000], [10]));
    const results = await checkReplicas(aws, aurora);
    expect(results[1]).toEqual({ name: 'replica lag reader1', ok: false, detail: '45 s now, at most 45 s in 10 min (threshold 30 s)' });
    expect(results[2].ok).toBe(true);
  });

  test('fails when a reader reports no lag data', async () => {
    const { aws, mocks } = mockAws();
    mocks.rds.on(DescribeDBClustersCommand).resolves(cluster);
    mocks.rds.on(DescribeDBInstancesCommand).resolves(available('reader1', 'reader2'));
    mocks.cloudWatch.on(GetMetricDataCommand).resolves(lag([1], []));
    const results = await checkReplicas(aws, aurora);
    expect(results[2]).toEqual({
      name: 'replica lag reader2',
      ok: false,
      detail: 'no AuroraReplicaLag data in the last 10 minutes: the reader is not replicating or not reporting',
    });
  });

  test('joins metric values split over pages', async () => {
    const { aws, mocks } = mockAws();
    mocks.rds.on(DescribeDBClustersCommand).resolves(cluster);
    mocks.rds.on(DescribeDBInstancesCommand).resolves(available('reader1', 'reader2'));
    mocks.cloudWatch
      .on(GetMetricDataCommand)
      .resolvesOnce({ ...lag([1], []), NextToken: 'more' })
      .resolvesOnce({ MetricDataResults: [{ Id: 'lag1', Values: [40_000] }] });
    const results = await checkReplicas(aws, aurora);
    expect(results.map((result) => result.ok)).toEqual([true, true, false]);
  });

  test('fails when there are fewer readers than the configuration allows', async () => {
    const { aws, mocks } = mockAws();
    mocks.rds
      .on(DescribeDBClustersCommand)
      .resolves({ DBClusters: [{ DBClusterMembers: cluster.DBClusters[0].DBClusterMembers.slice(0, 2) }] });
    mocks.rds.on(DescribeDBInstancesCommand).resolves(available('reader1'));
    mocks.cloudWatch.on(GetMetricDataCommand).resolves(lag([1]));
    const [readers] = await checkReplicas(aws, aurora);
    expect(readers).toEqual({ name: 'database readers', ok: false, detail: '1 found, expected at least 2' });
  });

  test('fails when no reader exists at all', async () => {
    const { aws, mocks } = mockAws();
    mocks.rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ DBClusterMembers: [cluster.DBClusters[0].DBClusterMembers[0]] }] });
    const results = await checkReplicas(aws, aurora);
    expect(results).toEqual([{ name: 'database readers', ok: false, detail: 'none found, expected at least 2' }]);
  });

  test('RDS for PostgreSQL: reads the published replicas, fails on one missing, and uses ReplicaLag in seconds', async () => {
    const { aws, mocks } = mockAws();
    mocks.rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [{ DBInstanceIdentifier: 'replica1', DBInstanceStatus: 'available' }],
    });
    mocks.cloudWatch.on(GetMetricDataCommand).resolves(lag([2], []));
    const results = await checkReplicas(aws, {
      ...aurora,
      engine: 'postgres',
      databaseIdentifier: 'primary',
      readerIdentifiers: ['replica1', 'replica2'],
    });
    expect(results[0]).toEqual({ name: 'database readers', ok: false, detail: 'replica2 does not exist' });
    expect(results[1]).toEqual({ name: 'replica lag replica1', ok: true, detail: '2.00 s now, at most 2.00 s in 10 min (threshold 30 s)' });
    expect(mocks.rds.commandCalls(DescribeDBClustersCommand)).toHaveLength(0);
    expect(mocks.cloudWatch.commandCalls(GetMetricDataCommand)[0].args[0].input.MetricDataQueries?.[0].MetricStat?.Metric?.MetricName).toBe(
      'ReplicaLag',
    );
  });

  test('fails when a reader is not available', async () => {
    const { aws, mocks } = mockAws();
    mocks.rds.on(DescribeDBClustersCommand).resolves(cluster);
    mocks.rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        { DBInstanceIdentifier: 'reader1', DBInstanceStatus: 'available' },
        { DBInstanceIdentifier: 'reader2', DBInstanceStatus: 'rebooting' },
      ],
    });
    mocks.cloudWatch.on(GetMetricDataCommand).resolves(lag([1], [1]));
    const [readers] = await checkReplicas(aws, aurora);
    expect(readers).toMatchObject({ ok: false, detail: 'reader2 is rebooting' });
  });

  test('CloudWatch throttling ("Throttling") twice, then an answer: the check passes', async () => {
    const { aws, mocks } = mockAws();
    mocks.rds.on(DescribeDBClustersCommand).resolves(cluster);
    mocks.rds.on(DescribeDBInstancesCommand).resolves(available('reader1', 'reader2'));
    mocks.cloudWatch
      .on(GetMetricDataCommand)
      .rejectsOnce(awsError('Throttling', 'Rate exceeded'))
      .rejectsOnce(awsError('Throttling', 'Rate exceeded'))
      .resolves(lag([1], [1]));
    const results = await checkReplicas(aws, aurora);
    expect(results.every((result) => result.ok)).toBe(true);
  });

  test('a denied GetMetricData fails the lag line with the action, and the readers line stands', async () => {
    const { aws, mocks } = mockAws();
    mocks.rds.on(DescribeDBClustersCommand).resolves(cluster);
    mocks.rds.on(DescribeDBInstancesCommand).resolves(available('reader1', 'reader2'));
    mocks.cloudWatch.on(GetMetricDataCommand).rejects(accessDenied());
    const results = await checkReplicas(aws, aurora);
    expect(results).toEqual([
      expect.objectContaining({ name: 'database readers', ok: true }),
      {
        name: 'database replica lag',
        ok: false,
        detail: 'access denied: cloudwatch:GetMetricData is not allowed for these credentials (AccessDenied)',
      },
    ]);
  });
});

/**
 * The readers: they exist (as many as the configuration promises), they are available, and they are
 * current. A reader that lags serves stale rows to every query sent to the reader endpoint.
 */
import { GetMetricDataCommand, type MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { type Aws, allPages } from './aws';
import { type CheckResult, fail, guard, pass } from './result';

/**
 * Lag threshold when the configuration has none (`monitoring.thresholds.database.replicaLagSeconds` is the default of
 * `--max-replica-lag`): well above normal lag (Aurora: milliseconds; RDS: about a second), well below stale.
 */
export const DEFAULT_MAX_REPLICA_LAG_SECONDS = 30;
/** How far back to read the lag metric: long enough to hold several one-minute datapoints. */
const WINDOW_MINUTES = 10;

export interface ReplicasInput {
  readonly engine: 'aurora-postgresql' | 'postgres';
  /** Aurora cluster identifier or RDS primary instance identifier (`DatabaseIdentifier` output). */
  readonly databaseIdentifier: string;
  /** Reader instance identifiers (`DatabaseReaderIdentifiers` output); Aurora reads the cluster's members instead. */
  readonly readerIdentifiers: readonly string[];
  /** Fewest readers the configuration allows (readReplicas; readerAutoScaling.min with Aurora). */
  readonly minReaders: number;
  /** A reader whose latest lag reaches this fails. */
  readonly maxLagSeconds: number;
  /** @default - the current time */
  readonly now?: Date;
}

export async function checkReplicas(aws: Aws, input: ReplicasInput): Promise<CheckResult[]> {
  let readers: string[] = [];
  const results = await guard('database readers', async () => {
    readers = await findReaders(aws, input);
    return checkReadersAvailable(aws, input, readers);
  });
  if (readers.length > 0) results.push(...(await guard('database replica lag', () => checkLag(aws, input, readers))));
  return results;
}

async function findReaders(aws: Aws, input: ReplicasInput): Promise<string[]> {
  if (input.engine === 'postgres') return [...input.readerIdentifiers];
  // Aurora auto scaling adds and removes readers, so the cluster's member list is the truth, not an output.
  const pages = await allPages(
    (Marker) =>
      aws.call('rds:DescribeDBClusters', () =>
        aws.clients.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: input.databaseIdentifier, Marker })),
      ),
    (page) => page.Marker,
  );
  const members = pages.flatMap((page) => page.DBClusters ?? []).flatMap((cluster) => cluster.DBClusterMembers ?? []);
  return members.filter((member) => !member.IsClusterWriter && member.DBInstanceIdentifier).map((member) => member.DBInstanceIdentifier!);
}

async function checkReadersAvailable(aws: Aws, input: ReplicasInput, readers: readonly string[]): Promise<CheckResult> {
  const name = 'database readers';
  const expectation = `expected at least ${input.minReaders}`;
  if (readers.length === 0) {
    return input.minReaders === 0 ? pass(name, 'none (the configuration asks for none)') : fail(name, `none found, ${expectation}`);
  }
  const pages = await allPages(
    (Marker) =>
      aws.call('rds:DescribeDBInstances', () =>
        aws.clients.rds.send(new DescribeDBInstancesCommand({ Filters: [{ Name: 'db-instance-id', Values: [...readers] }], Marker })),
      ),
    (page) => page.Marker,
  );
  const status = new Map(pages.flatMap((page) => page.DBInstances ?? []).map((db) => [db.DBInstanceIdentifier, db.DBInstanceStatus]));
  const problems = readers
    .filter((id) => status.get(id) !== 'available')
    .map((id) => `${id} ${status.has(id) ? `is ${status.get(id)}` : 'does not exist'}`);
  if (readers.length < input.minReaders) problems.unshift(`${readers.length} found, ${expectation}`);
  if (problems.length > 0) return fail(name, problems.join('; '));
  return pass(name, `${readers.length} available (${readers.join(', ')}), ${expectation}`);
}

async function checkLag(aws: Aws, input: ReplicasInput, readers: readonly string[]): Promise<CheckResult[]> {
  // AuroraReplicaLag is in milliseconds, ReplicaLag in seconds.
  const [metricName, toSeconds] = input.engine === 'aurora-postgresql' ? ['AuroraReplicaLag', 1 / 1000] : ['ReplicaLag', 1];
  const end = input.now ?? new Date();
  const start = new Date(end.getTime() - WINDOW_MINUTES * 60_000);
  const ids = readers.map((_, i) => `lag${i}`);
  const values = new Map<string, number[]>(ids.map((id) => [id, []]));
  // GetMetricData takes up to 500 queries per call; an environment has at most 15 readers.
  const pages = await allPages(
    (NextToken) =>
      aws.call('cloudwatch:GetMetricData', () =>
        aws.clients.cloudWatch.send(
          new GetMetricDataCommand({
            StartTime: start,
            EndTime: end,
            ScanBy: 'TimestampDescending',
            NextToken,
            MetricDataQueries: readers.map((reader, i) => ({
              Id: ids[i],
              MetricStat: {
                Metric: { Namespace: 'AWS/RDS', MetricName: metricName, Dimensions: [{ Name: 'DBInstanceIdentifier', Value: reader }] },
                Period: 60,
                Stat: 'Maximum',
              },
            })),
          }),
        ),
      ),
    (page) => page.NextToken,
  );
  for (const result of pages.flatMap((page) => page.MetricDataResults ?? [])) appendValues(values, result);
  return readers.map((reader, i) => {
    const name = `replica lag ${reader}`;
    const series = values.get(ids[i]) ?? [];
    if (series.length === 0) {
      return fail(name, `no ${metricName} data in the last ${WINDOW_MINUTES} minutes: the reader is not replicating or not reporting`);
    }
    // Newest first (ScanBy TimestampDescending): the first value is the current lag.
    const latest = series[0] * toSeconds;
    const worst = Math.max(...series) * toSeconds;
    const detail = `${seconds(latest)} now, at most ${seconds(worst)} in ${WINDOW_MINUTES} min (threshold ${input.maxLagSeconds} s)`;
    return latest < input.maxLagSeconds ? pass(name, detail) : fail(name, detail);
  });
}

function appendValues(values: Map<string, number[]>, result: MetricDataResult): void {
  if (result.Id && values.has(result.Id)) values.get(result.Id)!.push(...(result.Values ?? []));
}

function seconds(value: number): string {
  return `${value < 10 ? value.toFixed(2) : value.toFixed(0)} s`;
}

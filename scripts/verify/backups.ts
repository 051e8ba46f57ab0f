/**
 * The recovery points behind the recovery objectives: per protected resource, how old the newest point-in-time
 * and snapshot recovery points of the environment's vault are, and the newest copy in the other region, each
 * against the RPO it serves; and the latest restore test, its outcome and how long it took against the RTO.
 * Reads only (backup:List*, rds:Describe*).
 */
import { ListRecoveryPointsByBackupVaultCommand, ListRestoreJobsCommand, type RecoveryPointByBackupVault } from '@aws-sdk/client-backup';
import { DescribeDBClustersCommand, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { duration } from '../../config/recovery';
import { type Aws, allPages } from './aws';
import { type CheckResult, fail, guard, pass } from './result';

export interface BackupsInput {
  /** The environment's vault (`<App>-<env>`). */
  readonly vaultName: string;
  /** Whether the plan keeps point-in-time recovery (continuous backup). */
  readonly continuous: boolean;
  /** `recovery.objectives.inRegion.rpoMinutes`. */
  readonly rpoMinutes: number;
  /** What the snapshot rules deliver on their own (most frequent rule + backup job): the bar for the newest snapshot. */
  readonly snapshotIntervalMinutes: number;
  /** The copy vault in the other region, and the region-loss RPO its copies serve. */
  readonly copy?: { readonly region: string; readonly vaultName: string; readonly rpoMinutes: number };
  /** The restore testing plan's name, and the in-region RTO a restore must fit in. */
  readonly restoreTesting?: { readonly planName: string; readonly rtoMinutes: number; readonly withinDays: number };
  /** @default - the current time */
  readonly now?: Date;
}

/** A continuous (point-in-time) recovery point of RDS or Aurora: its ARN says so. */
const isContinuous = (point: RecoveryPointByBackupVault) => /:recovery-point:continuous:/.test(point.RecoveryPointArn ?? '');

export async function checkBackups(aws: Aws, input: BackupsInput): Promise<CheckResult[]> {
  const now = input.now ?? new Date();
  const results: CheckResult[] = [];
  let resources: string[] = [];
  results.push(
    ...(await guard('backups', async () => {
      const points = await recoveryPoints(aws, 'backup', input.vaultName);
      const byResource = group(points);
      resources = [...byResource.keys()].sort();
      if (resources.length === 0) return fail('backups', `no recovery point in vault ${input.vaultName}: has the plan run yet?`);
      const lines: CheckResult[] = [];
      for (const resource of resources) {
        const mine = byResource.get(resource)!;
        const label = shortName(resource);
        if (input.continuous) lines.push(await pointInTime(aws, label, resource, mine, input.rpoMinutes, now));
        lines.push(
          latest(
            `backup ${label} latest snapshot`,
            mine.filter((p) => !isContinuous(p)),
            input.snapshotIntervalMinutes,
            now,
            'snapshot interval',
          ),
        );
      }
      return lines;
    })),
  );
  if (input.copy) {
    const copy = input.copy;
    const name = `backup copy ${copy.region}`;
    results.push(
      ...(await guard(name, async () => {
        const byResource = group(await recoveryPoints(aws, 'backupCopy', copy.vaultName));
        if (byResource.size === 0)
          return fail(name, `no copy in vault ${copy.vaultName} (${copy.region}): copies fail, or none has run yet`);
        return [...byResource.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([resource, points]) => latest(`${name} ${shortName(resource)}`, points, copy.rpoMinutes, now, 'region-loss RPO'));
      })),
    );
  }
  if (input.restoreTesting) {
    const testing = input.restoreTesting;
    results.push(...(await guard('restore test', () => checkRestoreTest(aws, testing, now))));
  }
  return results;
}

async function recoveryPoints(aws: Aws, client: 'backup' | 'backupCopy', vaultName: string): Promise<RecoveryPointByBackupVault[]> {
  const backup = aws.clients[client];
  if (!backup) throw new Error(`no AWS Backup client for ${client}`);
  const pages = await allPages(
    (NextToken) =>
      aws.call('backup:ListRecoveryPointsByBackupVault', () =>
        backup.send(new ListRecoveryPointsByBackupVaultCommand({ BackupVaultName: vaultName, NextToken })),
      ),
    (page) => page.NextToken,
  );
  return pages.flatMap((page) => page.RecoveryPoints ?? []);
}

function group(points: readonly RecoveryPointByBackupVault[]): Map<string, RecoveryPointByBackupVault[]> {
  const byResource = new Map<string, RecoveryPointByBackupVault[]>();
  for (const point of points) {
    if (!point.ResourceArn) continue;
    byResource.set(point.ResourceArn, [...(byResource.get(point.ResourceArn) ?? []), point]);
  }
  return byResource;
}

/** `cluster:scaledapp-prod` from an RDS ARN: what a person recognises. */
function shortName(resourceArn: string): string {
  return resourceArn.split(':').slice(5).join(':') || resourceArn;
}

const minutesSince = (date: Date, now: Date) => (now.getTime() - date.getTime()) / 60_000;

/** The newest completed recovery point, against a bound in minutes. */
function latest(name: string, points: readonly RecoveryPointByBackupVault[], boundMinutes: number, now: Date, bound: string): CheckResult {
  const done = points.filter((p) => p.Status === 'COMPLETED' && (p.CompletionDate ?? p.CreationDate));
  if (done.length === 0) return fail(name, `no completed recovery point (${points.length} in other states)`);
  const newest = done.reduce((a, b) => ((a.CreationDate ?? a.CompletionDate)! > (b.CreationDate ?? b.CompletionDate)! ? a : b));
  const age = minutesSince((newest.CreationDate ?? newest.CompletionDate)!, now);
  const detail = `newest ${duration(Math.round(age))} old, ${done.length} completed (${bound} ${duration(boundMinutes)})`;
  return age <= boundMinutes ? pass(name, detail) : fail(name, detail);
}

/** Point-in-time recovery reaches the database's latest restorable time, which RDS reports. */
async function pointInTime(
  aws: Aws,
  label: string,
  resourceArn: string,
  points: readonly RecoveryPointByBackupVault[],
  rpoMinutes: number,
  now: Date,
): Promise<CheckResult> {
  const name = `backup ${label} point in time`;
  if (!points.some(isContinuous)) return fail(name, 'no continuous recovery point: continuous backup is configured but not running');
  const identifier = resourceArn.split(':')[6];
  const cluster = resourceArn.split(':')[5] === 'cluster';
  const latestRestorable = cluster
    ? (
        await aws.call('rds:DescribeDBClusters', () =>
          aws.clients.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: identifier })),
        )
      ).DBClusters?.[0]?.LatestRestorableTime
    : (
        await aws.call('rds:DescribeDBInstances', () =>
          aws.clients.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier })),
        )
      ).DBInstances?.[0]?.LatestRestorableTime;
  if (!latestRestorable) return fail(name, `${identifier} reports no latest restorable time`);
  const age = minutesSince(latestRestorable, now);
  const detail = `latest restorable time ${duration(Math.round(age))} ago (RPO ${duration(rpoMinutes)})`;
  return age <= rpoMinutes ? pass(name, detail) : fail(name, detail);
}

async function checkRestoreTest(aws: Aws, testing: NonNullable<BackupsInput['restoreTesting']>, now: Date): Promise<CheckResult> {
  const name = 'restore test';
  const after = new Date(now.getTime() - testing.withinDays * 24 * 60 * 60_000);
  const pages = await allPages(
    (NextToken) =>
      aws.call('backup:ListRestoreJobs', () => aws.clients.backup!.send(new ListRestoreJobsCommand({ ByCreatedAfter: after, NextToken }))),
    (page) => page.NextToken,
  );
  const jobs = pages
    .flatMap((page) => page.RestoreJobs ?? [])
    .filter((job) => (job.CreatedBy?.RestoreTestingPlanArn ?? '').includes(`:restore-testing-plan:${testing.planName}`))
    .sort((a, b) => (b.CreationDate?.getTime() ?? 0) - (a.CreationDate?.getTime() ?? 0));
  const job = jobs[0];
  if (!job) return fail(name, `no restore test of plan ${testing.planName} in the last ${testing.withinDays} days`);
  if (job.Status !== 'COMPLETED') {
    return fail(name, `latest ${job.Status?.toLowerCase() ?? 'unknown'}${job.StatusMessage ? `: ${job.StatusMessage}` : ''}`);
  }
  const took = job.CreationDate && job.CompletionDate ? minutesSince(job.CreationDate, job.CompletionDate) : NaN;
  const detail = `latest completed ${duration(Math.round(minutesSince(job.CreationDate!, now)))} ago, restore took ${duration(Math.round(took))} (RTO ${duration(testing.rtoMinutes)}, the restore part of it)`;
  return took <= testing.rtoMinutes ? pass(name, detail) : fail(name, detail);
}

import { ListRecoveryPointsByBackupVaultCommand, ListRestoreJobsCommand, type RecoveryPointStatus } from '@aws-sdk/client-backup';
import { DescribeDBClustersCommand } from '@aws-sdk/client-rds';
import { type BackupsInput, checkBackups } from '../../scripts/verify/backups';
import { backupsFromConfig } from '../../scripts/verify/plan';
import { accessDenied, mockAws } from './support';
import { configOf } from '../support/synth';

const NOW = new Date('2026-03-01T12:00:00Z');
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);
const CLUSTER = 'arn:aws:rds:eu-west-1:333333333333:cluster:scaledapp-prod';

const INPUT: BackupsInput = {
  vaultName: 'ScaledApp-prod',
  continuous: true,
  rpoMinutes: 15,
  snapshotIntervalMinutes: 300,
  copy: { region: 'eu-central-1', vaultName: 'ScaledApp-prod-copy', rpoMinutes: 600 },
  restoreTesting: { planName: 'ScaledApp_prod_database', rtoMinutes: 120, withinDays: 9 },
  now: NOW,
};

const point = (minutesAgo: number, kind: 'continuous' | 'snapshot' = 'snapshot', Status: RecoveryPointStatus = 'COMPLETED') => ({
  RecoveryPointArn: `arn:aws:backup:eu-west-1:333333333333:recovery-point:${kind === 'continuous' ? 'continuous:cluster-abc-1' : `awsbackup:job-${minutesAgo}`}`,
  ResourceArn: CLUSTER,
  ResourceType: 'Aurora',
  Status,
  CreationDate: ago(minutesAgo),
  CompletionDate: ago(minutesAgo - 5),
});

function healthy() {
  const { aws, mocks } = mockAws();
  mocks.backup
    .on(ListRecoveryPointsByBackupVaultCommand, { BackupVaultName: 'ScaledApp-prod' })
    .resolves({ RecoveryPoints: [point(20160, 'continuous'), point(1500), point(90)] });
  mocks.rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ LatestRestorableTime: ago(4) }] });
  mocks.backupCopy
    .on(ListRecoveryPointsByBackupVaultCommand, { BackupVaultName: 'ScaledApp-prod-copy' })
    .resolves({ RecoveryPoints: [point(400)] });
  mocks.backup.on(ListRestoreJobsCommand).resolves({
    RestoreJobs: [
      {
        CreatedBy: { RestoreTestingPlanArn: 'arn:aws:backup:eu-west-1:333333333333:restore-testing-plan:ScaledApp_prod_database-1a2b' },
        Status: 'COMPLETED',
        CreationDate: ago(3 * 1440),
        CompletionDate: ago(3 * 1440 - 42),
      },
    ],
  });
  return { aws, mocks };
}

describe('backups check', () => {
  test('reports each recovery point against the objective it serves, and the latest restore test against the RTO', async () => {
    const { aws } = healthy();
    expect(await checkBackups(aws, INPUT)).toEqual([
      { name: 'backup cluster:scaledapp-prod point in time', ok: true, detail: 'latest restorable time 4 min ago (RPO 15 min)' },
      { name: 'backup cluster:scaledapp-prod latest snapshot', ok: true, detail: 'newest 90 min old, 2 completed (snapshot interval 5 h)' },
      { name: 'backup copy eu-central-1 cluster:scaledapp-prod', ok: true, detail: 'newest 6.7 h old, 1 completed (region-loss RPO 10 h)' },
      { name: 'restore test', ok: true, detail: 'latest completed 3 d ago, restore took 42 min (RTO 2 h, the restore part of it)' },
    ]);
  });

  test("reads the copy vault with the copy region's client", async () => {
    const { aws, mocks } = healthy();
    await checkBackups(aws, INPUT);
    expect(mocks.backupCopy.commandCalls(ListRecoveryPointsByBackupVaultCommand)[0].args[0].input.BackupVaultName).toBe(
      'ScaledApp-prod-copy',
    );
    expect(mocks.backup.commandCalls(ListRecoveryPointsByBackupVaultCommand).map((c) => c.args[0].input.BackupVaultName)).toEqual([
      'ScaledApp-prod',
    ]);
  });

  test('fails when the newest copy is older than the region-loss RPO', async () => {
    const { aws, mocks } = healthy();
    mocks.backupCopy
      .on(ListRecoveryPointsByBackupVaultCommand)
      .resolves({ RecoveryPoints: [point(2000), point(30, 'snapshot', 'CREATING')] });
    const copy = (await checkBackups(aws, INPUT)).find((r) => r.name.startsWith('backup copy'));
    expect(copy).toEqual({
      name: 'backup copy eu-central-1 cluster:scaledapp-prod',
      ok: false,
      detail: 'newest 33.3 h old, 1 completed (region-loss RPO 10 h)',
    });
  });

  test('fails when point-in-time recovery lags the RPO', async () => {
    const { aws, mocks } = healthy();
    mocks.rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ LatestRestorableTime: ago(40) }] });
    expect((await checkBackups(aws, INPUT))[0]).toMatchObject({ ok: false, detail: 'latest restorable time 40 min ago (RPO 15 min)' });
  });

  test('fails when continuous backup is configured but the vault holds no continuous recovery point', async () => {
    const { aws, mocks } = healthy();
    mocks.backup.on(ListRecoveryPointsByBackupVaultCommand).resolves({ RecoveryPoints: [point(90)] });
    expect((await checkBackups(aws, INPUT))[0]).toMatchObject({
      ok: false,
      detail: expect.stringContaining('no continuous recovery point'),
    });
  });

  test('fails when the vault is empty', async () => {
    const { aws, mocks } = healthy();
    mocks.backup.on(ListRecoveryPointsByBackupVaultCommand).resolves({ RecoveryPoints: [] });
    expect((await checkBackups(aws, INPUT))[0]).toEqual({
      name: 'backups',
      ok: false,
      detail: 'no recovery point in vault ScaledApp-prod: has the plan run yet?',
    });
  });

  test("fails when the latest restore test failed, with AWS Backup's message", async () => {
    const { aws, mocks } = healthy();
    mocks.backup.on(ListRestoreJobsCommand).resolves({
      RestoreJobs: [
        {
          CreatedBy: { RestoreTestingPlanArn: 'arn:aws:backup:eu-west-1:333333333333:restore-testing-plan:ScaledApp_prod_database-1a2b' },
          Status: 'FAILED',
          StatusMessage: 'DBSubnetGroup not found',
          CreationDate: ago(60),
        },
      ],
    });
    expect((await checkBackups(aws, INPUT)).at(-1)).toEqual({
      name: 'restore test',
      ok: false,
      detail: 'latest failed: DBSubnetGroup not found',
    });
  });

  test('fails when no restore test of the plan ran in the window (jobs of other plans do not count)', async () => {
    const { aws, mocks } = healthy();
    mocks.backup.on(ListRestoreJobsCommand).resolves({
      RestoreJobs: [
        { CreatedBy: { RestoreTestingPlanArn: 'arn:aws:backup:eu-west-1:1:restore-testing-plan:Other_plan-1' }, Status: 'COMPLETED' },
      ],
    });
    expect((await checkBackups(aws, INPUT)).at(-1)).toEqual({
      name: 'restore test',
      ok: false,
      detail: 'no restore test of plan ScaledApp_prod_database in the last 9 days',
    });
  });

  test('a denied ListRecoveryPointsByBackupVault fails that line with the action, and the others stand', async () => {
    const { aws, mocks } = healthy();
    mocks.backup.on(ListRecoveryPointsByBackupVaultCommand).rejects(accessDenied());
    const results = await checkBackups(aws, INPUT);
    expect(results[0]).toEqual({
      name: 'backups',
      ok: false,
      detail: 'access denied: backup:ListRecoveryPointsByBackupVault is not allowed for these credentials (AccessDenied)',
    });
    expect(results.slice(1).every((r) => r.ok)).toBe(true);
  });
});

describe('the backups plan from configuration', () => {
  test('prod: the RPOs of its objectives, the snapshot interval of its most frequent rule, its copy vault and restore tests', () => {
    expect(backupsFromConfig(configOf('prod'))).toEqual({
      vaultName: 'ScaledApp-prod',
      continuous: true,
      rpoMinutes: 15,
      snapshotIntervalMinutes: 300,
      copy: { region: 'eu-central-1', vaultName: 'ScaledApp-prod-copy', rpoMinutes: 600 },
      restoreTesting: { planName: 'ScaledApp_prod_database', rtoMinutes: 120, withinDays: 9 },
    });
  });

  test('dev: no copy, no restore tests', () => {
    expect(backupsFromConfig(configOf('dev'))).toMatchObject({ copy: undefined, restoreTesting: undefined, snapshotIntervalMinutes: 1500 });
  });
});

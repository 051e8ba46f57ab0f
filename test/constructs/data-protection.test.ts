/**
 * DataProtection in a bare stack: the default of each optional prop and the validation of the restore testing
 * props. What the plan, copies, lock and restore tests turn into is test/data-protection.test.ts's; what its roles
 * may do is test/iam/backup-roles.test.ts's.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { buildProtection } from '../support/data-protection';

describe('DataProtection', () => {
  test('by default: no continuous backup, no copies, no lock, no restore tests, and a retained vault and key', () => {
    // GIVEN / WHEN
    const { template } = buildProtection('cluster', {
      continuousRetention: undefined,
      copies: undefined,
      lock: undefined,
      restoreTesting: undefined,
      vaultRemovalPolicy: undefined,
    });
    // THEN
    const [plan] = Object.values(template.findResources('AWS::Backup::BackupPlan')).map((r) => r.Properties.BackupPlan);
    const rules = plan.BackupPlanRule as { RuleName: string; EnableContinuousBackup?: boolean; CopyActions?: unknown[] }[];
    // A rule marked copy copies to no destination.
    expect(rules.map((r) => [r.RuleName, r.EnableContinuousBackup ?? false, (r.CopyActions ?? []).length])).toEqual([
      ['every-4-hours', false, 0],
      ['monthly', false, 0],
    ]);
    template.hasResource('AWS::Backup::BackupVault', { Properties: { LockConfiguration: Match.absent() }, DeletionPolicy: 'Retain' });
    template.hasResource('AWS::KMS::Key', {
      Properties: { Description: Match.stringLikeRegexp('AWS Backup vault') },
      DeletionPolicy: 'Retain',
    });
    template.resourceCountIs('AWS::Backup::RestoreTestingPlan', 0);
  });

  test('restore tests are scheduled in UTC unless told otherwise', () => {
    const utc = buildProtection('cluster').template;
    utc.hasResourceProperties('AWS::Backup::RestoreTestingPlan', { ScheduleExpressionTimezone: 'Etc/UTC' });
    const dublin = buildProtection('cluster', {
      restoreTesting: {
        planName: 'ScaledApp_prod_database',
        schedule: 'cron(0 6 ? * SUN *)',
        scheduleTimezone: 'Europe/Dublin',
        startWindowHours: 24,
        selectionWindowDays: 7,
      },
    }).template;
    dublin.hasResourceProperties('AWS::Backup::RestoreTestingPlan', { ScheduleExpressionTimezone: 'Europe/Dublin' });
  });

  test('fails on restore testing props AWS Backup refuses, naming each', () => {
    expect(() =>
      buildProtection('cluster', {
        restoreTesting: { planName: 'ScaledApp-prod', schedule: 'cron(0 6 ? * SUN *)', startWindowHours: 0, selectionWindowDays: 400 },
      }),
    ).toThrow(
      'DataProtection Data/Backup: expected restoreTesting.planName of 1 to 50 letters, digits and underscores, got "ScaledApp-prod"; ' +
        'expected restoreTesting.startWindowHours between 1 and 168, got 0; ' +
        'expected restoreTesting.selectionWindowDays between 1 and 365, got 400',
    );
  });
});

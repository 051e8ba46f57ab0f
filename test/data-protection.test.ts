/**
 * The data-protection construct in a bare stack (plan, copies, lock, restore tests), then per environment:
 * what each environment's configuration turns into, the copy vault's stack, and the database left untouched.
 */
import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { listEnvironments } from '../config/load';
import { ruleSchedule } from '../lib/stacks/recovery-props';
import { COPY_VAULT_ARN, buildProtection } from './support/data-protection';
import { configOf, synth } from './support/synth';

describe('DataProtection', () => {
  const { template } = buildProtection('cluster');

  test('keeps point-in-time recovery as a continuous rule with its retention', () => {
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanRule: Match.arrayWith([
          Match.objectLike({ RuleName: 'continuous', EnableContinuousBackup: true, Lifecycle: { DeleteAfterDays: 14 } }),
        ]),
      },
    });
  });

  test('copies a rule marked copy to the copy vault, named by a literal ARN (no cross-region reference)', () => {
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanRule: Match.arrayWith([
          Match.objectLike({
            RuleName: 'every-4-hours',
            ScheduleExpression: 'cron(30 0/4 * * ? *)',
            Lifecycle: { DeleteAfterDays: 7 },
            CopyActions: [{ DestinationBackupVaultArn: COPY_VAULT_ARN, Lifecycle: { DeleteAfterDays: 35 } }],
          }),
          Match.objectLike({ RuleName: 'monthly', Lifecycle: { DeleteAfterDays: 365 }, CopyActions: Match.absent() }),
        ]),
      },
    });
  });

  test('encrypts the vault with a key of its own and locks it in governance mode', () => {
    const vault = Object.values(template.findResources('AWS::Backup::BackupVault'))[0];
    expect(vault.Properties.EncryptionKeyArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^BackupVaultKey/), 'Arn'] });
    expect(vault.Properties.LockConfiguration).toEqual({ MinRetentionDays: 7, MaxRetentionDays: 400 });
    expect(vault.DeletionPolicy).toBe('Retain');
  });

  test('compliance mode sets the days after which the lock cannot be changed', () => {
    const compliance = buildProtection('cluster', {
      lock: { minRetention: Duration.days(7), maxRetention: Duration.days(400), changeableFor: Duration.days(3) },
    }).template;
    compliance.hasResourceProperties('AWS::Backup::BackupVault', {
      LockConfiguration: { MinRetentionDays: 7, MaxRetentionDays: 400, ChangeableForDays: 3 },
    });
  });

  test('selects the database by ARN, with its own role and no AWS managed policy', () => {
    template.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: { SelectionName: 'database', Resources: ['arn:aws:rds:eu-west-1:333333333333:cluster:scaledapp-prod'] },
    });
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('restore-tests the latest recovery point of the vault into the database subnets, behind a group that admits nobody', () => {
    template.hasResourceProperties('AWS::Backup::RestoreTestingPlan', {
      RestoreTestingPlanName: 'ScaledApp_prod_database',
      ScheduleExpression: 'cron(0 6 ? * SUN *)',
      RecoveryPointSelection: {
        Algorithm: 'LATEST_WITHIN_WINDOW',
        IncludeVaults: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^BackupVault'), 'BackupVaultArn'] }],
        RecoveryPointTypes: ['CONTINUOUS', 'SNAPSHOT'],
        SelectionWindowDays: 7,
      },
    });
    const selection = Object.values(template.findResources('AWS::Backup::RestoreTestingSelection'))[0];
    expect(selection.Properties).toMatchObject({
      ProtectedResourceType: 'Aurora',
      ProtectedResourceArns: ['arn:aws:rds:eu-west-1:333333333333:cluster:scaledapp-prod'],
      RestoreMetadataOverrides: { dbSubnetGroupName: 'scaledapp-prod-db' },
    });
    const group = Object.values(template.findResources('AWS::EC2::SecurityGroup')).find((g) =>
      String(g.Properties.GroupDescription).startsWith('Restore tests'),
    );
    expect(group?.Properties.SecurityGroupIngress).toBeUndefined();
    expect(group?.Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32' })]);
  });

  test('an RDS for PostgreSQL instance is restore-tested as RDS', () => {
    buildProtection('instance').template.hasResourceProperties('AWS::Backup::RestoreTestingSelection', { ProtectedResourceType: 'RDS' });
  });

  test('no restore testing plan when none is asked for', () => {
    const { template: none } = buildProtection('cluster', { restoreTesting: undefined });
    none.resourceCountIs('AWS::Backup::RestoreTestingPlan', 0);
    none.resourceCountIs('AWS::IAM::Role', 1);
  });
});

describe('rule schedules', () => {
  test.each([
    ['hourly', '00:15', 'cron(15 * * * ? *)'],
    ['every-4-hours', '06:30', 'cron(30 2/4 * * ? *)'],
    ['every-12-hours', '05:00', 'cron(0 5/12 * * ? *)'],
    ['daily', '05:00', 'cron(0 5 * * ? *)'],
    ['weekly', '03:45', 'cron(45 3 ? * SUN *)'],
    ['monthly', '05:00', 'cron(0 5 1 * ? *)'],
  ] as const)('%s at %s is %s', (frequency, start, cron) => {
    expect(ruleSchedule(frequency, start)).toBe(cron);
  });
});

describe.each(listEnvironments())('%s environment', (env) => {
  const built = synth(env);
  const data = built.template('data');
  const { recovery } = built.config;

  test('backs up the database in a vault of the environment, with the configured rules', () => {
    data.hasResourceProperties('AWS::Backup::BackupVault', { BackupVaultName: `ScaledApp-${env}` });
    const rules = Object.values(data.findResources('AWS::Backup::BackupPlan'))[0].Properties.BackupPlan.BackupPlanRule as {
      RuleName: string;
    }[];
    expect(rules.map((r) => r.RuleName).sort()).toEqual(['continuous', ...Object.keys(recovery.rules)].sort());
  });

  test('has a copy vault stack in the copy region exactly when the configuration names one', () => {
    const copy = built.stacks.backupCopy;
    expect(copy?.region).toBe(recovery.crossRegionCopy.region);
    if (!copy) return;
    expect(copy.stackName).toBe(`ScaledApp-${env}-BackupCopy`);
    expect(built.stacks.data.dependencies).toContain(copy);
    built.template('backupCopy').hasResourceProperties('AWS::Backup::BackupVault', { BackupVaultName: `ScaledApp-${env}-copy` });
  });

  test('restore-tests the database where configured', () => {
    data.resourceCountIs('AWS::Backup::RestoreTestingPlan', recovery.restoreTesting.enabled ? 1 : 0);
  });
});

test('prod locks both vaults, keeps them and protects the copy stack from deletion', () => {
  const built = synth('prod');
  const copy = built.template('backupCopy');
  copy.hasResource('AWS::Backup::BackupVault', {
    DeletionPolicy: 'Retain',
    Properties: { LockConfiguration: { MinRetentionDays: 7, MaxRetentionDays: 400 } },
  });
  built
    .template('data')
    .hasResource('AWS::Backup::BackupVault', { DeletionPolicy: 'Retain', Properties: { LockConfiguration: Match.anyValue() } });
  expect(built.stacks.backupCopy?.terminationProtection).toBe(true);
});

test('a cross-account vault receives copies too, and the database key lets that account use it for them', () => {
  const vaultArn = 'arn:aws:backup:eu-west-1:444444444444:backup-vault:central';
  const data = synth(configOf('prod', { recovery: { crossAccountVaultArn: vaultArn } })).template('data');
  const plan = Object.values(data.findResources('AWS::Backup::BackupPlan'))[0];
  const copied = (
    plan.Properties.BackupPlan.BackupPlanRule as { RuleName: string; CopyActions?: { DestinationBackupVaultArn: unknown }[] }[]
  ).find((r) => r.RuleName === 'every-4-hours');
  expect(copied?.CopyActions?.map((c) => c.DestinationBackupVaultArn)).toEqual([expect.anything(), vaultArn]);
  const key = Object.values(data.findResources('AWS::KMS::Key')).find((k) =>
    k.Properties.Description.startsWith('Encrypts the PostgreSQL'),
  );
  const statement = key?.Properties.KeyPolicy.Statement.find((s: { Sid?: string }) => s.Sid === 'CrossAccountBackupCopy');
  expect(JSON.stringify(statement.Principal)).toContain(':iam::444444444444:root');
  expect(statement.Condition).toEqual({ Bool: { 'kms:GrantIsForAWSResource': 'true' } });
});

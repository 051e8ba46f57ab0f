/**
 * AWS Backup for one environment's database: a vault with its own key (locked in production), a plan with
 * continuous backup and snapshot rules that copy to a vault in another region (and optionally another account),
 * and a restore testing plan that restores the latest recovery point on a schedule.
 *
 * Why a plan of its own rather than the database's automated backups alone: those live and die with the database
 * and its account's roles. A vault that the database's deletion does not touch, locked against early deletion,
 * with copies in another region, survives a deleted database, a compromised role and a region outage.
 *
 * The two roles are written here, action by action and resource by resource, instead of the AWS managed policies
 * AWSBackupServiceRolePolicyForBackup and ...ForRestores (which cover every service AWS Backup supports, on every
 * resource): the actions are the RDS part of those policies, narrowed to this database, the snapshots AWS Backup
 * names `awsbackup:*`, the vaults of this plan and the keys that encrypt them. test/iam/backup-roles.test.ts
 * evaluates them with an IAM policy evaluator.
 *
 * Construct IDs below are API: the vault and its key are stateful (tests pin them).
 */
import { Aws, Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance';
import { ProtectedVault, type VaultLockProps } from './backup-vault';

/** What AWS Backup protects: an Aurora cluster or an RDS for PostgreSQL instance. */
export interface ProtectedDatabase {
  readonly kind: 'cluster' | 'instance';
  /** ARN of the cluster or instance. */
  readonly arn: string;
  /** Subnet group the restore tests restore into (the database's own isolated subnets). */
  readonly subnetGroupName: string;
  readonly vpc: ec2.IVpc;
  /** The key that encrypts the database: its snapshots are encrypted with it, so AWS Backup must use it. */
  readonly encryptionKey: kms.IKey;
}

export interface SnapshotRuleProps {
  /** Rule name in AWS Backup. */
  readonly name: string;
  /** An AWS cron expression, UTC. */
  readonly schedule: string;
  readonly retention: Duration;
  /** Copy each snapshot of the rule to every copy destination. */
  readonly copy: boolean;
}

export interface CopyDestination {
  /** ARN of the destination vault, built from its name (no reference across regions or accounts). */
  readonly vaultArn: string;
  readonly retention: Duration;
  /** The keys AWS Backup may let RDS use in the destination: `arn:<partition>:kms:<region>:<account>:key/*`. */
  readonly keyArns: string;
}

export interface RestoreTestingProps {
  /** Alphanumeric and underscores, at most 50 characters (AWS Backup's rule for restore testing names). */
  readonly planName: string;
  readonly schedule: string;
  /** @default 'Etc/UTC' */
  readonly scheduleTimezone?: string;
  /** Hours a test may wait to start before AWS Backup cancels it: 1 to 168. */
  readonly startWindowHours: number;
  /** The test restores the latest recovery point of this many past days: 1 to 365. */
  readonly selectionWindowDays: number;
}

/** What AWS Backup refuses in restore testing props, one problem per entry (none: valid). */
function restoreTestingProblems(testing: RestoreTestingProps): string[] {
  const problems: string[] = [];
  if (!/^[A-Za-z0-9_]{1,50}$/.test(testing.planName)) {
    problems.push(`expected restoreTesting.planName of 1 to 50 letters, digits and underscores, got ${JSON.stringify(testing.planName)}`);
  }
  const range = (name: string, value: number, max: number) => {
    if (!Number.isInteger(value) || value < 1 || value > max)
      problems.push(`expected restoreTesting.${name} between 1 and ${max}, got ${value}`);
  };
  range('startWindowHours', testing.startWindowHours, 168);
  range('selectionWindowDays', testing.selectionWindowDays, 365);
  return problems;
}

export interface DataProtectionProps {
  /** Physical name of the vault and the plan (`ScaledApp-prod`). */
  readonly name: string;
  /**
   * What CloudFormation does with the vault and its key when they leave the template.
   * @default RemovalPolicy.RETAIN
   */
  readonly vaultRemovalPolicy?: RemovalPolicy;
  readonly database: ProtectedDatabase;
  /**
   * Point-in-time recovery kept this long (1 to 35 days).
   * @default - no continuous backup
   */
  readonly continuousRetention?: Duration;
  readonly rules: readonly SnapshotRuleProps[];
  /** @default - no copies */
  readonly copies?: readonly CopyDestination[];
  /** @default - no lock */
  readonly lock?: VaultLockProps;
  /** @default - no restore tests */
  readonly restoreTesting?: RestoreTestingProps;
}

/** The prefix AWS Backup gives the resources a restore test creates (and deletes after the test). */
export const RESTORE_TEST_PREFIX = 'awsbackup-restore-test-';

export class DataProtection extends Construct {
  readonly vault: ProtectedVault;
  readonly plan: backup.BackupPlan;
  readonly selection: backup.BackupSelection;
  /** The role AWS Backup takes to snapshot, copy and expire the database's recovery points. */
  readonly backupRole: iam.Role;
  /** The role AWS Backup takes to restore a recovery point in a restore test, and delete it afterwards. */
  readonly restoreRole?: iam.Role;
  readonly restoreTestingPlan?: backup.CfnRestoreTestingPlan;
  readonly restoreTestingSelection?: backup.CfnRestoreTestingSelection;
  /** Admits nothing: the restored database of a restore test is reachable by no client. */
  readonly restoreTestSecurityGroup?: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: DataProtectionProps) {
    super(scope, id);
    const problems = props.restoreTesting ? restoreTestingProblems(props.restoreTesting) : [];
    if (problems.length > 0) throw new Error(`DataProtection ${this.node.path}: ${problems.join('; ')}`);
    const copies = props.copies ?? [];
    this.vault = new ProtectedVault(this, 'Vault', {
      vaultName: props.name,
      keyDescription: 'Encrypts the AWS Backup vault of the environment',
      removalPolicy: props.vaultRemovalPolicy,
      lock: props.lock,
    });

    this.plan = new backup.BackupPlan(this, 'Plan', { backupPlanName: props.name, backupVault: this.vault.vault });
    if (props.continuousRetention) {
      this.plan.addRule(
        new backup.BackupPlanRule({
          ruleName: 'continuous',
          enableContinuousBackup: true,
          deleteAfter: props.continuousRetention,
          scheduleExpression: events.Schedule.expression(props.rules[0]?.schedule ?? 'cron(0 5 * * ? *)'),
        }),
      );
    }
    const destinations = copies.map((copy, i) => ({
      vault: backup.BackupVault.fromBackupVaultArn(this, `CopyDestination${i + 1}`, copy.vaultArn),
      retention: copy.retention,
    }));
    for (const rule of props.rules) {
      this.plan.addRule(
        new backup.BackupPlanRule({
          ruleName: rule.name,
          scheduleExpression: events.Schedule.expression(rule.schedule),
          deleteAfter: rule.retention,
          // The default start window is 8 hours; an hour keeps the recovery model's backup-job figure honest.
          startWindow: Duration.hours(1),
          copyActions: rule.copy ? destinations.map((d) => ({ destinationBackupVault: d.vault, deleteAfter: d.retention })) : undefined,
        }),
      );
    }

    this.backupRole = new iam.Role(this, 'BackupRole', {
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      description: 'AWS Backup: snapshots, copies and expires the recovery points of the environment database',
    });
    new iam.ManagedPolicy(this, 'BackupPolicy', {
      roles: [this.backupRole],
      description: 'The RDS part of AWSBackupServiceRolePolicyForBackup, narrowed to this database, its vaults and keys',
      statements: backupStatements(props.database, this.vault, copies),
    });
    this.selection = this.plan.addSelection('Database', {
      backupSelectionName: 'database',
      resources: [backup.BackupResource.fromArn(props.database.arn)],
      role: this.backupRole,
      disableDefaultBackupPolicy: true,
    });

    if (props.restoreTesting) {
      const testing = this.addRestoreTesting(props, props.restoreTesting);
      this.restoreRole = testing.restoreRole;
      this.restoreTestingPlan = testing.plan;
      this.restoreTestingSelection = testing.selection;
      this.restoreTestSecurityGroup = testing.securityGroup;
    }
    this.acknowledgeFindings();
  }

  private addRestoreTesting(props: DataProtectionProps, testing: RestoreTestingProps) {
    const db = props.database;
    const restoreRole = new iam.Role(this, 'RestoreRole', {
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      description: 'AWS Backup restore testing: restores the environment database as awsbackup-restore-test-*, then deletes it',
    });
    new iam.ManagedPolicy(this, 'RestorePolicy', {
      roles: [restoreRole],
      description: 'The RDS part of AWSBackupServiceRolePolicyForRestores, narrowed to restore-test copies of this database',
      statements: restoreStatements(db),
    });
    const securityGroup = new ec2.SecurityGroup(this, 'RestoreTestSecurityGroup', {
      vpc: db.vpc,
      description: 'Restore tests: the restored database admits no client and reaches nothing',
      allowAllOutbound: false,
    });
    const plan = new backup.CfnRestoreTestingPlan(this, 'RestoreTestingPlan', {
      restoreTestingPlanName: testing.planName,
      scheduleExpression: testing.schedule,
      scheduleExpressionTimezone: testing.scheduleTimezone ?? 'Etc/UTC',
      startWindowHours: testing.startWindowHours,
      recoveryPointSelection: {
        algorithm: 'LATEST_WITHIN_WINDOW',
        includeVaults: [this.vault.vault.backupVaultArn],
        recoveryPointTypes: ['CONTINUOUS', 'SNAPSHOT'],
        selectionWindowDays: testing.selectionWindowDays,
      },
    });
    const selection = new backup.CfnRestoreTestingSelection(this, 'RestoreTestingSelection', {
      restoreTestingPlanName: plan.restoreTestingPlanName,
      restoreTestingSelectionName: 'database',
      protectedResourceType: db.kind === 'cluster' ? 'Aurora' : 'RDS',
      protectedResourceArns: [db.arn],
      iamRoleArn: restoreRole.roleArn,
      // Without these, AWS Backup restores into the default VPC, which a locked-down account does not have.
      restoreMetadataOverrides: {
        dbSubnetGroupName: db.subnetGroupName,
        vpcSecurityGroupIds: Stack.of(this).toJsonString([securityGroup.securityGroupId]),
      },
    });
    selection.node.addDependency(plan);
    return { restoreRole, plan, selection, securityGroup };
  }

  private acknowledgeFindings(): void {
    for (const policy of this.node.children.filter((c) => c instanceof iam.ManagedPolicy)) {
      acknowledge(
        policy,
        'Wildcards only where AWS Backup names what it creates: snapshots awsbackup:*, restore-test copies awsbackup-restore-test-*, keys of the copy regions (whose IDs another stack or account owns), and Describe/List calls, which RDS does not scope to a resource.',
        'AwsSolutions-IAM5[Resource::*]',
        ...wildcardFindings(policy as iam.ManagedPolicy),
      );
    }
  }
}

/** The exact AwsSolutions-IAM5 finding IDs of a policy's wildcard resources, so that nothing else is acknowledged. */
function wildcardFindings(policy: iam.ManagedPolicy): string[] {
  const doc = Stack.of(policy).resolve(policy.document.toJSON()) as { Statement: { Resource: unknown }[] };
  const ids = new Set<string>();
  for (const statement of doc.Statement) {
    const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    for (const resource of resources) {
      const text = typeof resource === 'string' ? resource : JSON.stringify(resource);
      if (text.includes('*') && text !== '*') ids.add(`AwsSolutions-IAM5[Resource::${nagText(resource)}]`);
    }
  }
  return [...ids];
}

/** cdk-nag renders Fn::Join parts and pseudo parameters as `<AWS::Region>` and logical IDs as `<LogicalId.Arn>`. */
function nagText(resource: unknown): string {
  if (typeof resource === 'string') return resource;
  const join = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join) return JSON.stringify(resource);
  return join[1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const ref = (part as { Ref?: string }).Ref;
      if (ref) return `<${ref}>`;
      const att = (part as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt'];
      if (att) return `<${att.join('.')}>`;
      return JSON.stringify(part);
    })
    .join(join[0]);
}

function arn(service: string, region: string, resource: string, account: string = Aws.ACCOUNT_ID): string {
  return `arn:${Aws.PARTITION}:${service}:${region}:${account}:${resource}`;
}

function regionOf(vaultArn: string): string {
  return vaultArn.split(':')[3];
}

function backupStatements(db: ProtectedDatabase, vault: ProtectedVault, copies: readonly CopyDestination[]): iam.PolicyStatement[] {
  const here = Aws.REGION;
  const regions = [here, ...copies.map((c) => regionOf(c.vaultArn))];
  const cluster = db.kind === 'cluster';
  const snapshot = cluster ? 'cluster-snapshot' : 'snapshot';
  const ours = (region: string) => arn('rds', region, `${snapshot}:awsbackup:*`);
  const statements = [
    new iam.PolicyStatement({
      sid: 'Snapshot',
      actions: cluster ? ['rds:CreateDBClusterSnapshot'] : ['rds:CreateDBSnapshot'],
      resources: [db.arn, ours(here)],
    }),
    new iam.PolicyStatement({
      sid: 'ManageOwnSnapshots',
      // Copies land in the other regions; expiry deletes them; the attribute shares a copy with another account.
      actions: cluster
        ? ['rds:CopyDBClusterSnapshot', 'rds:DeleteDBClusterSnapshot', 'rds:ModifyDBClusterSnapshotAttribute', 'rds:AddTagsToResource']
        : ['rds:CopyDBSnapshot', 'rds:DeleteDBSnapshot', 'rds:ModifyDBSnapshotAttribute', 'rds:AddTagsToResource'],
      resources: [...new Set(regions)].map(ours),
    }),
    new iam.PolicyStatement({
      sid: 'ContinuousBackup',
      // AWS Backup manages the automated backup retention of a database under continuous backup.
      actions: cluster ? ['rds:ModifyDBCluster', 'rds:AddTagsToResource'] : ['rds:ModifyDBInstance', 'rds:AddTagsToResource'],
      resources: [db.arn],
    }),
    new iam.PolicyStatement({
      sid: 'ExpireContinuousBackup',
      actions: cluster ? ['rds:DeleteDBClusterAutomatedBackup'] : ['rds:DeleteDBInstanceAutomatedBackup'],
      resources: [arn('rds', here, cluster ? 'cluster-auto-backup:*' : 'auto-backup:*')],
    }),
    new iam.PolicyStatement({
      sid: 'Describe',
      actions: [
        'rds:DescribeDBClusters',
        'rds:DescribeDBClusterSnapshots',
        'rds:DescribeDBClusterAutomatedBackups',
        'rds:DescribeDBInstances',
        'rds:DescribeDBSnapshots',
        'rds:DescribeDBInstanceAutomatedBackups',
        'rds:ListTagsForResource',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'GrantKeysToRds',
      // RDS encrypts a snapshot and its copies through grants; the grant can only be for an AWS resource.
      actions: ['kms:CreateGrant'],
      resources: [db.encryptionKey.keyArn, vault.key.keyArn, ...copies.map((c) => c.keyArns)],
      conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    }),
    new iam.PolicyStatement({
      sid: 'DescribeKeys',
      actions: ['kms:DescribeKey'],
      resources: [db.encryptionKey.keyArn, vault.key.keyArn, ...copies.map((c) => c.keyArns)],
    }),
  ];
  if (copies.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'CopyIntoVaults',
        actions: ['backup:CopyIntoBackupVault', 'backup:DescribeBackupVault'],
        resources: copies.map((c) => c.vaultArn),
      }),
    );
  }
  return statements;
}

function restoreStatements(db: ProtectedDatabase): iam.PolicyStatement[] {
  const here = Aws.REGION;
  const cluster = db.kind === 'cluster';
  const target = arn('rds', here, `${cluster ? 'cluster' : 'db'}:${RESTORE_TEST_PREFIX}*`);
  const group = (type: string) => arn('rds', here, `${type}:*`);
  const common = [
    target,
    arn('rds', here, `subgrp:${db.subnetGroupName}`),
    // The engine's default parameter and option groups: a restore test needs no tuning.
    group(cluster ? 'cluster-pg' : 'pg'),
    group('og'),
  ];
  return [
    new iam.PolicyStatement({
      sid: 'RestoreTestFromSnapshot',
      actions: cluster ? ['rds:RestoreDBClusterFromSnapshot'] : ['rds:RestoreDBInstanceFromDBSnapshot'],
      resources: [...common, arn('rds', here, `${cluster ? 'cluster-snapshot' : 'snapshot'}:awsbackup:*`)],
    }),
    new iam.PolicyStatement({
      sid: 'RestoreTestToPointInTime',
      // The source of a point-in-time restore is the database itself, or its automated backups once it is gone.
      actions: cluster ? ['rds:RestoreDBClusterToPointInTime'] : ['rds:RestoreDBInstanceToPointInTime'],
      resources: [...common, db.arn, arn('rds', here, cluster ? 'cluster-auto-backup:*' : 'auto-backup:*')],
    }),
    new iam.PolicyStatement({
      sid: 'TagAndDeleteRestoreTestCopy',
      actions: cluster ? ['rds:AddTagsToResource', 'rds:DeleteDBCluster'] : ['rds:AddTagsToResource', 'rds:DeleteDBInstance'],
      resources: [target],
    }),
    new iam.PolicyStatement({
      sid: 'Describe',
      actions: [
        'rds:DescribeDBClusters',
        'rds:DescribeDBInstances',
        'rds:DescribeDBClusterSnapshots',
        'rds:DescribeDBSnapshots',
        'rds:ListTagsForResource',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'GrantDatabaseKeyToRds',
      actions: ['kms:CreateGrant'],
      resources: [db.encryptionKey.keyArn],
      conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    }),
    new iam.PolicyStatement({ sid: 'DescribeDatabaseKey', actions: ['kms:DescribeKey'], resources: [db.encryptionKey.keyArn] }),
  ];
}

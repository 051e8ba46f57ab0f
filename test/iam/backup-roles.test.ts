/**
 * Least privilege of the two roles AWS Backup takes for this environment, evaluated the way IAM evaluates them
 * (@cloud-copilot/iam-simulate) over the synthesized policies: what each role needs is allowed, on this
 * database, its own snapshots and its vaults only; everything a compromised or confused backup role could do to
 * the data (delete the database, delete a snapshot it did not take, restore over the live database, read a key)
 * is denied. A matrix, so that the lead can fold it into test/iam's permission matrix.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import {
  ACCOUNT,
  CLUSTER_ARN,
  COPY_REGION,
  COPY_VAULT_ARN,
  INSTANCE_ARN,
  REGION,
  buildProtection,
  policiesOfRole,
  resolveIntrinsics,
} from '../support/data-protection';

type Expectation = readonly [action: string, resource: string, expected: 'Allowed' | 'ImplicitlyDenied', context?: Record<string, string>];

const rds = (resource: string, region = REGION) => `arn:aws:rds:${region}:${ACCOUNT}:${resource}`;
const cluster = buildProtection('cluster');
const instance = buildProtection('instance');
/** The database key as the template names it; its key policy is the template's. */
const DATABASE_KEY_ID = Object.keys(cluster.template.findResources('AWS::KMS::Key')).find((id) => id.startsWith('DatabaseKey'))!;
const DATABASE_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${DATABASE_KEY_ID}`;
const OTHER_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0000-other`;
const COPY_KEY = `arn:aws:kms:${COPY_REGION}:${ACCOUNT}:key/1111-copy`;
const FOR_AWS = { 'kms:GrantIsForAWSResource': 'true' };

/**
 * A KMS request is allowed only if the key policy lets IAM policies count: the database key's own policy from the
 * template, and for keys of other stacks (the copy vault's) the policy every EncryptionKey has, which does.
 */
function keyPolicy(resource: string): unknown {
  if (!resource.startsWith('arn:aws:kms:')) return undefined;
  const keys = cluster.template.findResources('AWS::KMS::Key');
  if (resource === DATABASE_KEY) return resolveIntrinsics(keys[DATABASE_KEY_ID].Properties.KeyPolicy, cluster.template.toJSON().Resources);
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${resource.split(':')[4]}:root` }, Action: 'kms:*', Resource: '*' }],
  };
}

async function evaluate(policies: { name: string; policy: unknown }[], [action, resource, , context]: Expectation) {
  const result = await runSimulation(
    {
      request: {
        principal: `arn:aws:iam::${ACCOUNT}:role/backup`,
        action,
        resource: { resource, accountId: resource.split(':')[4] || ACCOUNT },
        contextVariables: context ?? {},
      },
      identityPolicies: policies,
      resourcePolicy: keyPolicy(resource),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`${action} on ${resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult;
}

const CLUSTER_BACKUP: Expectation[] = [
  ['rds:CreateDBClusterSnapshot', CLUSTER_ARN, 'Allowed'],
  ['rds:CreateDBClusterSnapshot', rds('cluster-snapshot:awsbackup:job-1'), 'Allowed'],
  ['rds:CopyDBClusterSnapshot', rds('cluster-snapshot:awsbackup:job-1', COPY_REGION), 'Allowed'],
  ['rds:DeleteDBClusterSnapshot', rds('cluster-snapshot:awsbackup:job-1'), 'Allowed'],
  ['rds:ModifyDBCluster', CLUSTER_ARN, 'Allowed'],
  ['backup:CopyIntoBackupVault', COPY_VAULT_ARN, 'Allowed'],
  ['kms:CreateGrant', DATABASE_KEY, 'Allowed', FOR_AWS],
  ['kms:CreateGrant', COPY_KEY, 'Allowed', FOR_AWS],
  // Denied: the data itself, snapshots it did not take, another database, keys for anything but an AWS resource.
  ['rds:DeleteDBCluster', CLUSTER_ARN, 'ImplicitlyDenied'],
  ['rds:DeleteDBClusterSnapshot', rds('cluster-snapshot:before-migration'), 'ImplicitlyDenied'],
  ['rds:ModifyDBClusterSnapshotAttribute', rds('cluster-snapshot:before-migration'), 'ImplicitlyDenied'],
  ['rds:CreateDBClusterSnapshot', rds('cluster:another-app'), 'ImplicitlyDenied'],
  ['rds:ModifyDBCluster', rds('cluster:another-app'), 'ImplicitlyDenied'],
  ['rds:RestoreDBClusterFromSnapshot', rds('cluster:scaledapp-prod'), 'ImplicitlyDenied'],
  ['backup:CopyIntoBackupVault', `arn:aws:backup:us-east-1:444444444444:backup-vault:elsewhere`, 'ImplicitlyDenied'],
  ['backup:DeleteRecoveryPoint', `arn:aws:backup:${REGION}:${ACCOUNT}:recovery-point:abc`, 'ImplicitlyDenied'],
  ['kms:CreateGrant', DATABASE_KEY, 'ImplicitlyDenied', { 'kms:GrantIsForAWSResource': 'false' }],
  ['kms:CreateGrant', OTHER_KEY, 'ImplicitlyDenied', FOR_AWS],
  ['kms:Decrypt', DATABASE_KEY, 'ImplicitlyDenied'],
];

const CLUSTER_RESTORE_TEST: Expectation[] = [
  ['rds:RestoreDBClusterFromSnapshot', rds('cluster:awsbackup-restore-test-abc123'), 'Allowed'],
  ['rds:RestoreDBClusterFromSnapshot', rds('cluster-snapshot:awsbackup:job-1'), 'Allowed'],
  ['rds:RestoreDBClusterToPointInTime', rds('cluster:awsbackup-restore-test-abc123'), 'Allowed'],
  ['rds:RestoreDBClusterToPointInTime', CLUSTER_ARN, 'Allowed'],
  ['rds:RestoreDBClusterFromSnapshot', rds('subgrp:scaledapp-prod-db'), 'Allowed'],
  ['rds:DeleteDBCluster', rds('cluster:awsbackup-restore-test-abc123'), 'Allowed'],
  ['kms:CreateGrant', DATABASE_KEY, 'Allowed', FOR_AWS],
  // Denied: deleting or restoring over the live database, restoring into another subnet group, other keys.
  ['rds:DeleteDBCluster', CLUSTER_ARN, 'ImplicitlyDenied'],
  ['rds:RestoreDBClusterFromSnapshot', CLUSTER_ARN.replace('scaledapp-prod', 'scaledapp-prod-2'), 'ImplicitlyDenied'],
  ['rds:RestoreDBClusterFromSnapshot', rds('subgrp:public-subnets'), 'ImplicitlyDenied'],
  ['rds:CreateDBClusterSnapshot', CLUSTER_ARN, 'ImplicitlyDenied'],
  ['rds:ModifyDBCluster', CLUSTER_ARN, 'ImplicitlyDenied'],
  ['kms:CreateGrant', OTHER_KEY, 'ImplicitlyDenied', FOR_AWS],
  ['kms:Decrypt', DATABASE_KEY, 'ImplicitlyDenied'],
];

const INSTANCE_BACKUP: Expectation[] = [
  ['rds:CreateDBSnapshot', INSTANCE_ARN, 'Allowed'],
  ['rds:CreateDBSnapshot', rds('snapshot:awsbackup:job-1'), 'Allowed'],
  ['rds:CopyDBSnapshot', rds('snapshot:awsbackup:job-1', COPY_REGION), 'Allowed'],
  ['rds:ModifyDBInstance', INSTANCE_ARN, 'Allowed'],
  ['rds:DeleteDBInstance', INSTANCE_ARN, 'ImplicitlyDenied'],
  ['rds:DeleteDBSnapshot', rds('snapshot:rds:scaledapp-prod-writer-2026-03-01'), 'ImplicitlyDenied'],
  ['rds:ModifyDBInstance', rds('db:scaledapp-prod-reader-1'), 'ImplicitlyDenied'],
];

const INSTANCE_RESTORE_TEST: Expectation[] = [
  ['rds:RestoreDBInstanceFromDBSnapshot', rds('db:awsbackup-restore-test-abc123'), 'Allowed'],
  ['rds:RestoreDBInstanceToPointInTime', INSTANCE_ARN, 'Allowed'],
  ['rds:DeleteDBInstance', rds('db:awsbackup-restore-test-abc123'), 'Allowed'],
  ['rds:DeleteDBInstance', INSTANCE_ARN, 'ImplicitlyDenied'],
  ['rds:RestoreDBInstanceFromDBSnapshot', INSTANCE_ARN, 'ImplicitlyDenied'],
];

const name = ([action, resource, expected, context]: Expectation) =>
  `${expected === 'Allowed' ? 'allows' : 'denies'} ${action} on ${resource}${context ? ` with ${JSON.stringify(context)}` : ''}`;

describe.each([
  ['Aurora: the backup role', cluster, 'BackupBackupRole', CLUSTER_BACKUP],
  ['Aurora: the restore-testing role', cluster, 'BackupRestoreRole', CLUSTER_RESTORE_TEST],
  ['RDS for PostgreSQL: the backup role', instance, 'BackupBackupRole', INSTANCE_BACKUP],
  ['RDS for PostgreSQL: the restore-testing role', instance, 'BackupRestoreRole', INSTANCE_RESTORE_TEST],
] as const)('%s', (_title, built, rolePrefix, matrix) => {
  const policies = policiesOfRole(built.template, rolePrefix);

  test("carries no AWS managed policy and only this construct's own", () => {
    expect(policies.length).toBe(1);
  });

  test.each(matrix.map((row) => [name(row), row] as const))('%s', async (_n, row) => {
    expect(await evaluate(policies, row)).toBe(row[2]);
  });
});

test('only AWS Backup can take the roles', () => {
  const roles = cluster.template.findResources('AWS::IAM::Role');
  for (const role of Object.values(roles)) {
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'backup.amazonaws.com' } },
    ]);
  }
});

import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ProtectedVault } from '../../lib/constructs/backup-vault';
import { bareStack } from './fixtures';

describe('ProtectedVault', () => {
  test('a vault with its own key, both retained, unlocked by default', () => {
    // GIVEN
    const stack = bareStack();
    // WHEN
    new ProtectedVault(stack, 'Vault', { vaultName: 'App-dev', keyDescription: 'vault key' });
    // THEN
    const template = Template.fromStack(stack);
    const [vault] = Object.values(template.findResources('AWS::Backup::BackupVault'));
    expect(vault.DeletionPolicy).toBe('Retain');
    expect(vault.Properties.BackupVaultName).toBe('App-dev');
    expect(vault.Properties.LockConfiguration).toBeUndefined();
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: { Description: 'vault key' } });
  });

  test('the removal policy and the lock are the ones given', () => {
    const stack = bareStack();
    new ProtectedVault(stack, 'Vault', {
      vaultName: 'App-dev',
      keyDescription: 'vault key',
      removalPolicy: RemovalPolicy.DESTROY,
      lock: { minRetention: Duration.days(7), maxRetention: Duration.days(35) },
    });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::Backup::BackupVault', {
      DeletionPolicy: 'Delete',
      Properties: { LockConfiguration: { MinRetentionDays: 7, MaxRetentionDays: 35 } },
    });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  test('fails on a lock whose minimum retention exceeds its maximum', () => {
    const stack = bareStack();
    expect(
      () =>
        new ProtectedVault(stack, 'Vault', {
          vaultName: 'App-dev',
          keyDescription: 'vault key',
          lock: { minRetention: Duration.days(40), maxRetention: Duration.days(35) },
        }),
    ).toThrow('ProtectedVault Test/Vault: expected lock.minRetention (40 days) at most lock.maxRetention (35 days)');
  });
});

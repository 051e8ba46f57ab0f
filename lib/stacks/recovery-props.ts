/**
 * Maps the `recovery` section of the configuration to the props of the data-protection constructs: config types
 * stop at the stacks.
 */
import { Aws, Duration } from 'aws-cdk-lib';
import type { AppConfig } from '../../config/schema';
import type { BackupFrequency } from '../../config/schema/recovery';
import type { VaultLockProps } from '../constructs/backup-vault';
import type { CopyDestination, SnapshotRuleProps } from '../constructs/data-protection';

/** The vault lock of the environment's vaults, or none. */
export function vaultLockOf(config: AppConfig): VaultLockProps | undefined {
  const lock = config.recovery.vaultLock;
  if (lock.mode === 'none') return undefined;
  return {
    minRetention: Duration.days(lock.minRetentionDays),
    maxRetention: Duration.days(lock.maxRetentionDays),
    changeableFor: lock.mode === 'compliance' ? Duration.days(lock.changeableForDays) : undefined,
  };
}

/** The AWS cron expression of a rule (UTC): weekly rules on Sundays, monthly on the 1st. */
export function ruleSchedule(frequency: BackupFrequency, startUtc: string): string {
  const [hour, minute] = startUtc.split(':').map(Number);
  switch (frequency) {
    case 'hourly':
      return `cron(${minute} * * * ? *)`;
    case 'every-4-hours':
      return `cron(${minute} ${hour % 4}/4 * * ? *)`;
    case 'every-12-hours':
      return `cron(${minute} ${hour % 12}/12 * * ? *)`;
    case 'daily':
      return `cron(${minute} ${hour} * * ? *)`;
    case 'weekly':
      return `cron(${minute} ${hour} ? * SUN *)`;
    case 'monthly':
      return `cron(${minute} ${hour} 1 * ? *)`;
  }
}

export function snapshotRules(config: AppConfig): SnapshotRuleProps[] {
  return Object.entries(config.recovery.rules).map(([name, rule]) => ({
    name,
    schedule: ruleSchedule(rule.frequency, rule.startUtc),
    retention: Duration.days(rule.retentionDays),
    copy: rule.copy,
  }));
}

/** The copy vault in the other region (named `<App>-<env>-copy`), and the other account's vault, when configured. */
export function copyDestinations(config: AppConfig, copyVaultArn: string | undefined): CopyDestination[] {
  const { crossRegionCopy, crossAccountVaultArn } = config.recovery;
  const destinations: CopyDestination[] = [];
  if (copyVaultArn && crossRegionCopy.region) {
    destinations.push({
      vaultArn: copyVaultArn,
      retention: Duration.days(crossRegionCopy.retentionDays),
      keyArns: `arn:${Aws.PARTITION}:kms:${crossRegionCopy.region}:${config.environment.account}:key/*`,
    });
  }
  if (crossAccountVaultArn) {
    const [, partition, , region, account] = crossAccountVaultArn.split(':');
    destinations.push({
      vaultArn: crossAccountVaultArn,
      retention: Duration.days(crossRegionCopy.retentionDays),
      keyArns: `arn:${partition}:kms:${region}:${account}:key/*`,
    });
  }
  return destinations;
}

/** Restore testing names allow letters, digits and underscores only. */
export function restoreTestingPlanName(config: AppConfig): string {
  return `${config.app.name}_${config.environment.name}_database`.replace(/[^A-Za-z0-9_]/g, '_');
}

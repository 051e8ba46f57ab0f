import { z } from 'zod';
import { arn, awsRegion, dnsLabel, int } from './primitives';

/** How often a snapshot rule runs; the recovery model reads the interval from here (hours between two runs). */
export const BACKUP_FREQUENCIES = {
  hourly: 1,
  'every-4-hours': 4,
  'every-12-hours': 12,
  daily: 24,
  weekly: 24 * 7,
  // The longest gap between two firings of "the 1st of every month".
  monthly: 24 * 31,
} as const;
export type BackupFrequency = keyof typeof BACKUP_FREQUENCIES;

export const VAULT_LOCK_MODES = ['none', 'governance', 'compliance'] as const;

const hhmm = () => z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'expected a UTC time of day hh:mm such as 05:00' });

/** AWS Backup keeps a recovery point at most this long when it must also move it to cold storage; plainly, 100 years. */
const MAX_RETENTION_DAYS = 36_500;

const objective = (what: string) =>
  z
    .strictObject({
      rpoMinutes: int(1, 525_600).meta({ description: `Most minutes of committed writes the environment may lose ${what}.` }),
      rtoMinutes: int(1, 525_600).meta({ description: `Most minutes until the services answer again on restored data ${what}.` }),
    })
    .meta({ description: `Recovery objectives ${what}.` });

export const backupRuleSchema = z
  .strictObject({
    frequency: z
      .enum(Object.keys(BACKUP_FREQUENCIES) as [BackupFrequency, ...BackupFrequency[]], {
        error: `expected one of ${Object.keys(BACKUP_FREQUENCIES).join(', ')}`,
      })
      .meta({ description: 'How often AWS Backup snapshots the protected resources.' }),
    startUtc: hhmm().meta({
      description:
        'UTC time the rule starts (the minute, for `hourly`; the time of day for the others; weekly rules run on Sundays, monthly on the 1st).',
    }),
    retentionDays: int(1, MAX_RETENTION_DAYS).meta({ description: 'Days AWS Backup keeps each snapshot of this rule.' }),
    copy: z.boolean().meta({
      description: 'Copy each snapshot of this rule to the cross-region vault (and the cross-account vault when one is configured).',
    }),
  })
  .meta({ description: 'A snapshot rule of the backup plan.' });

export const recoverySchema = z
  .strictObject({
    objectives: z
      .strictObject({
        inRegion: objective('when the database is lost, corrupted or deleted in its region (a bad migration, a compromised role)'),
        regionLoss: objective('when the whole region is unavailable (recovered from the cross-region copy)').optional().meta({
          description: 'Recovery objectives when the region is unavailable; absent when the environment promises none (no copy).',
        }),
      })
      .meta({
        description: 'What the environment promises; validation checks them against what the configuration delivers (docs/recovery.md).',
      }),
    dataSizeGiB: int(1, 128_000).meta({
      description: 'Expected size of the database in GiB: copy and restore times of the recovery model grow with it.',
    }),
    continuousBackup: z
      .strictObject({
        enabled: z.boolean().meta({ description: 'Point-in-time recovery from the AWS Backup vault (a recovery point every 5 minutes).' }),
        retentionDays: int(1, 35).meta({
          description:
            'Days of point-in-time recovery (AWS Backup allows 1 to 35). AWS Backup takes over the database automated backup retention, so it must equal `database.backup.retentionDays`.',
        }),
      })
      .meta({ description: 'Continuous backup of the database (Aurora PostgreSQL and RDS for PostgreSQL both support it).' }),
    rules: z
      .record(dnsLabel(), backupRuleSchema)
      .refine((rules) => Object.keys(rules).length >= 1, { message: 'expected at least one snapshot rule' })
      .meta({ description: 'Snapshot rules of the backup plan, by name (the name becomes the rule name in AWS Backup).' }),
    crossRegionCopy: z
      .strictObject({
        region: awsRegion()
          .optional()
          .meta({ description: 'Region of the copy vault (stack `<App>-<env>-BackupCopy`); no copy when absent. Required in production.' }),
        retentionDays: int(1, MAX_RETENTION_DAYS).meta({ description: 'Days the copy vault keeps each copy.' }),
      })
      .meta({ description: 'Copies outside the blast radius of a region outage.' }),
    crossAccountVaultArn: arn('backup', 'backup-vault').optional().meta({
      description:
        'ARN of a vault in another account that also receives the copies (its vault policy must allow `backup:CopyIntoBackupVault` from this account). No cross-account copy when absent.',
    }),
    vaultLock: z
      .strictObject({
        mode: z.enum(VAULT_LOCK_MODES, { error: `expected one of ${VAULT_LOCK_MODES.join(', ')}` }).meta({
          description:
            '`governance`: recovery points cannot be deleted early except by a principal allowed `backup:DeleteBackupVaultLockConfiguration`. `compliance`: after `changeableForDays`, nobody (not root, not AWS) can remove the lock, shorten retention or delete a recovery point early. Required in production.',
        }),
        minRetentionDays: int(1, MAX_RETENTION_DAYS).meta({
          description: 'Shortest retention a job may give a recovery point in the locked vaults (shorter jobs fail).',
        }),
        maxRetentionDays: int(1, MAX_RETENTION_DAYS).meta({
          description: 'Longest retention a job may give a recovery point in the locked vaults (longer jobs fail).',
        }),
        changeableForDays: int(3, 36_500).meta({
          description: 'Compliance mode: days after deployment during which the lock can still be changed or removed (AWS minimum 3).',
        }),
        complianceAcknowledged: z.boolean().meta({
          description: 'Must be true to deploy compliance mode: the statement that the team knows it cannot be undone.',
        }),
      })
      .meta({ description: 'AWS Backup Vault Lock on the environment vault and the copy vault.' }),
    restoreTesting: z
      .strictObject({
        enabled: z
          .boolean()
          .meta({ description: 'Restore the latest recovery point of the database on a schedule. Required in production.' }),
        schedule: z
          .string()
          .regex(/^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/, { message: 'expected an AWS cron expression such as cron(0 5 ? * SUN *)' })
          .meta({ description: 'When AWS Backup runs the restore test (AWS cron expression, in `scheduleTimezone`).' }),
        scheduleTimezone: z.string().min(1).meta({ description: 'IANA time zone of `schedule`, such as Etc/UTC or Europe/Dublin.' }),
        startWindowHours: int(1, 168).meta({
          description: 'Hours a scheduled restore test may wait to start before AWS Backup cancels it.',
        }),
        selectionWindowDays: int(1, 365).meta({ description: 'The test restores the latest recovery point of this many past days.' }),
      })
      .meta({ description: 'AWS Backup restore testing of the database.' }),
  })
  .meta({
    description: 'Data protection and recovery: the AWS Backup plan, its copies, vault lock, restore tests and the recovery objectives.',
  });

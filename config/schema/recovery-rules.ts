/**
 * Rules of the recovery section that span fields: guard rails of production, vault lock bounds against the
 * retention the rules ask for, and the recovery objectives against what the configuration delivers (the
 * recovery model of config/recovery.ts, with its arithmetic in the message). They read the configuration
 * defensively: they run even when other fields are invalid, so that every problem is reported at once.
 */
import type { z } from 'zod';
import { type Delivered, planRecovery } from '../recovery';
import type { DeepPartial } from '../types';
import type { AppConfig } from './index';
import { BACKUP_FREQUENCIES, type BackupFrequency } from './recovery';
import type { Rule } from './rules';

/** A production environment keeps at least this many days of backups somewhere (five weeks: a bad migration noticed a month later). */
export const PRODUCTION_MIN_RETENTION_DAYS = 35;

type Recovery = DeepPartial<AppConfig['recovery']>;

const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isFrequency = (x: unknown): x is BackupFrequency => typeof x === 'string' && x in BACKUP_FREQUENCIES;
const at = (...path: string[]) => ['recovery', ...path];

function rulesOf(recovery: Recovery | undefined): [string, NonNullable<NonNullable<Recovery['rules']>[string]>][] {
  const rules = recovery?.rules;
  if (typeof rules !== 'object' || rules === null) return [];
  return Object.entries(rules).filter(
    (entry): entry is [string, NonNullable<(typeof entry)[1]>] => typeof entry[1] === 'object' && entry[1] !== null,
  );
}

/** Production: the copy outside the region, the lock, restore tests, continuous backup and five weeks of history. */
const productionRecoveryGuardRails: Rule = (config, report) => {
  if (config.environment?.production !== true) return;
  const recovery = config.recovery;
  if (recovery?.crossRegionCopy && recovery.crossRegionCopy.region === undefined) {
    report(
      at('crossRegionCopy', 'region'),
      'expected a region for the copy vault in a production environment (a region outage must not take the backups with it)',
    );
  }
  if (recovery?.vaultLock?.mode === 'none') {
    report(
      at('vaultLock', 'mode'),
      'expected "governance" or "compliance" in a production environment (a compromised role must not delete the backups)',
    );
  }
  if (recovery?.restoreTesting?.enabled === false) report(at('restoreTesting', 'enabled'), 'expected true in a production environment');
  if (recovery?.continuousBackup?.enabled === false) report(at('continuousBackup', 'enabled'), 'expected true in a production environment');
  const retentions = rulesOf(recovery)
    .map(([, rule]) => rule.retentionDays)
    .filter(isNumber);
  const longest = Math.max(0, ...retentions);
  if (retentions.length > 0 && longest < PRODUCTION_MIN_RETENTION_DAYS) {
    report(
      at('rules'),
      `expected a rule that keeps snapshots at least ${PRODUCTION_MIN_RETENTION_DAYS} days in a production environment (the longest is ${longest})`,
    );
  }
  const copyRetention = recovery?.crossRegionCopy?.retentionDays;
  if (isNumber(copyRetention) && copyRetention < PRODUCTION_MIN_RETENTION_DAYS) {
    report(at('crossRegionCopy', 'retentionDays'), `expected at least ${PRODUCTION_MIN_RETENTION_DAYS} in a production environment`);
  }
};

const copyElsewhere: Rule = (config, report) => {
  const region = config.recovery?.crossRegionCopy?.region;
  if (typeof region === 'string' && region === config.environment?.region) {
    report(
      at('crossRegionCopy', 'region'),
      `expected a region other than the environment's own (${region}): a copy in the same region shares its outages`,
    );
  }
  const vault = config.recovery?.crossAccountVaultArn;
  const account = config.environment?.account;
  if (typeof vault === 'string' && typeof account === 'string' && vault.split(':')[4] === account) {
    report(at('crossAccountVaultArn'), `expected a vault in an account other than the environment's own (${account})`);
  }
};

/**
 * AWS Backup takes over the automated backup retention of a database under continuous backup and sets it to the
 * rule's retention; a different figure in the template would flip back and forth on every deployment.
 */
const continuousMatchesDatabase: Rule = (config, report) => {
  const continuous = config.recovery?.continuousBackup;
  const databaseDays = config.database?.backup?.retentionDays;
  if (continuous?.enabled !== true || !isNumber(continuous.retentionDays) || !isNumber(databaseDays)) return;
  // A database retention out of range is reported by its own field; continuous backup's 1 to 35 days apply here.
  if (databaseDays < 1 || databaseDays > 35) return;
  if (continuous.retentionDays !== databaseDays) {
    report(
      at('continuousBackup', 'retentionDays'),
      `expected ${databaseDays}, database.backup.retentionDays: AWS Backup sets the database's automated backup retention to this figure, and CloudFormation would set it back`,
    );
  }
};

/** A vault lock fails every job whose retention is outside its bounds: catch that here rather than in a failed job. */
const retentionWithinLock: Rule = (config, report) => {
  const recovery = config.recovery;
  const lock = recovery?.vaultLock;
  if (!lock || lock.mode === 'none' || lock.mode === undefined) return;
  const { minRetentionDays: min, maxRetentionDays: max } = lock;
  if (isNumber(min) && isNumber(max) && min > max) {
    report(at('vaultLock', 'minRetentionDays'), `expected at most vaultLock.maxRetentionDays (${max})`);
    return;
  }
  const check = (path: string[], days: unknown, what: string) => {
    if (!isNumber(days)) return;
    if (isNumber(min) && days < min) {
      report(path, `expected at least vaultLock.minRetentionDays (${min}): the locked vault fails ${what} with a shorter retention`);
    }
    if (isNumber(max) && days > max) {
      report(path, `expected at most vaultLock.maxRetentionDays (${max}): the locked vault fails ${what} with a longer retention`);
    }
  };
  for (const [name, rule] of rulesOf(recovery)) check(at('rules', name, 'retentionDays'), rule.retentionDays, 'every backup job');
  if (recovery?.crossRegionCopy?.region !== undefined)
    check(at('crossRegionCopy', 'retentionDays'), recovery.crossRegionCopy.retentionDays, 'every copy job');
  if (recovery?.continuousBackup?.enabled === true)
    check(at('continuousBackup', 'retentionDays'), recovery.continuousBackup.retentionDays, 'the continuous backup');
};

/** Compliance mode cannot be undone: deploying it takes a statement that the team knows. */
const complianceAcknowledged: Rule = (config, report) => {
  const lock = config.recovery?.vaultLock;
  if (lock?.mode !== 'compliance' || lock.complianceAcknowledged === true) return;
  const days = isNumber(lock.changeableForDays) ? lock.changeableForDays : 'changeableForDays';
  report(
    at('vaultLock', 'complianceAcknowledged'),
    `expected true to deploy compliance mode: ${days} days after deployment the lock becomes immutable; nobody (not the account root, not AWS) can then remove it, shorten the retention, delete a recovery point before minRetentionDays, or delete the vaults while they hold one. Use "governance" to keep a way back`,
  );
};

/** The objectives must be deliverable; the arithmetic goes into the message. */
const objectivesMet: Rule = (config, report) => {
  const recovery = config.recovery;
  const engine = config.database?.engine;
  const objectives = recovery?.objectives;
  if ((engine !== 'aurora-postgresql' && engine !== 'postgres') || !objectives || !isNumber(recovery?.dataSizeGiB)) return;
  const rules = rulesOf(recovery);
  if (rules.length === 0 || !rules.every(([, rule]) => isFrequency(rule.frequency) && typeof rule.copy === 'boolean')) return;
  if (typeof recovery?.continuousBackup?.enabled !== 'boolean') return;
  const plan = planRecovery({
    engine,
    dataSizeGiB: recovery.dataSizeGiB,
    continuousBackup: recovery.continuousBackup.enabled,
    rules: rules.map(([name, rule]) => ({ name, frequency: rule.frequency as BackupFrequency, copy: rule.copy as boolean })),
    crossRegionCopy: typeof recovery.crossRegionCopy?.region === 'string',
  });
  const check = (scenario: 'inRegion' | 'regionLoss', kind: 'rpo' | 'rto', target: unknown, delivered: Delivered) => {
    if (!isNumber(target) || delivered.minutes <= target) return;
    const what = kind === 'rpo' ? 'data loss' : 'recovery time';
    if (!Number.isFinite(delivered.minutes)) {
      // Once per scenario: its RPO and RTO are both unbounded for the same reason.
      if (kind === 'rto') return;
      report(
        at('objectives', scenario),
        `expected no objective for this scenario, or a configuration that covers it: ${delivered.arithmetic}`,
      );
      return;
    }
    report(
      at('objectives', scenario, `${kind}Minutes`),
      `expected at least ${delivered.minutes}, the ${what} the configuration delivers (${delivered.arithmetic}); or change what delivers it`,
    );
  };
  check('inRegion', 'rpo', objectives.inRegion?.rpoMinutes, plan.inRegion.rpo);
  check('inRegion', 'rto', objectives.inRegion?.rtoMinutes, plan.inRegion.rto);
  check('regionLoss', 'rpo', objectives.regionLoss?.rpoMinutes, plan.regionLoss.rpo);
  check('regionLoss', 'rto', objectives.regionLoss?.rtoMinutes, plan.regionLoss.rto);
};

export const RECOVERY_RULES: readonly Rule[] = [
  productionRecoveryGuardRails,
  copyElsewhere,
  continuousMatchesDatabase,
  retentionWithinLock,
  complianceAcknowledged,
  objectivesMet,
];

export function applyRecoveryRules(value: unknown, ctx: z.RefinementCtx): void {
  for (const rule of RECOVERY_RULES) {
    rule(value as DeepPartial<AppConfig>, (path, expected) => ctx.addIssue({ code: 'custom', path: [...path], message: expected }));
  }
}

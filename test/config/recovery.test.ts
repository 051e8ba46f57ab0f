/**
 * The recovery section: the recovery model's arithmetic on its own, then the rules that refuse a configuration
 * which cannot meet its objectives or drops a production guard rail, each with the message a person reads.
 */
import * as fs from 'fs';
import * as path from 'path';
import { PROJECT_ROOT, listEnvironments, loadEnvironment } from '../../config/load';
import { planRecovery, type RecoveryInput } from '../../config/recovery';
import { FILE, problems } from '../support/problems';
import dev from '../../config/environments/dev';
import prod from '../../config/environments/prod';

const PROD_MODEL: RecoveryInput = {
  engine: 'aurora-postgresql',
  dataSizeGiB: 500,
  continuousBackup: true,
  rules: [
    { name: 'daily', frequency: 'daily', copy: true },
    { name: 'every-4-hours', frequency: 'every-4-hours', copy: true },
    { name: 'monthly', frequency: 'monthly', copy: false },
  ],
  crossRegionCopy: true,
};

describe('the recovery model', () => {
  test('in the region, continuous backup loses at most the 5 minutes of point-in-time granularity', () => {
    expect(planRecovery(PROD_MODEL).inRegion.rpo).toEqual({
      minutes: 5,
      arithmetic: '5 min (point-in-time recovery granularity)',
    });
  });

  test('without continuous backup, the most frequent rule and its backup job set the in-region RPO', () => {
    const { rpo } = planRecovery({ ...PROD_MODEL, continuousBackup: false }).inRegion;
    expect(rpo.minutes).toBe(4 * 60 + 60);
    expect(rpo.arithmetic).toBe('240 min between snapshots of rule every-4-hours + 60 min backup job = 300 min (no continuous backup)');
  });

  test('after a region loss, the most frequent copied rule plus backup job plus copy time set the RPO', () => {
    // 240 + 60 + (15 + 500 / 2) = 565 minutes.
    const { rpo } = planRecovery(PROD_MODEL).regionLoss;
    expect(rpo.minutes).toBe(565);
    expect(rpo.arithmetic).toContain('240 min between snapshots of rule every-4-hours + 60 min backup job + 265 min copy');
  });

  test('a rule that is not copied does not count for a region loss', () => {
    const rules = [
      { name: 'hourly', frequency: 'hourly' as const, copy: false },
      { name: 'daily', frequency: 'daily' as const, copy: true },
    ];
    expect(planRecovery({ ...PROD_MODEL, rules }).regionLoss.rpo.minutes).toBe(1440 + 60 + 265);
  });

  test('restore time: an Aurora restore adds the writer AWS Backup does not create', () => {
    // 20 + 500 / 10 + 15 writer + 15 cutover = 100; RDS for PostgreSQL restores an instance: 85.
    expect(planRecovery(PROD_MODEL).inRegion.rto.minutes).toBe(100);
    expect(planRecovery({ ...PROD_MODEL, engine: 'postgres' }).inRegion.rto.minutes).toBe(85);
    expect(planRecovery(PROD_MODEL).regionLoss.rto.minutes).toBe(160);
  });

  test('without a copy, a region loss is not recoverable', () => {
    const plan = planRecovery({ ...PROD_MODEL, crossRegionCopy: false });
    expect(plan.regionLoss.rpo.minutes).toBe(Infinity);
    expect(plan.regionLoss.rto.minutes).toBe(Infinity);
  });
});

describe('recovery objectives', () => {
  test('every environment file meets its objectives', () => {
    for (const env of ['dev', 'staging', 'prod']) expect(() => loadEnvironment(env)).not.toThrow();
  });

  test('fails when the in-region RPO is tighter than the snapshots deliver, showing the arithmetic', () => {
    expect(problems(dev, { recovery: { continuousBackup: { enabled: false }, objectives: { inRegion: { rpoMinutes: 60 } } } })).toEqual([
      `${FILE}: recovery.objectives.inRegion.rpoMinutes: expected at least 1500, the data loss the configuration delivers (1,440 min between snapshots of rule daily + 60 min backup job = 1,500 min (no continuous backup)); or change what delivers it, got 60`,
    ]);
  });

  test('fails when the region-loss RTO is shorter than deploying and restoring take', () => {
    expect(problems(prod, { recovery: { objectives: { regionLoss: { rtoMinutes: 90 } } } })).toEqual([
      `${FILE}: recovery.objectives.regionLoss.rtoMinutes: expected at least 160, the recovery time the configuration delivers (60 min to deploy the stacks in the copy region + 20 min restore + 500 GiB / 10 GiB per min = 50 min + 15 min Aurora writer + 15 min cutover = 160 min); or change what delivers it, got 90`,
    ]);
  });

  test('fails when a region-loss objective is stated without a copy to recover from', () => {
    expect(problems(dev, { recovery: { objectives: { regionLoss: { rpoMinutes: 600, rtoMinutes: 600 } } } })).toEqual([
      `${FILE}: recovery.objectives.regionLoss: expected no objective for this scenario, or a configuration that covers it: no cross-region copy (recovery.crossRegionCopy.region), got {"rpoMinutes":600,"rtoMinutes":600}`,
    ]);
  });
});

describe('production guard rails', () => {
  test('fail when production drops the copy, the lock, restore tests, continuous backup and long retention, all at once', () => {
    const lines = problems(prod, {
      recovery: {
        objectives: { regionLoss: null },
        crossRegionCopy: { region: null, retentionDays: 14 },
        vaultLock: { mode: 'none' },
        restoreTesting: { enabled: false },
        continuousBackup: { enabled: false },
        rules: { daily: { retentionDays: 14 }, monthly: null },
      },
    });
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringContaining('recovery.crossRegionCopy.region: expected a region for the copy vault in a production environment'),
        expect.stringContaining('recovery.vaultLock.mode: expected "governance" or "compliance" in a production environment'),
        expect.stringContaining('recovery.restoreTesting.enabled: expected true in a production environment'),
        expect.stringContaining('recovery.continuousBackup.enabled: expected true in a production environment'),
        expect.stringContaining(
          'recovery.rules: expected a rule that keeps snapshots at least 35 days in a production environment (the longest is 14)',
        ),
        expect.stringContaining('recovery.crossRegionCopy.retentionDays: expected at least 35 in a production environment'),
      ]),
    );
  });

  test('fails when the copy region is the environment region', () => {
    expect(problems(prod, { recovery: { crossRegionCopy: { region: 'eu-west-1' } } })).toEqual([
      `${FILE}: recovery.crossRegionCopy.region: expected a region other than the environment's own (eu-west-1): a copy in the same region shares its outages, got "eu-west-1"`,
    ]);
  });

  test('fails when the cross-account vault is in the environment account', () => {
    expect(problems(prod, { recovery: { crossAccountVaultArn: 'arn:aws:backup:eu-west-1:333333333333:backup-vault:mine' } })).toEqual([
      `${FILE}: recovery.crossAccountVaultArn: expected a vault in an account other than the environment's own (333333333333), got "arn:aws:backup:eu-west-1:333333333333:backup-vault:mine"`,
    ]);
  });
});

describe('vault lock', () => {
  test('compliance mode asks for an acknowledgement that says it cannot be undone', () => {
    expect(problems(prod, { recovery: { vaultLock: { mode: 'compliance' } } })).toEqual([
      `${FILE}: recovery.vaultLock.complianceAcknowledged: expected true to deploy compliance mode: 3 days after deployment the lock becomes immutable; nobody (not the account root, not AWS) can then remove it, shorten the retention, delete a recovery point before minRetentionDays, or delete the vaults while they hold one. Use "governance" to keep a way back, got false (inherited from config/defaults.ts)`,
    ]);
    expect(problems(prod, { recovery: { vaultLock: { mode: 'compliance', complianceAcknowledged: true } } })).toEqual([]);
  });

  test("compliance mode keeps the AWS minimum of 3 days to change one's mind", () => {
    expect(problems(prod, { recovery: { vaultLock: { changeableForDays: 1 } } })).toEqual([
      `${FILE}: recovery.vaultLock.changeableForDays: expected an integer >= 3, got 1`,
    ]);
  });

  test('fails when a rule or the copy keeps recovery points shorter or longer than the lock allows', () => {
    expect(problems(prod, { recovery: { vaultLock: { minRetentionDays: 10, maxRetentionDays: 300 } } })).toEqual([
      `${FILE}: recovery.rules.every-4-hours.retentionDays: expected at least vaultLock.minRetentionDays (10): the locked vault fails every backup job with a shorter retention, got 7`,
      `${FILE}: recovery.rules.monthly.retentionDays: expected at most vaultLock.maxRetentionDays (300): the locked vault fails every backup job with a longer retention, got 365`,
    ]);
  });
});

test('continuous backup retention must equal the database retention AWS Backup takes over', () => {
  expect(problems(prod, { recovery: { continuousBackup: { retentionDays: 21 } } })).toEqual([
    `${FILE}: recovery.continuousBackup.retentionDays: expected 14, database.backup.retentionDays: AWS Backup sets the database's automated backup retention to this figure, and CloudFormation would set it back, got 21`,
  ]);
});

describe('docs/recovery.md', () => {
  const doc = fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'recovery.md'), 'utf8');
  const shown = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '-' : String(x));

  test.each(listEnvironments())('states the objectives and what the model delivers for %s', (env) => {
    const config = loadEnvironment(env);
    const r = config.recovery;
    const plan = planRecovery({
      engine: config.database.engine,
      dataSizeGiB: r.dataSizeGiB,
      continuousBackup: r.continuousBackup.enabled,
      rules: Object.entries(r.rules).map(([name, rule]) => ({ name, frequency: rule.frequency, copy: rule.copy })),
      crossRegionCopy: r.crossRegionCopy.region !== undefined,
    });
    const cells = [
      `${r.objectives.inRegion.rpoMinutes} / ${plan.inRegion.rpo.minutes}`,
      `${r.objectives.inRegion.rtoMinutes} / ${plan.inRegion.rto.minutes}`,
      `${shown(r.objectives.regionLoss?.rpoMinutes)} / ${shown(plan.regionLoss.rpo.minutes)}`,
      `${shown(r.objectives.regionLoss?.rtoMinutes)} / ${shown(plan.regionLoss.rto.minutes)}`,
    ];
    expect(doc).toMatch(new RegExp(`\\| ${env} +\\| ${cells.map((c) => c.replace(/[/-]/g, '\\$&')).join(' +\\| ')} +\\|`));
  });

  test.each(['critical', 'hot'])('states the snapshot retention of the %s tier in every environment', (tier) => {
    const days = ['dev', 'staging', 'prod'].map((env) => loadEnvironment(env).cache.tiers[tier].snapshotRetentionDays);
    expect(doc).toMatch(new RegExp(`\\| \`${tier}\` +\\| \`[a-z-]+\` +\\| ${days.join(' +\\| ')} +\\|`));
  });
});

/**
 * Rules that span fields or sections. They run even when other fields are invalid, so that every problem
 * is reported at once; each rule therefore reads the configuration defensively, as a `DeepPartial`.
 */
import type { z } from 'zod';
import type { DeepPartial } from '../types';
import { DATABASE_RULES } from './database-rules';
import type { AppConfig } from './index';
import { ROLLOUT_RULES } from './rollout-rules';
import { SERVICE_RULES } from './service-rules';

export type Path = readonly (string | number)[];
export type Report = (path: Path, expected: string) => void;
export type Rule = (config: DeepPartial<AppConfig>, report: Report) => void;

/** Production guard rails: a production environment cannot switch off what protects its data. */
const productionGuardRails: Rule = (config, report) => {
  if (config.environment?.production !== true) return;
  const db = config.database;
  if (db?.multiAz === false) report(['database', 'multiAz'], 'expected true in a production environment');
  if (db?.deletionProtection === false) report(['database', 'deletionProtection'], 'expected true in a production environment');
  if (db?.storageEncrypted === false) report(['database', 'storageEncrypted'], 'expected true in a production environment');
  if (db?.removalPolicy === 'destroy') {
    report(['database', 'removalPolicy'], 'expected "snapshot" or "retain" in a production environment');
  }
  const retention = db?.backup?.retentionDays;
  if (typeof retention === 'number' && retention < 7) {
    report(['database', 'backup', 'retentionDays'], 'expected at least 7 days of backups in a production environment');
  }
  const azs = config.environment?.availabilityZones;
  const nat = config.network?.natGateways;
  if (Array.isArray(azs) && typeof nat === 'number' && nat !== azs.length) {
    report(['network', 'natGateways'], `expected one NAT gateway per availability zone (${azs.length}) in a production environment`);
  }
};

const zonesInRegion: Rule = (config, report) => {
  const region = config.environment?.region;
  const azs = config.environment?.availabilityZones;
  if (typeof region !== 'string' || !Array.isArray(azs)) return;
  azs.forEach((az, i) => {
    if (typeof az === 'string' && !(az.startsWith(region) && az.length === region.length + 1)) {
      report(['environment', 'availabilityZones', i], `expected an availability zone of ${region}, such as ${region}a`);
    }
  });
  const seen = new Set<string>();
  azs.forEach((az, i) => {
    if (typeof az === 'string' && seen.has(az)) report(['environment', 'availabilityZones', i], 'expected each availability zone once');
    if (typeof az === 'string') seen.add(az);
  });
};

const natWithinZones: Rule = (config, report) => {
  const azs = config.environment?.availabilityZones;
  const nat = config.network?.natGateways;
  if (Array.isArray(azs) && typeof nat === 'number' && nat > azs.length) {
    report(['network', 'natGateways'], `expected at most one NAT gateway per availability zone (${azs.length})`);
  }
};

/**
 * The subnets must fit the VPC block. CDK allocates them tier by tier, zone by zone, each aligned to its own
 * size, so the check replays that allocation rather than summing sizes (alignment can waste space).
 */
export function subnetAddressesNeeded(zones: number, masks: readonly number[]): number {
  let cursor = 0;
  for (const mask of masks) {
    const size = 2 ** (32 - mask);
    for (let i = 0; i < zones; i++) cursor = Math.ceil(cursor / size) * size + size;
  }
  return cursor;
}

const subnetsFitVpc: Rule = (config, report) => {
  const cidr = config.network?.cidr;
  const masks = config.network?.subnetCidrMask;
  const azs = config.environment?.availabilityZones;
  const prefix = typeof cidr === 'string' ? Number(cidr.split('/')[1]) : NaN;
  const tiers = [masks?.public, masks?.private, masks?.isolated];
  if (!Array.isArray(azs) || Number.isNaN(prefix) || !tiers.every((m) => typeof m === 'number')) return;
  const needed = subnetAddressesNeeded(azs.length, tiers as number[]);
  const available = 2 ** (32 - prefix);
  if (needed > available) {
    report(
      ['network', 'cidr'],
      `expected a block large enough for the subnets: ${azs.length} zones x (/${tiers.join(' + /')}) need ${needed.toLocaleString('en-US')} addresses, a /${prefix} has ${available.toLocaleString('en-US')}`,
    );
  }
};

const backupsForAurora: Rule = (config, report) => {
  const retention = config.database?.backup?.retentionDays;
  if (config.database?.engine === 'aurora-postgresql' && retention === 0) {
    report(['database', 'backup', 'retentionDays'], 'expected at least 1 day: Aurora cannot turn automated backups off');
  }
};

const readerScalingBounds: Rule = (config, report) => {
  const scaling = config.database?.readerAutoScaling;
  const { min, max } = scaling ?? {};
  const count = config.database?.readReplicas;
  if (typeof min === 'number' && typeof max === 'number' && min > max) {
    report(['database', 'readerAutoScaling', 'min'], `expected at most readerAutoScaling.max (${max})`);
    return;
  }
  if (typeof count === 'number' && typeof min === 'number' && count < min) {
    report(['database', 'readReplicas'], `expected at least readerAutoScaling.min (${min})`);
  }
  if (typeof count === 'number' && typeof max === 'number' && count > max) {
    report(['database', 'readReplicas'], `expected at most readerAutoScaling.max (${max})`);
  }
};

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const WEEK = 7 * 24 * 60;

/** Minutes since Monday 00:00 for `ddd:hh:mm`, or since midnight for `hh:mm`. */
function minutes(time: string): number {
  const parts = time.split(':');
  const [h, m] = parts.slice(-2).map(Number);
  const day = parts.length === 3 ? DAYS.indexOf(parts[0]) : 0;
  return day * 24 * 60 + h * 60 + m;
}

/** Whether a daily window overlaps a weekly one on any day. */
export function windowsOverlap(daily: string, weekly: string): boolean {
  const [ds, de] = daily.split('-').map(minutes);
  const [ws, we] = weekly.split('-').map(minutes);
  const weeklyLength = (we - ws + WEEK) % WEEK;
  const dailyLength = (de - ds + 24 * 60) % (24 * 60);
  for (let day = 0; day < 7; day++) {
    const start = (day * 24 * 60 + ds) % WEEK;
    // Two circular intervals overlap when either starts inside the other.
    const startsInside = (a: number, b: number, length: number) => (a - b + WEEK) % WEEK < length;
    if (startsInside(start, ws, weeklyLength) || startsInside(ws, start, dailyLength)) return true;
  }
  return false;
}

/** RDS rejects a backup window that overlaps the maintenance window, at deploy time: catch it at synth. */
const backupOutsideMaintenance: Rule = (config, report) => {
  const daily = config.database?.backup?.preferredWindow;
  const weekly = config.database?.preferredMaintenanceWindow;
  const dailyOk = typeof daily === 'string' && /^\d\d:\d\d-\d\d:\d\d$/.test(daily);
  const weeklyOk = typeof weekly === 'string' && /^[a-z]{3}:\d\d:\d\d-[a-z]{3}:\d\d:\d\d$/.test(weekly);
  if (dailyOk && weeklyOk && windowsOverlap(daily, weekly)) {
    report(
      ['database', 'backup', 'preferredWindow'],
      `expected a window that does not overlap database.preferredMaintenanceWindow (${weekly})`,
    );
  }
};

/**
 * The capacity model sizes the proxy for `capacity.maxTasks` pools; the services can scale to their
 * `tasks.max`. If they can run more tasks than the model counts, the pools they open at peak were never
 * checked against the proxy: the outage the model exists to prevent.
 */
const servicesWithinCapacity: Rule = (config, report) => {
  const maxTasks = config.capacity?.maxTasks;
  const services = config.services;
  if (typeof maxTasks !== 'number' || typeof services !== 'object' || services === null) return;
  const counts = Object.entries(services).flatMap(([name, service]) => {
    const max = service?.tasks?.max;
    return typeof max === 'number' ? [[name, max] as const] : [];
  });
  const total = counts.reduce((sum, [, max]) => sum + max, 0);
  if (total > maxTasks) {
    report(
      ['capacity', 'maxTasks'],
      `expected at least ${total}, the services' tasks.max added up (${counts.map(([name, max]) => `${name} ${max}`).join(' + ')}), so that the capacity model counts every connection pool the services can open`,
    );
  }
};

export const RULES: readonly Rule[] = [
  productionGuardRails,
  zonesInRegion,
  natWithinZones,
  backupsForAurora,
  readerScalingBounds,
  backupOutsideMaintenance,
  subnetsFitVpc,
  servicesWithinCapacity,
  ...DATABASE_RULES,
  ...SERVICE_RULES,
  ...ROLLOUT_RULES,
];

/** Runs every rule against a value zod has parsed as far as it could. */
export function applyRules(value: unknown, ctx: z.RefinementCtx): void {
  const report: Report = (path, expected) => ctx.addIssue({ code: 'custom', path: [...path], message: expected });
  for (const rule of RULES) rule(value as DeepPartial<AppConfig>, report);
}

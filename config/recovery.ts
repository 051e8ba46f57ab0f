/**
 * The recovery model: what RPO and RTO a configuration can deliver, as pure arithmetic. The schema rules call it
 * to refuse objectives the configuration cannot meet (with the arithmetic in the message, like the capacity model),
 * and docs/recovery.md prints its table per environment.
 *
 * Two scenarios, because they are recovered from different copies:
 * - in region (a bad migration, a deleted database, a compromised role): from the environment's vault, which the
 *   database's own deletion does not touch. Point-in-time recovery when continuous backup is on, else the newest
 *   snapshot of the most frequent rule.
 * - region loss: from the copy vault in the other region, which holds snapshots only (a copy of a continuous
 *   recovery point is a snapshot), and only once the copy job has finished.
 *
 * Figures AWS documents are marked so; the rest are planning figures, conservative on purpose, that restore
 * testing measures for real: `npm run verify` prints the duration of the latest restore test next to the RTO.
 */
import type { DatabaseEngine } from '../lib/database/engines';
import { BACKUP_FREQUENCIES, type BackupFrequency } from './schema/recovery';

/** RDS and Aurora upload transaction logs every 5 minutes: the newest restorable time trails by up to 5 (AWS documents it). */
export const PITR_GRANULARITY_MINUTES = 5;
/** A snapshot job starts within the rule's start window and an RDS/Aurora snapshot finishes in minutes (planning). */
export const BACKUP_JOB_MINUTES = 60;
/** A cross-region copy starts when the backup job ends and moves the whole snapshot (planning: 2 GiB a minute). */
export const COPY_BASE_MINUTES = 15;
export const COPY_GIB_PER_MINUTE = 2;
/** Restoring a snapshot or a point in time into a new cluster or instance (planning: 20 min, plus 10 GiB a minute). */
export const RESTORE_BASE_MINUTES = 20;
export const RESTORE_GIB_PER_MINUTE = 10;
/** AWS Backup restores an Aurora cluster without instances (AWS documents it): a writer is then created. */
export const AURORA_WRITER_CREATE_MINUTES = 15;
/** Renaming the restored database into place and re-registering the proxy target (docs/recovery.md). */
export const CUTOVER_MINUTES = 15;
/** Deploying the environment's stacks in the copy region before the restore can start (planning). */
export const REGION_DEPLOY_MINUTES = 60;

export interface RecoveryInput {
  readonly engine: DatabaseEngine;
  readonly dataSizeGiB: number;
  readonly continuousBackup: boolean;
  /** The snapshot rules: how often, and whether each is copied to the other region. */
  readonly rules: readonly { readonly name: string; readonly frequency: BackupFrequency; readonly copy: boolean }[];
  /** Whether a cross-region copy vault exists. */
  readonly crossRegionCopy: boolean;
}

export interface Delivered {
  /** Minutes of writes that can be lost; Infinity when nothing covers the scenario. */
  readonly minutes: number;
  /** How the figure is made, for a person: `5 min (point-in-time recovery granularity)`. */
  readonly arithmetic: string;
}

export interface RecoveryPlan {
  readonly inRegion: { readonly rpo: Delivered; readonly rto: Delivered };
  readonly regionLoss: { readonly rpo: Delivered; readonly rto: Delivered };
}

const n = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 1 });

export function copyMinutes(dataSizeGiB: number): number {
  return COPY_BASE_MINUTES + Math.ceil(dataSizeGiB / COPY_GIB_PER_MINUTE);
}

export function restoreMinutes(engine: DatabaseEngine, dataSizeGiB: number): Delivered {
  const data = Math.ceil(dataSizeGiB / RESTORE_GIB_PER_MINUTE);
  const writer = engine === 'aurora-postgresql' ? AURORA_WRITER_CREATE_MINUTES : 0;
  const minutes = RESTORE_BASE_MINUTES + data + writer + CUTOVER_MINUTES;
  const writerText = writer > 0 ? ` + ${writer} min Aurora writer` : '';
  return {
    minutes,
    arithmetic: `${RESTORE_BASE_MINUTES} min restore + ${n(dataSizeGiB)} GiB / ${RESTORE_GIB_PER_MINUTE} GiB per min = ${data} min${writerText} + ${CUTOVER_MINUTES} min cutover = ${minutes} min`,
  };
}

/** What the configuration delivers in each scenario. */
export function planRecovery(input: RecoveryInput): RecoveryPlan {
  const intervals = input.rules.map((rule) => ({ ...rule, hours: BACKUP_FREQUENCIES[rule.frequency] }));
  const mostFrequent = intervals.reduce<(typeof intervals)[number] | undefined>(
    (best, r) => (!best || r.hours < best.hours ? r : best),
    undefined,
  );

  const inRegionRpo: Delivered = input.continuousBackup
    ? { minutes: PITR_GRANULARITY_MINUTES, arithmetic: `${PITR_GRANULARITY_MINUTES} min (point-in-time recovery granularity)` }
    : mostFrequent
      ? {
          minutes: mostFrequent.hours * 60 + BACKUP_JOB_MINUTES,
          arithmetic: `${n(mostFrequent.hours * 60)} min between snapshots of rule ${mostFrequent.name} + ${BACKUP_JOB_MINUTES} min backup job = ${n(mostFrequent.hours * 60 + BACKUP_JOB_MINUTES)} min (no continuous backup)`,
        }
      : { minutes: Infinity, arithmetic: 'no snapshot rule and no continuous backup' };

  const copied = intervals.filter((rule) => rule.copy);
  const mostFrequentCopy = copied.reduce<(typeof copied)[number] | undefined>(
    (best, r) => (!best || r.hours < best.hours ? r : best),
    undefined,
  );
  const copy = copyMinutes(input.dataSizeGiB);
  let regionRpo: Delivered;
  if (!input.crossRegionCopy) regionRpo = { minutes: Infinity, arithmetic: 'no cross-region copy (recovery.crossRegionCopy.region)' };
  else if (!mostFrequentCopy) regionRpo = { minutes: Infinity, arithmetic: 'no rule copies to the other region (copy: true)' };
  else {
    const minutes = mostFrequentCopy.hours * 60 + BACKUP_JOB_MINUTES + copy;
    regionRpo = {
      minutes,
      arithmetic: `${n(mostFrequentCopy.hours * 60)} min between snapshots of rule ${mostFrequentCopy.name} + ${BACKUP_JOB_MINUTES} min backup job + ${copy} min copy (${COPY_BASE_MINUTES} + ${n(input.dataSizeGiB)} GiB / ${COPY_GIB_PER_MINUTE} GiB per min) = ${n(minutes)} min`,
    };
  }

  const restore = restoreMinutes(input.engine, input.dataSizeGiB);
  const regionRto: Delivered = Number.isFinite(regionRpo.minutes)
    ? {
        minutes: REGION_DEPLOY_MINUTES + restore.minutes,
        arithmetic: `${REGION_DEPLOY_MINUTES} min to deploy the stacks in the copy region + ${restore.arithmetic.replace(/ = \d+ min$/, '')} = ${REGION_DEPLOY_MINUTES + restore.minutes} min`,
      }
    : { minutes: Infinity, arithmetic: regionRpo.arithmetic };

  return { inRegion: { rpo: inRegionRpo, rto: restore }, regionLoss: { rpo: regionRpo, rto: regionRto } };
}

/** `90 min`, `1 d 2 h`: a duration in minutes for a message. */
export function duration(minutes: number): string {
  if (!Number.isFinite(minutes)) return 'never';
  if (minutes < 120) return `${n(minutes)} min`;
  if (minutes < 48 * 60) return `${n(minutes / 60)} h`;
  return `${n(minutes / 1440)} d`;
}

/**
 * The instance classes the database layer offers, with the memory that sets PostgreSQL's default
 * `max_connections`. A small table on purpose: the classes a team would pick for this workload, each checked
 * against the engine that offers it. Add a row to offer another class.
 *
 * Memory is the class's nominal memory in GiB and vCPUs its vCPU count (from the RDS instance-class tables); RDS
 * Proxy bills per vCPU, so the cost estimate reads them here. RDS derives the default `max_connections` from
 * `DBInstanceClassMemory`, which is slightly less than nominal; the nominal figure reproduces the values AWS
 * documents for Aurora PostgreSQL (db.r6g.large: 1,802) and is used throughout.
 */
import type { DatabaseEngine } from '../database/engines';

export interface InstanceClassEntry {
  readonly memoryGiB: number;
  /** vCPUs of the class: RDS Proxy bills per vCPU of the instances it fronts (docs/cost.md). */
  readonly vcpus: number;
  readonly engines: readonly DatabaseEngine[];
}

const BOTH: readonly DatabaseEngine[] = ['aurora-postgresql', 'postgres'];
const RDS_ONLY: readonly DatabaseEngine[] = ['postgres'];

/** `serverless` (Aurora Serverless v2) is not in the table: its memory follows its maximum capacity. */
export const INSTANCE_CLASSES = {
  // Burstable: development and small staging databases. (micro and small lack Performance Insights.)
  't4g.medium': { memoryGiB: 4, vcpus: 2, engines: BOTH },
  't4g.large': { memoryGiB: 8, vcpus: 2, engines: BOTH },
  // General purpose: RDS for PostgreSQL only; Aurora offers memory-optimized and burstable classes.
  'm6g.large': { memoryGiB: 8, vcpus: 2, engines: RDS_ONLY },
  'm7g.large': { memoryGiB: 8, vcpus: 2, engines: RDS_ONLY },
  'm7g.xlarge': { memoryGiB: 16, vcpus: 4, engines: RDS_ONLY },
  'm7g.2xlarge': { memoryGiB: 32, vcpus: 8, engines: RDS_ONLY },
  // Memory-optimized: production.
  'r6g.large': { memoryGiB: 16, vcpus: 2, engines: BOTH },
  'r6g.xlarge': { memoryGiB: 32, vcpus: 4, engines: BOTH },
  'r6g.2xlarge': { memoryGiB: 64, vcpus: 8, engines: BOTH },
  'r6g.4xlarge': { memoryGiB: 128, vcpus: 16, engines: BOTH },
  'r7g.large': { memoryGiB: 16, vcpus: 2, engines: BOTH },
  'r7g.xlarge': { memoryGiB: 32, vcpus: 4, engines: BOTH },
  'r7g.2xlarge': { memoryGiB: 64, vcpus: 8, engines: BOTH },
  'r7g.4xlarge': { memoryGiB: 128, vcpus: 16, engines: BOTH },
  'r7g.8xlarge': { memoryGiB: 256, vcpus: 32, engines: BOTH },
} as const satisfies Record<string, InstanceClassEntry>;

export type ProvisionedInstanceClass = keyof typeof INSTANCE_CLASSES;
export const SERVERLESS = 'serverless';
export const INSTANCE_CLASS_NAMES = [...(Object.keys(INSTANCE_CLASSES) as ProvisionedInstanceClass[]), SERVERLESS] as const;
export type InstanceClassName = ProvisionedInstanceClass | typeof SERVERLESS;

/** Memory of one Aurora capacity unit (ACU). */
export const GIB_PER_ACU = 2;

export function instanceClassesOf(engine: DatabaseEngine): string[] {
  const provisioned = Object.entries(INSTANCE_CLASSES)
    .filter(([, c]) => (c.engines as readonly string[]).includes(engine))
    .map(([name]) => name);
  return engine === 'aurora-postgresql' ? [...provisioned, SERVERLESS] : provisioned;
}

/**
 * The PostgreSQL engine versions and parameter group families the database layer accepts. The version table
 * is derived from the engine-version classes of aws-cdk-lib (`AuroraPostgresEngineVersion`,
 * `PostgresEngineVersion`), so it grows when aws-cdk-lib is upgraded and never names a version the
 * library cannot deploy.
 */
import * as rds from 'aws-cdk-lib/aws-rds';

/** The engines the database layer offers: an Aurora cluster, or an RDS for PostgreSQL instance with read replicas. */
export const DATABASE_ENGINES = ['aurora-postgresql', 'postgres'] as const;
export type DatabaseEngine = (typeof DATABASE_ENGINES)[number];

/**
 * Major versions whose parameter group this app writes (slow-query logging, `pg_stat_statements`,
 * `rds.force_ssl`) and that RDS Proxy supports for both engines. 13 and older are past standard support;
 * a new major goes here once its parameters and RDS Proxy support have been checked.
 */
export const SUPPORTED_MAJOR_VERSIONS = [14, 15, 16, 17] as const;

export interface EngineVersionEntry {
  /** `17.7` */
  readonly version: string;
  readonly major: number;
  /** The parameter group family, `aurora-postgresql17` or `postgres17`. */
  readonly family: string;
}

function entries<T>(cls: object, full: (v: T) => string, major: (v: T) => string, familyPrefix: string): EngineVersionEntry[] {
  return Object.entries(cls)
    .filter(([key]) => key.startsWith('VER_'))
    .map(([, v]) => v as T)
    .filter((v) => /^\d+(\.\d+)?$/.test(full(v))) // leaves out `16.4-limitless` (Aurora Limitless is another product)
    .map((v) => ({ version: full(v), major: Number(major(v).split('.')[0]), family: `${familyPrefix}${major(v)}` }));
}

/** Every version aws-cdk-lib knows, per engine. */
export const ENGINE_VERSIONS: Record<DatabaseEngine, readonly EngineVersionEntry[]> = {
  'aurora-postgresql': entries<rds.AuroraPostgresEngineVersion>(
    rds.AuroraPostgresEngineVersion,
    (v) => v.auroraPostgresFullVersion,
    (v) => v.auroraPostgresMajorVersion,
    'aurora-postgresql',
  ),
  postgres: entries<rds.PostgresEngineVersion>(
    rds.PostgresEngineVersion,
    (v) => v.postgresFullVersion,
    (v) => v.postgresMajorVersion,
    'postgres',
  ),
};

export function engineVersionEntry(engine: DatabaseEngine, version: string): EngineVersionEntry | undefined {
  return ENGINE_VERSIONS[engine].find((e) => e.version === version);
}

/**
 * The major versions aws-cdk-lib knows for the engine: what `database.engineVersion` states. Minor versions
 * are AWS's to apply (automatic minor version upgrades), so config never pins one (docs/database.md).
 */
export function engineMajorEntry(engine: DatabaseEngine, major: string): EngineVersionEntry | undefined {
  if (!/^\d+$/.test(major)) return undefined;
  const known = ENGINE_VERSIONS[engine].find((e) => e.major === Number(major));
  return known && { version: major, major: known.major, family: known.family };
}

/** The parameter group families this app configures, per engine. */
export function supportedFamilies(engine: DatabaseEngine): string[] {
  const prefix = engine === 'aurora-postgresql' ? 'aurora-postgresql' : 'postgres';
  return SUPPORTED_MAJOR_VERSIONS.map((m) => `${prefix}${m}`);
}

/** The supported majors aws-cdk-lib knows for the engine, newest first, for error messages. */
export function exampleMajors(engine: DatabaseEngine): string[] {
  const majors = new Set(ENGINE_VERSIONS[engine].map((e) => e.major));
  return SUPPORTED_MAJOR_VERSIONS.filter((m) => majors.has(m))
    .map(String)
    .reverse();
}

/**
 * The CDK engine of a validated major version. The template's `EngineVersion` is the major alone (`17`):
 * RDS creates the database on that major's default minor, automatic minor version upgrades move it on, and
 * the template never names a minor that a later deploy could ask RDS to go back to.
 */
export function clusterEngine(major: string): rds.IClusterEngine {
  return rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.of(major, major) });
}

export function instanceEngine(major: string): rds.IInstanceEngine {
  return rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.of(major, major) });
}

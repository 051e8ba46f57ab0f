/**
 * The physical names of an environment's database, from its identifier prefix (lib/names.ts): one scheme for the
 * Data stack that creates them and for what names them by ARN without a reference (the fault-injection experiments).
 */

export interface DatabaseIdentifiers {
  /** The Aurora cluster (`scaledapp-prod`). */
  readonly cluster: string;
  /** The writer instance: Aurora's writer, or the `postgres` primary (`scaledapp-prod-writer`). */
  readonly writer: string;
  /** The readers this template deploys, in order (`scaledapp-prod-reader-1`, …). */
  readonly readers: readonly string[];
  /** The RDS Proxy (`scaledapp-prod-proxy`). */
  readonly proxy: string;
  /** The proxy's read-only endpoint over the Aurora readers (`scaledapp-prod-readers`). */
  readonly readOnlyEndpoint: string;
  /** The private zone over the `postgres` read replicas (`database.scaledapp-prod.internal`). */
  readonly readerZone: string;
}

/** The names of a database with `readers` readers, under `prefix` (lowercase: RDS stores identifiers so). */
export function databaseIdentifiers(prefix: string, readers: number): DatabaseIdentifiers {
  return {
    cluster: prefix,
    writer: `${prefix}-writer`,
    readers: Array.from({ length: readers }, (_, i) => `${prefix}-reader-${i + 1}`),
    proxy: `${prefix}-proxy`,
    readOnlyEndpoint: `${prefix}-readers`,
    readerZone: `database.${prefix}.internal`,
  };
}

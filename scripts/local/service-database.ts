/**
 * A primary PostgreSQL set up for the reference service as the stack sets up RDS: the service's writer and
 * reader users made by the stack's identity SQL (run as the master role, as the custom resource runs it), with
 * passwords standing in for IAM tokens, and a pg_hba line that lets a replica (replica.ts) copy it.
 */
import { identitySql } from '../../lib/database/identity-sql';
import { type Login, type PostgresServer, startPostgres } from './postgres';
import { REPLICATION_HBA } from './replica';
import type { Certificates } from './tls';

export interface ServiceDatabaseOptions {
  readonly certificates: Certificates;
  /** The writer user (its schema has its name) and the read-only user, with the passwords they log in with. */
  readonly writer: Login;
  readonly reader: Login;
  /** Extra postgresql.conf settings. @default {} */
  readonly settings?: Readonly<Record<string, string>>;
}

export async function startServiceDatabase(options: ServiceDatabaseOptions): Promise<PostgresServer> {
  const { writer, reader } = options;
  const primary = await startPostgres({ certificates: options.certificates, hba: [REPLICATION_HBA], settings: options.settings });
  try {
    await primary.run(
      primary.master,
      identitySql(
        [
          { user: writer.user, access: 'read-write', schema: writer.user },
          { user: reader.user, access: 'read-only', schema: writer.user },
        ],
        { databaseName: primary.databaseName },
      ),
    );
    // The stand-in for IAM: passwords the caller knows (quoted as SQL literals).
    const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;
    await primary.run(primary.master, [
      `ALTER ROLE ${writer.user} PASSWORD ${literal(writer.password)}`,
      `ALTER ROLE ${reader.user} PASSWORD ${literal(reader.password)}`,
    ]);
    return primary;
  } catch (error) {
    await primary.dispose();
    throw error;
  }
}

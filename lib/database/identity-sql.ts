/**
 * The SQL that gives each service its own database identity: one source, run by the stack's custom resource
 * at deploy time and by the integration tests against a real PostgreSQL (so what the tests prove is what AWS runs).
 *
 * Every statement is idempotent: the custom resource runs the whole list on create and on every update, and
 * nothing here drops a role or revokes what another statement of the list grants. Roles are never dropped on
 * delete (a retained database keeps its users).
 *
 * Per service, two login roles:
 * - the writer user (`<service>`), which may use and create in the service's own schema, so that its
 *   migrations can create tables (which it then owns);
 * - the reader user (`<service>_reader`), read-only on that schema: what a connection to the reader endpoint
 *   logs in as, so a read routed to the writer (an environment without readers) still cannot write.
 *
 * Both are granted `rds_iam`, so that RDS accepts only IAM authentication tokens for them, never a password.
 *
 * Why the master user never becomes a member of a service role (no `CREATE SCHEMA ... AUTHORIZATION svc`, no
 * `ALTER DEFAULT PRIVILEGES FOR ROLE svc`): on RDS the master user is not a superuser, so both would need it to
 * be a member of the service role, and the service role is a member of `rds_iam`. RDS requires an IAM token of
 * every member of `rds_iam`, so the master password, which the proxy and secret rotation use, would stop
 * working. The schema therefore belongs to the master user, and what only the tables' owner may grant
 * (the reader's SELECT on tables the writer creates) is `schemaOwnerSql`, which the service's migrations run
 * as the writer user.
 */

/** What one database user may do. */
export type DatabaseAccess = 'read-write' | 'read-only';

export interface DatabaseIdentity {
  /** The PostgreSQL role name: lower-case letters, digits and `_`, starting with a letter (at most 63 characters). */
  readonly user: string;
  readonly access: DatabaseAccess;
  /** The schema the user works in: a `read-write` user may create tables in it, a `read-only` user may only read them. */
  readonly schema: string;
}

export interface IdentitySqlOptions {
  /** The application database the users connect to. */
  readonly databaseName: string;
  /**
   * The role that makes RDS require an IAM token for a login. Tests against a plain PostgreSQL create a
   * stand-in role with this name first (see `RDS_IAM_STANDIN_SQL`).
   * @default 'rds_iam'
   */
  readonly iamRole?: string;
}

const IDENTIFIER = /^[a-z][a-z0-9_]{0,62}$/;

/** A PostgreSQL identifier, validated and quoted; names come from config, but never trust a string into SQL. */
export function quoteIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new Error(
      `database identifier: expected lower-case letters, digits and _ starting with a letter (at most 63), got ${JSON.stringify(name)}`,
    );
  }
  return `"${name}"`;
}

/** On a plain PostgreSQL (tests, the local workload), a stand-in for the `rds_iam` role that RDS provides. */
export const RDS_IAM_STANDIN_SQL = `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rds_iam') THEN CREATE ROLE rds_iam NOLOGIN; END IF; END $$`;

/** The statements, in order, that create or bring up to date every identity in `identities`; run as the master user. */
export function identitySql(identities: readonly DatabaseIdentity[], options: IdentitySqlOptions): string[] {
  const db = quoteIdentifier(options.databaseName);
  const iamRole = quoteIdentifier(options.iamRole ?? 'rds_iam');
  const statements: string[] = [
    // Nobody reaches the database, or creates objects in `public`, unless granted below.
    `REVOKE ALL ON DATABASE ${db} FROM PUBLIC`,
    `REVOKE CREATE ON SCHEMA public FROM PUBLIC`,
  ];
  for (const identity of identities) {
    const user = quoteIdentifier(identity.user);
    const schema = quoteIdentifier(identity.schema);
    statements.push(
      `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${identity.user}') THEN CREATE ROLE ${user} LOGIN; END IF; END $$`,
      // A service role never administers anything, whatever an earlier run or a person did by hand. Not
      // NOSUPERUSER or NOREPLICATION: naming those attributes at all needs a superuser, which the master user is
      // not (PostgreSQL refuses the whole statement), and on RDS nobody holds them to give.
      `ALTER ROLE ${user} WITH LOGIN NOCREATEDB NOCREATEROLE`,
      `GRANT ${iamRole} TO ${user}`,
      `GRANT CONNECT ON DATABASE ${db} TO ${user}`,
      `CREATE SCHEMA IF NOT EXISTS ${schema}`,
      `ALTER ROLE ${user} SET search_path = ${schema}`,
    );
    if (identity.access === 'read-write') {
      statements.push(`GRANT USAGE, CREATE ON SCHEMA ${schema} TO ${user}`);
    } else {
      statements.push(
        `GRANT USAGE ON SCHEMA ${schema} TO ${user}`,
        // Belt and braces: even on the writer, a reader session starts read-only.
        `ALTER ROLE ${user} SET default_transaction_read_only = on`,
      );
    }
  }
  return statements;
}

/**
 * Run as the writer user of `schema` (its migrations run them first): lets `reader` read every table the
 * writer has created and will create there. Only a table's owner may grant on it; see the module comment.
 */
export function schemaOwnerSql(schema: string, reader: string): string[] {
  const s = quoteIdentifier(schema);
  const r = quoteIdentifier(reader);
  return [
    `GRANT SELECT ON ALL TABLES IN SCHEMA ${s} TO ${r}`,
    `GRANT SELECT ON ALL SEQUENCES IN SCHEMA ${s} TO ${r}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT SELECT ON TABLES TO ${r}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT SELECT ON SEQUENCES TO ${r}`,
  ];
}

/**
 * The master user the database is created with: the bootstrap custom resource and secret rotation log in as
 * it, never a service. No service's user may take this name.
 */
export const MASTER_USERNAME = 'postgres_admin';

/** What a service may do in the database, as config says it (`services.<name>.database.access`). */
export type ServiceDatabaseAccess = DatabaseAccess | 'none';

/** The database users of one service: `api` → writer `api`, reader `api_reader` (`-` becomes `_`). */
export function serviceDatabaseUsers(service: string): { readonly writer: string; readonly reader: string } {
  const writer = service.replace(/-/g, '_');
  return { writer, reader: `${writer}_reader` };
}

/**
 * The identities the stack creates for a service: a `read-write` service gets its writer user (read-write on
 * its schema) and its reader user (read-only), a `read-only` service its reader user only, `none` nothing.
 * The schema defaults to the writer user's name.
 */
export function serviceIdentities(service: string, access: ServiceDatabaseAccess, schema?: string): DatabaseIdentity[] {
  if (access === 'none') return [];
  const users = serviceDatabaseUsers(service);
  const inSchema = schema ?? users.writer;
  const reader: DatabaseIdentity = { user: users.reader, access: 'read-only', schema: inSchema };
  return access === 'read-write' ? [{ user: users.writer, access: 'read-write', schema: inSchema }, reader] : [reader];
}

/**
 * The schema migrations, as a one-off task: `node dist/migrate.js` with the service's environment, meant to run
 * before a deployment shifts traffic. The stack runs it that way for every service with `read-write` database
 * access (lib/constructs/schema-migration.ts, docs/workload.md#migrations); the local workload and the
 * integration tests run it the same way against the harness's servers.
 *
 * - The tool is node-pg-migrate: migrations are the SQL files in `migrations/`, applied in order, each once,
 *   recorded in the `pgmigrations` table of the service's schema, under an advisory lock, so two tasks started
 *   at once do not both apply a migration.
 * - It logs in as the service's **writer** user (IAM token or, locally, password; verified TLS), so the tables
 *   belong to that user; the master user is never used.
 * - Then, as the tables' owner, it grants the reader user SELECT on them and on what later migrations create:
 *   what only the owner may grant (lib/database/identity-sql.ts `schemaOwnerSql`, which a test keeps equal).
 * - Migrations must be backward compatible with the running version (expand, then contract in a later
 *   release): the old tasks keep serving while this runs and until the new ones take the traffic.
 *
 * Exit code 0 when the schema is current, 1 with the reason otherwise.
 */
import * as path from 'node:path';
import type { Client } from 'pg';
import { createDatabase } from './database';
import { settingsFromEnv } from './settings';

/** The SQL the writer runs after the migrations; identical to identity-sql.ts's `schemaOwnerSql(schema, reader)`. */
export function readerGrantSql(schema: string, reader: string): string[] {
  for (const name of [schema, reader]) {
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(name))
      throw new Error(`database identifier: expected lower-case letters, digits and _, got ${JSON.stringify(name)}`);
  }
  const s = `"${schema}"`;
  const r = `"${reader}"`;
  return [
    `GRANT SELECT ON ALL TABLES IN SCHEMA ${s} TO ${r}`,
    `GRANT SELECT ON ALL SEQUENCES IN SCHEMA ${s} TO ${r}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT SELECT ON TABLES TO ${r}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT SELECT ON SEQUENCES TO ${r}`,
  ];
}

/** node-pg-migrate is ESM-only: a real dynamic import, which tsc's CommonJS output would otherwise turn into require. */
const importModule = new Function('m', 'return import(m)') as (m: string) => Promise<unknown>;

interface Runner {
  runner(options: Record<string, unknown>): Promise<{ name: string }[]>;
}

export async function migrate(env: NodeJS.ProcessEnv, log: (message: string) => void): Promise<string[]> {
  const settings = settingsFromEnv(env);
  if (!settings.database) throw new Error('DATABASE_WRITER_ENDPOINT: required for migrations, got nothing');
  const db = settings.database;
  // createDatabase builds the writer's connection settings (IAM token or password, verified TLS); one client is enough.
  const pools = createDatabase({ ...db, poolSize: 1 }, { applicationName: `${settings.serviceName}-migrate` });
  const client = await pools.writer.connect();
  try {
    const { rows } = await client.query<{ schema: string }>('SELECT current_schema() AS schema');
    const schema = rows[0].schema;
    const { runner } = (await importModule('node-pg-migrate')) as Runner;
    const applied = await runner({
      dbClient: client as unknown as Client,
      dir: env.MIGRATIONS_DIR || path.join(__dirname, '..', 'migrations'),
      direction: 'up',
      migrationsTable: 'pgmigrations',
      schema,
      checkOrder: true,
      logger: { debug: () => undefined, info: log, warn: log, error: log },
    });
    for (const statement of readerGrantSql(schema, db.readerUser)) await client.query(statement);
    return applied.map((m) => m.name);
  } finally {
    client.release();
    await pools.end();
  }
}

if (require.main === module) {
  const log = (message: string) =>
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), task: 'migrate', message })}\n`);
  migrate(process.env, log).then(
    (applied) => {
      log(applied.length ? `applied ${applied.join(', ')}` : 'schema already current');
      process.exit(0);
    },
    (error: unknown) => {
      log(`migration failed: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}

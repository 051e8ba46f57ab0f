/**
 * Real servers for the integration tests and the local workload (contract 4 of the project's brief):
 * each module starts one kind of server on 127.0.0.1 and a free port, in its own temporary directory, with
 * TLS from a throwaway certificate authority, and stops it. How they are used: docs/testing.md.
 *
 * - postgres.ts: PostgreSQL (a primary), with an RDS-like non-superuser master role and `rds_iam`;
 * - redis.ts: redis-server, TLS only, with a password and a tier's memory policy;
 * - replica.ts: a streaming replica of a primary (pg_basebackup -R), with an optional apply delay;
 * - pgbouncer.ts: PgBouncer in transaction mode, TLS on both sides (the stand-in for RDS Proxy);
 * - service-database.ts: a primary with the reference service's users, made by the stack's identity SQL;
 * - tls.ts: the certificate authority and server certificates; ports.ts: free ports.
 */
import { pgbouncerBinary } from './pgbouncer';
import { postgresBinDir } from './postgres';
import { redisBinary } from './redis';

export * from './pgbouncer';
export * from './ports';
export * from './postgres';
export * from './redis';
export * from './replica';
export * from './service-database';
export * from './tls';

/** The servers whose binaries are not installed (`.ci/run` installs them), by package name. */
export function missingServers(): string[] {
  return [
    ...(postgresBinDir() ? [] : ['postgresql']),
    ...(redisBinary() ? [] : ['redis-server']),
    ...(pgbouncerBinary() ? [] : ['pgbouncer']),
  ];
}

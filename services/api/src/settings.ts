/**
 * What the service reads from its environment. The stack sets these (see lib/constructs/web-service.ts);
 * secrets arrive as environment variables too, but ECS injects them from Secrets Manager at start, so they
 * never appear in the task definition. Values of secrets are never logged or returned.
 */

export interface DatabaseTarget {
  /** The RDS Proxy writer endpoint: the readiness check connects here. */
  readonly host: string;
  readonly port: number;
  /** Set when DATABASE_SECRET is present but unusable; the readiness check reports it. */
  readonly secretProblem?: string;
}

export interface CacheTarget {
  /** Tier name, from CACHE_<TIER>_PRIMARY_ENDPOINT: `critical`, `hot`, ... */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly authToken?: string;
  /** ElastiCache requires TLS with an AUTH token; CACHE_<TIER>_TLS=false turns it off for local runs. */
  readonly tls: boolean;
}

export interface Settings {
  readonly serviceName: string;
  readonly port: number;
  /** Longer than the load balancer's idle timeout, so the load balancer, not the service, closes idle connections. */
  readonly keepAliveTimeoutMs: number;
  /** Deadline of each dependency check of /health/ready. */
  readonly readyTimeoutMs: number;
  readonly database?: DatabaseTarget;
  readonly caches: readonly CacheTarget[];
}

type Env = Readonly<Record<string, string | undefined>>;

function integer(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name}: expected a non-negative integer, got ${JSON.stringify(raw)}`);
  return n;
}

function databaseSecretProblem(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  try {
    const parsed = JSON.parse(raw) as unknown;
    const ok = typeof parsed === 'object' && parsed !== null && 'username' in parsed && 'password' in parsed;
    return ok ? undefined : 'DATABASE_SECRET: expected JSON with username and password';
  } catch {
    return 'DATABASE_SECRET: expected JSON with username and password, got text that is not JSON';
  }
}

const CACHE_ENDPOINT = /^CACHE_([A-Z0-9_]+?)_PRIMARY_ENDPOINT$/;

/** Reads the settings; throws on a value that cannot be used, naming the variable. */
export function settingsFromEnv(env: Env): Settings {
  const writer = env.DATABASE_WRITER_ENDPOINT;
  const database: DatabaseTarget | undefined = writer
    ? { host: writer, port: integer(env, 'DATABASE_PORT', 5432), secretProblem: databaseSecretProblem(env.DATABASE_SECRET) }
    : undefined;

  // Tiers are discovered, not listed: a tier added to the data stack reaches the check without a code change.
  const caches: CacheTarget[] = [];
  for (const key of Object.keys(env).sort()) {
    const match = CACHE_ENDPOINT.exec(key);
    const host = env[key];
    if (!match || !host) continue;
    const tier = match[1];
    caches.push({
      name: tier.toLowerCase().replace(/_/g, '-'),
      host,
      port: integer(env, `CACHE_${tier}_PORT`, 6379),
      authToken: env[`CACHE_${tier}_AUTH_TOKEN`] || undefined,
      tls: env[`CACHE_${tier}_TLS`] !== 'false',
    });
  }

  return {
    serviceName: env.SERVICE_NAME || 'api',
    port: integer(env, 'PORT', 8080),
    keepAliveTimeoutMs: integer(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 65_000),
    readyTimeoutMs: integer(env, 'READY_TIMEOUT_MS', 2_000),
    database,
    caches,
  };
}

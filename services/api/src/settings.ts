/**
 * What the service reads from its environment. The stack sets these (lib/constructs/web-service.ts); the
 * cache AUTH tokens arrive as environment variables too, but ECS injects them from Secrets Manager at start,
 * so they never appear in the task definition. Values of secrets are never logged or returned.
 *
 * The database is reached with an IAM authentication token, never a password: the service holds no database
 * secret at all. `DATABASE_AUTH=password` (with `DATABASE_PASSWORD`, and `DATABASE_READER_PASSWORD` when the
 * reader user's differs) exists for what cannot sign tokens (the integration tests and the
 * local workload, against a plain PostgreSQL), and is refused on AWS (see `passwordAuthProblem`).
 */

/** How the service proves who it is to the database. */
export type DatabaseAuth =
  /** A token signed with the task role's credentials for each new connection (cached, see iam-token.ts). */
  | { readonly kind: 'iam'; readonly region: string }
  /** Local tests and the workload only: a plain PostgreSQL has no IAM. The reader's defaults to the writer's. */
  | { readonly kind: 'password'; readonly password: string; readonly readerPassword: string };

export interface DatabaseSettings {
  /** The RDS Proxy endpoint: writes, and reads that must see the latest commit. */
  readonly writerEndpoint: string;
  /** Read-only endpoint (the proxy's reader endpoint, or the readers' name); the writer when there is none. */
  readonly readerEndpoint: string;
  /**
   * What `readerEndpoint` is. `endpoint` (the default): a name the database's certificate carries (the proxy's
   * reader endpoint on Aurora). `cname`: a DNS alias over instance endpoints (the `postgres` engine's weighted
   * `readers.database.<app>-<env>.internal`), which no RDS certificate names: each new connection resolves it and
   * connects to, verifies and signs its token for the instance endpoint it names (`DATABASE_READER_ENDPOINT_TYPE`).
   */
  readonly readerEndpointType: 'endpoint' | 'cname';
  readonly port: number;
  /**
   * Port of the reader endpoint (DATABASE_READER_PORT); the writer's on AWS, where both endpoints share one.
   * The local workload's replica listens on another port of the same address.
   */
  readonly readerPort: number;
  readonly databaseName: string;
  /** The service's own writer user (`api`), never the master user. */
  readonly user: string;
  /** The service's read-only user (`api_reader`): what connections to the reader endpoint log in as. */
  readonly readerUser: string;
  readonly auth: DatabaseAuth;
  /** PEM file of the certificate authorities that sign the database's and the proxy's certificates. */
  readonly caFile: string;
  /** Connections per pool and task: the capacity model's per-task share of the proxy's client connections. */
  readonly poolSize: number;
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
  /** Absent when the environment names no database (DATABASE_WRITER_ENDPOINT unset). */
  readonly database?: DatabaseSettings;
  readonly caches: readonly CacheTarget[];
  /** The feed and session routes (feed.ts); served when the database and both tiers are configured. */
  readonly app: AppSettings;
}

/** What the feed and session routes need beyond the connections (feed.ts explains each pattern). */
export interface AppSettings {
  /** The evicting tier that caches feeds (`allkeys-lru`). */
  readonly cacheTier: string;
  /** The `noeviction` tier that keeps sessions and read-your-writes windows. */
  readonly sessionTier: string;
  readonly feedTtlMs: number;
  /** How long a feed read without the lock and without a stale entry waits for the loader: above a load's time. */
  readonly feedLockWaitMs: number;
  /** Above the replica lag the replica-lag alarm tolerates. */
  readonly readYourWritesMs: number;
  /** How long a session lives in the `noeviction` tier. */
  readonly sessionTtlMs: number;
  /** Deadline of one database or cache attempt of a request. */
  readonly dependencyDeadlineMs: number;
  /** Interval of the breaker-state metric line (EMF); 0 turns it off. */
  readonly metricsIntervalMs: number;
  /** Simulated business logic of `/summary/:author`: the local workload sets it, a real service has its own. */
  readonly businessLogicMs: number;
  /** The workload's "without" runs only: hold the connection across business logic, no stampede protection. */
  readonly holdAcrossBusinessLogic: boolean;
  readonly stampedeProtection: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Collects every problem of the environment, so one failed start names them all. */
class Problems {
  readonly list: string[] = [];

  integer(env: Env, name: string, fallback: number, min = 0): number {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) {
      this.list.push(`${name}: expected an integer >= ${min}, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return n;
  }

  required(env: Env, name: string, why: string): string {
    const value = env[name];
    if (!value) this.list.push(`${name}: required ${why}, got nothing`);
    return value ?? '';
  }
}

/**
 * Variables that only the AWS runtimes set (ECS on Fargate or EC2, Lambda). A password login is meant for a
 * plain PostgreSQL on a developer's or CI's machine; on AWS the proxy requires IAM authentication, so a
 * password would fail at the first connection. Refusing at start says why, instead of a login error later,
 * and keeps anyone from "fixing" it by handing a task a database password.
 */
const AWS_RUNTIME_MARKERS = ['ECS_CONTAINER_METADATA_URI_V4', 'ECS_CONTAINER_METADATA_URI', 'AWS_LAMBDA_FUNCTION_NAME'];

function passwordAuthProblem(env: Env): string | undefined {
  const marker = AWS_RUNTIME_MARKERS.find((name) => env[name]);
  if (marker) {
    return `DATABASE_AUTH: "password" is for local tests and the workload only, and this process runs on AWS (${marker} is set); remove DATABASE_AUTH to sign IAM tokens`;
  }
  if (!env.DATABASE_PASSWORD) return 'DATABASE_PASSWORD: required with DATABASE_AUTH=password, got nothing';
  return undefined;
}

function databaseSettings(env: Env, problems: Problems): DatabaseSettings | undefined {
  const writerEndpoint = env.DATABASE_WRITER_ENDPOINT;
  if (!writerEndpoint) return undefined;
  const port = problems.integer(env, 'DATABASE_PORT', 5432, 1);
  const readerPort = problems.integer(env, 'DATABASE_READER_PORT', port, 1);
  const databaseName = problems.required(env, 'DATABASE_NAME', 'with DATABASE_WRITER_ENDPOINT');
  const user = problems.required(env, 'DATABASE_USER', "(the service's own database user)");
  const readerUser = problems.required(env, 'DATABASE_READER_USER', "(the service's read-only database user)");
  const caFile = problems.required(env, 'DATABASE_CA_FILE', '(PEM of the RDS and proxy certificate authorities; the image sets it)');
  const poolSize = problems.integer(env, 'DATABASE_POOL_SIZE', 10, 1);

  let auth: DatabaseAuth;
  const mode = env.DATABASE_AUTH || 'iam';
  if (mode === 'password') {
    const problem = passwordAuthProblem(env);
    if (problem) problems.list.push(problem);
    auth = {
      kind: 'password',
      password: env.DATABASE_PASSWORD ?? '',
      readerPassword: env.DATABASE_READER_PASSWORD || (env.DATABASE_PASSWORD ?? ''),
    };
  } else {
    if (mode !== 'iam') problems.list.push(`DATABASE_AUTH: expected "iam" (the default) or "password", got ${JSON.stringify(mode)}`);
    auth = { kind: 'iam', region: problems.required(env, 'DATABASE_REGION', 'to sign IAM authentication tokens') };
  }

  const readerEndpointType = choice(env, problems, 'DATABASE_READER_ENDPOINT_TYPE', ['endpoint', 'cname'] as const);

  return {
    writerEndpoint,
    readerEndpoint: env.DATABASE_READER_ENDPOINT || writerEndpoint,
    readerEndpointType,
    port,
    readerPort,
    databaseName,
    user,
    readerUser,
    auth,
    caFile,
    poolSize,
  };
}

const CACHE_ENDPOINT = /^CACHE_([A-Z0-9_]+?)_PRIMARY_ENDPOINT$/;

function cacheTargets(env: Env, problems: Problems): CacheTarget[] {
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
      port: problems.integer(env, `CACHE_${tier}_PORT`, 6379, 1),
      authToken: env[`CACHE_${tier}_AUTH_TOKEN`] || undefined,
      tls: env[`CACHE_${tier}_TLS`] !== 'false',
    });
  }
  return caches;
}

function choice<T extends string>(env: Env, problems: Problems, name: string, allowed: readonly T[]): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return allowed[0];
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  problems.list.push(`${name}: expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${JSON.stringify(raw)}`);
  return allowed[0];
}

function appSettings(env: Env, problems: Problems): AppSettings {
  return {
    cacheTier: env.FEED_CACHE_TIER || 'hot',
    sessionTier: env.SESSION_CACHE_TIER || 'critical',
    feedTtlMs: problems.integer(env, 'FEED_TTL_MS', 5_000, 1),
    feedLockWaitMs: problems.integer(env, 'FEED_LOCK_WAIT_MS', 250, 1),
    readYourWritesMs: problems.integer(env, 'READ_YOUR_WRITES_MS', 2_000, 1),
    sessionTtlMs: problems.integer(env, 'SESSION_TTL_MS', 3_600_000, 1),
    dependencyDeadlineMs: problems.integer(env, 'DEPENDENCY_DEADLINE_MS', 1_000, 1),
    metricsIntervalMs: problems.integer(env, 'METRICS_INTERVAL_MS', 60_000),
    businessLogicMs: problems.integer(env, 'BUSINESS_LOGIC_MS', 0),
    holdAcrossBusinessLogic: choice(env, problems, 'CONNECTION_HOLD', ['query', 'across-business-logic'] as const) !== 'query',
    stampedeProtection: choice(env, problems, 'FEED_STAMPEDE_PROTECTION', ['on', 'off'] as const) === 'on',
  };
}

/** Reads the settings; throws once, naming every variable that cannot be used, so the task fails at start. */
export function settingsFromEnv(env: Env): Settings {
  const problems = new Problems();
  const settings: Settings = {
    serviceName: env.SERVICE_NAME || 'api',
    port: problems.integer(env, 'PORT', 8080),
    keepAliveTimeoutMs: problems.integer(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', 65_000),
    readyTimeoutMs: problems.integer(env, 'READY_TIMEOUT_MS', 2_000, 1),
    database: databaseSettings(env, problems),
    caches: cacheTargets(env, problems),
    app: appSettings(env, problems),
  };
  // A tier named on purpose must exist: a typo would otherwise leave the service answering health checks only.
  for (const name of ['FEED_CACHE_TIER', 'SESSION_CACHE_TIER'] as const) {
    const tier = env[name];
    if (tier && !settings.caches.some((c) => c.name === tier)) {
      const known = settings.caches.map((c) => JSON.stringify(c.name)).join(', ') || 'none';
      problems.list.push(
        `${name}: expected one of the tiers given by CACHE_<TIER>_PRIMARY_ENDPOINT (${known}), got ${JSON.stringify(tier)}`,
      );
    }
  }
  if (problems.list.length > 0) throw new Error(`invalid environment:\n${problems.list.map((p) => `  ${p}`).join('\n')}`);
  return settings;
}

/**
 * The AWS side of `npm run verify`: the SDK v3 clients, and `call`, through which every check reaches AWS.
 *
 * Retries. The clients' own retry middleware is turned off (`maxAttempts: 1`) and `call` drives the SDK's
 * standard retry strategy (`ConfiguredRetryStrategy`, a `StandardRetryStrategy` with our backoff: the
 * same token bucket, the same classification of throttling and transient errors) around `client.send`.
 * Why not leave it to the middleware: aws-sdk-client-mock replaces `send`, so retries inside the middleware
 * stack could never be tested; and two layers would multiply the attempts. The base delay is an option, so
 * tests run the real retry loop with a delay of a millisecond.
 */
import { BackupClient } from '@aws-sdk/client-backup';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { RDSClient } from '@aws-sdk/client-rds';
// The SDK's own retry package: every @aws-sdk/client-* depends on @smithy/core, which holds it.
import { ConfiguredRetryStrategy, isThrottlingError, isTransientError } from '@smithy/core/retry';
import type { AwsCredentialIdentityProvider, RetryErrorInfo, RetryStrategyV2, SdkError } from '@smithy/types';

export interface VerifyClients {
  readonly cloudFormation: CloudFormationClient;
  readonly rds: RDSClient;
  readonly elastiCache: ElastiCacheClient;
  readonly ecs: ECSClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly cloudWatch: CloudWatchClient;
  readonly backup: BackupClient;
  /** AWS Backup in the copy region (`recovery.crossRegionCopy.region`), when there is one. */
  readonly backupCopy?: BackupClient;
}

export interface RetryOptions {
  /**
   * Attempts per request, the first included.
   * @default 4
   */
  readonly maxAttempts?: number;
  /**
   * Base of the exponential backoff, in milliseconds: the n-th retry waits up to `baseDelayMs * 2^n`
   * (full jitter), capped at 20 s. Tests set it to 1.
   * @default 200
   */
  readonly baseDelayMs?: number;
}

export const DEFAULT_MAX_ATTEMPTS = 4;
export const DEFAULT_BASE_DELAY_MS = 200;
const MAX_DELAY_MS = 20_000;

/** What every check receives: the clients, and the one way to call them. */
export interface Aws {
  readonly clients: VerifyClients;
  /**
   * Runs `request` (one `client.send`) with retries on throttling and transient errors. `action` is the IAM
   * action the request needs (`rds:DescribeDBProxyTargets`), so that a denial or a failure names it.
   * Throws CredentialsError when the credentials are missing or expired, AwsCallError otherwise.
   */
  call<T>(action: string, request: () => Promise<T>): Promise<T>;
}

export interface ClientOptions {
  readonly region: string;
  readonly credentials: AwsCredentialIdentityProvider;
  /**
   * Region of the backup copy vault.
   * @default - no client for it
   */
  readonly copyRegion?: string;
}

export function createClients(options: ClientOptions): VerifyClients {
  // Retries live in `call` (see the module comment), so the middleware makes one attempt.
  const config = { region: options.region, credentials: options.credentials, maxAttempts: 1 };
  return {
    cloudFormation: new CloudFormationClient(config),
    rds: new RDSClient(config),
    elastiCache: new ElastiCacheClient(config),
    ecs: new ECSClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    cloudWatch: new CloudWatchClient(config),
    backup: new BackupClient(config),
    backupCopy: options.copyRegion ? new BackupClient({ ...config, region: options.copyRegion }) : undefined,
  };
}

export function retryStrategy(options: RetryOptions = {}): RetryStrategyV2 {
  const base = options.baseDelayMs ?? DEFAULT_BASE_DELAY_MS;
  return new ConfiguredRetryStrategy(options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS, (attempt) =>
    Math.floor(Math.random() * Math.min(base * 2 ** attempt, MAX_DELAY_MS)),
  );
}

export function createAws(clients: VerifyClients, retry: RetryOptions = {}): Aws {
  const strategy = retryStrategy(retry);
  return {
    clients,
    async call<T>(action: string, request: () => Promise<T>): Promise<T> {
      let token = await strategy.acquireInitialRetryToken('verify');
      let attempts = 0;
      for (;;) {
        attempts++;
        try {
          const result = await request();
          strategy.recordSuccess(token);
          return result;
        } catch (e) {
          if (isCredentialsError(e)) throw new CredentialsError(e);
          try {
            token = await strategy.refreshRetryTokenForRetry(token, errorInfo(e));
          } catch {
            throw new AwsCallError(action, e, attempts);
          }
          const delay = token.getRetryDelay();
          if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
    },
  };
}

function errorInfo(error: unknown): RetryErrorInfo {
  const sdkError = asError(error);
  const errorType = isThrottlingError(sdkError) ? 'THROTTLING' : isTransientError(sdkError) ? 'TRANSIENT' : 'CLIENT_ERROR';
  return { error: sdkError, errorType };
}

/** The SDK's classifiers read `name`, `$metadata` and `$retryable` of what a call threw. */
function asError(error: unknown): SdkError {
  return (error instanceof Error ? error : Object.assign(new Error(String(error)), typeof error === 'object' ? error : {})) as SdkError;
}

/** Error names that mean "these credentials cannot be used": nothing else will work either, so the run stops. */
const CREDENTIALS_ERRORS = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'TokenRefreshRequired',
]);

/** Error names that mean "these credentials may not do this": the check fails, the run goes on. */
const ACCESS_DENIED_ERRORS = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'UnauthorizedAccess']);

function errorName(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'Error';
  const { name, Code, code } = error as { name?: unknown; Code?: unknown; code?: unknown };
  for (const candidate of [name, Code, code]) if (typeof candidate === 'string' && candidate !== 'Error') return candidate;
  return 'Error';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function isCredentialsError(error: unknown): boolean {
  return CREDENTIALS_ERRORS.has(errorName(error));
}

/** Missing or expired credentials: the CLI prints one line and exits 2. */
export class CredentialsError extends Error {
  constructor(readonly cause: unknown) {
    super(`${errorName(cause)}: ${errorMessage(cause)}`);
    this.name = 'CredentialsError';
  }
}

/** A request that failed for good (after retries where retrying made sense). */
export class AwsCallError extends Error {
  readonly errorName: string;
  readonly accessDenied: boolean;
  readonly throttled: boolean;

  constructor(
    readonly action: string,
    readonly cause: unknown,
    readonly attempts: number,
  ) {
    const name = errorName(cause);
    const accessDenied = ACCESS_DENIED_ERRORS.has(name);
    const throttled = isThrottlingError(asError(cause));
    super(
      accessDenied
        ? `access denied: ${action} is not allowed for these credentials (${name})`
        : throttled
          ? `${action} still throttled after ${attempts} attempts (${name})`
          : `${action} failed: ${name}: ${errorMessage(cause)}`,
    );
    this.name = 'AwsCallError';
    this.errorName = name;
    this.accessDenied = accessDenied;
    this.throttled = throttled;
  }
}

/**
 * Every page of a paginated API: `fetch` gets the token of the page to read (undefined for the first) and
 * `next` returns the next token of a page. Stops on a repeated token, which a buggy API would loop on.
 */
export async function allPages<P>(fetch: (token: string | undefined) => Promise<P>, next: (page: P) => string | undefined): Promise<P[]> {
  const pages: P[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const page = await fetch(token);
    pages.push(page);
    token = next(page);
    if (token !== undefined && seen.has(token)) break;
    if (token !== undefined) seen.add(token);
  } while (token);
  return pages;
}

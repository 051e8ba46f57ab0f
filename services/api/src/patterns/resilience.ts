/**
 * Calls to a dependency that cannot hang a request or hammer a struggling dependency:
 *
 * - a **deadline** on every attempt, because a dependency that accepts a connection and then says nothing is
 *   as down as one that refuses it, and a request waiting on it holds memory, a socket and often a connection;
 * - **retries with exponential backoff and full jitter**, because a fleet retrying in lockstep turns a blip
 *   into a synchronized wave (every task retries at +50 ms, +100 ms, ...): jitter spreads the retries out;
 * - only errors that a retry can fix are retried (a timeout or a refused connection, not a constraint violation).
 *
 * The circuit breaker (breaker.ts) wraps these: once a dependency keeps failing, calls fail at once instead of
 * each spending its full deadline and retries.
 */

/** Thrown when an attempt outlives its deadline. */
export class DeadlineExceededError extends Error {
  constructor(
    readonly what: string,
    readonly ms: number,
  ) {
    super(`${what}: no answer within ${ms} ms`);
    this.name = 'DeadlineExceededError';
  }
}

/**
 * Settles with `work`, or rejects with DeadlineExceededError after `ms`. `work` is not cancelled (a pg query or
 * a Redis command cannot be recalled once sent); the caller stops waiting for it, which is what frees the request.
 */
export function withDeadline<T>(what: string, ms: number, work: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DeadlineExceededError(what, ms)), ms);
    work().then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

export interface RetryOptions {
  /** Attempts in all, the first included. @default 3 */
  readonly attempts?: number;
  /** Cap of the first backoff; each later one doubles. @default 20 */
  readonly baseDelayMs?: number;
  /** Cap of any one backoff. @default 200 */
  readonly maxDelayMs?: number;
  /** Whether an error is worth another attempt. @default isTransient */
  readonly retryable?: (error: unknown) => boolean;
  /** Random source in [0, 1), replaceable in tests. @default Math.random */
  readonly random?: () => number;
  /** How to wait, replaceable in tests. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// PostgreSQL SQLSTATEs worth a retry: too many connections, admin shutdown, cannot connect now, serialization
// failure, deadlock. Everything else (a constraint, a syntax error) fails the same way every time.
const TRANSIENT_SQLSTATES = new Set(['53300', '57P01', '57P03', '40001', '40P01']);

/** An error that a later attempt may not see: a timeout, a dropped or refused connection, a transient SQLSTATE. */
export function isTransient(error: unknown): boolean {
  if (error instanceof DeadlineExceededError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return /Connection terminated|connection.*(closed|reset)/i.test(String((error as Error)?.message));
  return NETWORK_CODES.has(code) || TRANSIENT_SQLSTATES.has(code);
}

/** The backoff before attempt `attempt + 1` (attempt counts from 1): "full jitter", uniform in [0, cap). */
export function backoffDelay(attempt: number, options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'> = {}): number {
  const cap = Math.min(options.maxDelayMs ?? 200, (options.baseDelayMs ?? 20) * 2 ** (attempt - 1));
  return Math.floor((options.random ?? Math.random)() * cap);
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `attempt` until it succeeds, fails with an error that is not retryable, or runs out of attempts. */
export async function retry<T>(attempt: (n: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 3;
  const retryable = options.retryable ?? isTransient;
  const sleep = options.sleep ?? defaultSleep;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (n >= attempts || !retryable(error)) throw error;
      await sleep(backoffDelay(n, options));
    }
  }
}

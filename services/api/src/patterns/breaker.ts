/**
 * A circuit breaker per dependency. The cascade it stops: one slow dependency makes every request wait its
 * full deadline (and retries), requests pile up, the service runs out of sockets and memory and fails its
 * health checks too, taking healthy paths down with it. Once a dependency fails `failureThreshold` calls in a
 * row, the breaker *opens*: calls fail at once with CircuitOpenError for `openMs`, which the route turns into a
 * fast 503 (or a fallback such as a stale cache entry). After that one trial call is let through (*half-open*):
 * success closes the breaker, failure opens it again.
 *
 * Its state is reported by /health/ready and by the `dependency_breaker_state` metric, so that on-call sees
 * "the breaker to the database is open" rather than a wall of timeouts.
 */
import { type RetryOptions, retry, withDeadline } from './resilience';

export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * The metric encoding of the state: 0 closed, 1 half-open, 2 open (higher is worse, so an alarm is `> 0`).
 * `feed.ts` publishes it as `dependency_breaker_state`.
 */
export const BREAKER_STATE_VALUE: Readonly<Record<BreakerState, number>> = { closed: 0, 'half-open': 1, open: 2 };

export class CircuitOpenError extends Error {
  constructor(
    readonly dependency: string,
    readonly retryInMs: number,
  ) {
    super(`${dependency}: circuit open after repeated failures, calls refused for another ${retryInMs} ms`);
    this.name = 'CircuitOpenError';
  }
}

export interface BreakerOptions {
  /** Consecutive failed calls (after their retries) that open the breaker. @default 5 */
  readonly failureThreshold?: number;
  /** How long an open breaker refuses calls before a trial. @default 5000 */
  readonly openMs?: number;
  /** Deadline of each attempt. @default 1000 */
  readonly deadlineMs?: number;
  /** Retries of each call; `{ attempts: 1 }` turns them off. */
  readonly retry?: RetryOptions;
  /** Clock, replaceable in tests. @default Date.now */
  readonly now?: () => number;
}

export interface BreakerSnapshot {
  readonly name: string;
  readonly state: BreakerState;
  readonly consecutiveFailures: number;
  /** Calls refused while open, since start. */
  readonly rejected: number;
  /** Times the breaker opened, since start. */
  readonly opened: number;
}

export class CircuitBreaker {
  private stateValue: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private trialInFlight = false;
  private rejectedCount = 0;
  private openedCount = 0;
  private readonly now: () => number;

  constructor(
    readonly name: string,
    private readonly options: BreakerOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The state as of now: an open breaker whose wait is over reports half-open. */
  get state(): BreakerState {
    if (this.stateValue === 'open' && this.now() - this.openedAt >= (this.options.openMs ?? 5_000)) return 'half-open';
    return this.stateValue;
  }

  snapshot(): BreakerSnapshot {
    return {
      name: this.name,
      state: this.state,
      consecutiveFailures: this.failures,
      rejected: this.rejectedCount,
      opened: this.openedCount,
    };
  }

  /**
   * Runs `work` with a deadline on each attempt and retries with backoff and jitter, unless the breaker is
   * open. `failureCounts` decides which errors count against the dependency: a unique-constraint violation
   * means the database is fine.
   */
  async call<T>(work: () => Promise<T>, failureCounts: (error: unknown) => boolean = () => true): Promise<T> {
    const state = this.state;
    if (state === 'open' || (state === 'half-open' && this.trialInFlight)) {
      this.rejectedCount++;
      const left = Math.max(0, (this.options.openMs ?? 5_000) - (this.now() - this.openedAt));
      throw new CircuitOpenError(this.name, left);
    }
    const trial = state === 'half-open';
    if (trial) this.trialInFlight = true;
    try {
      const deadline = this.options.deadlineMs ?? 1_000;
      const result = await retry(() => withDeadline(this.name, deadline, work), this.options.retry);
      this.failures = 0;
      this.stateValue = 'closed';
      return result;
    } catch (error) {
      if (failureCounts(error)) this.recordFailure(trial);
      throw error;
    } finally {
      if (trial) this.trialInFlight = false;
    }
  }

  private recordFailure(trial: boolean): void {
    this.failures++;
    if (trial || this.failures >= (this.options.failureThreshold ?? 5)) {
      if (this.stateValue !== 'open' || trial) this.openedCount++;
      this.stateValue = 'open';
      this.openedAt = this.now();
    }
  }
}

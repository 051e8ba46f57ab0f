/**
 * Read-your-writes routing. Replicas apply the writer's changes a little later (replica lag: milliseconds
 * normally, seconds under load). A user who has just written and then reads from a replica may not see their
 * own write ("my post vanished"), and a decision taken on that read (a balance, a stock level) is wrong.
 *
 * So for `windowMs` after a user's own write, that user's reads go to the writer (and skip the cache); every
 * other read goes to the readers. The window is kept in the cache (a key with a TTL), not in the process,
 * because the user's next request may reach another task. Choose `windowMs` above the replica lag the
 * replica-lag alarm tolerates: a lag longer than the window is an incident, not a routing decision.
 */

export type Route = 'writer' | 'reader';

/** Where the windows are kept: the ioredis adapter (cache-store.ts) and the tests' in-memory store implement it. */
export interface WindowStore {
  /** Opens (or extends) a window on `key` for `ms`. */
  open(key: string, ms: number): Promise<void>;
  isOpen(key: string): Promise<boolean>;
}

export class ReadYourWrites {
  constructor(
    private readonly store: WindowStore,
    readonly windowMs: number,
  ) {}

  private static key(user: string): string {
    return `ryw:${user}`;
  }

  /** Call after the user's write has committed on the writer. */
  async afterWrite(user: string): Promise<void> {
    await this.store.open(ReadYourWrites.key(user), this.windowMs);
  }

  /**
   * Where this user's read goes. When the window cannot be read (the cache is down), the read goes to the
   * writer: a little more load on the writer is better than a wrong answer.
   */
  async route(user: string | undefined): Promise<Route> {
    if (!user) return 'reader';
    try {
      return (await this.store.isOpen(ReadYourWrites.key(user))) ? 'writer' : 'reader';
    } catch {
      return 'writer';
    }
  }
}

/** A window store in one process's memory: for tests and single-task tools, not for a fleet. */
export class MemoryWindowStore implements WindowStore {
  private readonly until = new Map<string, number>();
  constructor(private readonly now: () => number = Date.now) {}
  async open(key: string, ms: number): Promise<void> {
    this.until.set(key, this.now() + ms);
  }
  async isOpen(key: string): Promise<boolean> {
    return (this.until.get(key) ?? 0) > this.now();
  }
}

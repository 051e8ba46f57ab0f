/**
 * Hold a database connection only for the query, never across business logic.
 *
 * The incident: a handler took a connection, ran a 35 ms query, then spent ~500 ms on business logic (calls
 * to other services, rendering) before releasing it: 520 ms held for 35 ms of work. By Little's law the
 * connections in use are `requests/s x hold time`, so holding 15 times longer needs a pool 15 times larger
 * for the same traffic, and past the pool's size requests queue for a connection, then time out.
 *
 * `queryThenWork` is the pattern: borrow, query, release, then do the work on the rows. `holdAcrossWork` is
 * the anti-pattern, kept only so the workload can measure the difference.
 *
 * `MeteredPool` wraps a pg Pool to measure what the capacity model needs: how long connections are held, how
 * long requests waited for one, and how many are in use.
 */

export interface QueryResultLike<R> {
  readonly rows: R[];
}

export interface ClientLike {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<QueryResultLike<R>>;
  release(error?: Error | boolean): void;
}

/** The part of pg's Pool this module uses. */
export interface PoolLike {
  connect(): Promise<ClientLike>;
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

export interface PoolFigures {
  /** Connections lent out, since start. */
  readonly borrows: number;
  /** Sum of the time connections were held, ms. */
  readonly heldMs: number;
  /** Sum of the time requests waited for a connection, ms. */
  readonly waitedMs: number;
  /** Borrows that had to wait more than 1 ms. */
  readonly waitedBorrows: number;
  /** Connections lent out now. */
  readonly inUse: number;
  /** Requests waiting for a connection now. */
  readonly waiting: number;
  /** Connections open now (lent out and idle). */
  readonly open: number;
}

export class MeteredPool {
  private borrows = 0;
  private heldMs = 0;
  private waitedMs = 0;
  private waitedBorrows = 0;
  private lent = 0;

  constructor(
    readonly name: string,
    private readonly pool: PoolLike,
  ) {}

  /** Borrows a connection; `release` records how long it was held. */
  async connect(): Promise<ClientLike> {
    const asked = performance.now();
    const client = await this.pool.connect();
    const got = performance.now();
    this.borrows++;
    this.waitedMs += got - asked;
    if (got - asked > 1) this.waitedBorrows++;
    this.lent++;
    let released = false;
    return {
      query: (text, values) => client.query(text, values),
      release: (error) => {
        if (released) return;
        released = true;
        this.lent--;
        this.heldMs += performance.now() - got;
        client.release(error);
      },
    };
  }

  /** One query on a connection held for that query only. */
  async query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<QueryResultLike<R>> {
    const client = await this.connect();
    try {
      const result = await client.query<R>(text, values);
      client.release();
      return result;
    } catch (error) {
      // A connection whose query failed mid-protocol is discarded rather than lent to the next request.
      client.release(error as Error);
      throw error;
    }
  }

  figures(): PoolFigures {
    return {
      borrows: this.borrows,
      heldMs: this.heldMs,
      waitedMs: this.waitedMs,
      waitedBorrows: this.waitedBorrows,
      inUse: this.lent,
      waiting: this.pool.waitingCount,
      open: this.pool.totalCount,
    };
  }
}

/** The pattern: the connection goes back to the pool before the business logic runs. */
export async function queryThenWork<R, T>(pool: MeteredPool, text: string, values: unknown[], work: (rows: R[]) => Promise<T>): Promise<T> {
  const { rows } = await pool.query<R>(text, values);
  return work(rows);
}

/** The anti-pattern, for the workload's comparison only: the connection is held while the business logic runs. */
export async function holdAcrossWork<R, T>(
  pool: MeteredPool,
  text: string,
  values: unknown[],
  work: (rows: R[]) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<R>(text, values);
    return await work(rows);
  } finally {
    client.release();
  }
}

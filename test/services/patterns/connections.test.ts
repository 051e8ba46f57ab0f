import { type ClientLike, MeteredPool, holdAcrossWork, queryThenWork } from '../../../services/api/src/patterns/connections';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A pool of `size` connections whose queries take `queryMs`; borrowers beyond `size` wait, as with pg's Pool. */
function fakePool(size: number, queryMs: number) {
  let free = size;
  const waiters: (() => void)[] = [];
  const client: ClientLike = {
    query: async () => (await sleep(queryMs), { rows: [{ n: 1 }] as never[] }),
    release: () => {
      const next = waiters.shift();
      if (next) next();
      else free++;
    },
  };
  return {
    get totalCount() {
      return size;
    },
    get idleCount() {
      return free;
    },
    get waitingCount() {
      return waiters.length;
    },
    connect: () =>
      free > 0 ? (free--, Promise.resolve(client)) : new Promise<ClientLike>((resolve) => waiters.push(() => resolve(client))),
  };
}

/**
 * Runs `work` on jest's fake clock (timers, `Date` and `performance.now()`), advancing it until `work` settles: the
 * hold times below are then exact, not a wall-clock reading that a loaded machine stretches (a 10 ms hold once
 * measured 52 ms on a busy CI core).
 */
async function onFakeClock<T>(work: () => Promise<T>): Promise<T> {
  jest.useFakeTimers();
  try {
    const result = work();
    await jest.runAllTimersAsync();
    return await result;
  } finally {
    jest.useRealTimers();
  }
}

describe('connection hold', () => {
  test('GIVEN business logic after the query WHEN the connection is released before it THEN it is held only for the query', async () => {
    const pool = new MeteredPool('writer', fakePool(2, 10));
    await onFakeClock(() => Promise.all(Array.from({ length: 4 }, () => queryThenWork(pool, 'select 1', [], () => sleep(60)))));
    const f = pool.figures();
    expect(f.borrows).toBe(4);
    // Each borrow holds its connection for the 10 ms query alone, not for the 60 ms of work after it.
    expect(f.heldMs / f.borrows).toBe(10);
    expect(f.inUse).toBe(0);
  });

  test('GIVEN the same work WHEN the connection is held across the business logic THEN hold time and waits grow with it', async () => {
    const pool = new MeteredPool('writer', fakePool(2, 10));
    const elapsed = await onFakeClock(async () => {
      const started = Date.now();
      await Promise.all(Array.from({ length: 4 }, () => holdAcrossWork(pool, 'select 1', [], () => sleep(60))));
      return Date.now() - started;
    });
    const f = pool.figures();
    // Query and work: 70 ms per borrow.
    expect(f.heldMs / f.borrows).toBe(70);
    // two connections, four requests: two had to wait for a whole hold, so the four took two holds end to end
    expect(f.waitedBorrows).toBe(2);
    expect(elapsed).toBe(140);
  });

  test('a failed query releases its connection with the error, so pg discards it', async () => {
    const released: unknown[] = [];
    const failing = {
      totalCount: 1,
      idleCount: 0,
      waitingCount: 0,
      connect: async (): Promise<ClientLike> => ({ query: () => Promise.reject(new Error('boom')), release: (e) => void released.push(e) }),
    };
    const pool = new MeteredPool('writer', failing);
    await expect(pool.query('select 1')).rejects.toThrow('boom');
    expect(released).toEqual([new Error('boom')]);
    expect(pool.figures().inUse).toBe(0);
  });
});

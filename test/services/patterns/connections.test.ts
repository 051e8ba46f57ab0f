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

describe('connection hold', () => {
  test('GIVEN business logic after the query WHEN the connection is released before it THEN it is held only for the query', async () => {
    const pool = new MeteredPool('writer', fakePool(2, 10));
    await Promise.all(Array.from({ length: 4 }, () => queryThenWork(pool, 'select 1', [], () => sleep(60))));
    const f = pool.figures();
    expect(f.borrows).toBe(4);
    expect(f.heldMs / f.borrows).toBeLessThan(40);
    expect(f.inUse).toBe(0);
  });

  test('GIVEN the same work WHEN the connection is held across the business logic THEN hold time and waits grow with it', async () => {
    const pool = new MeteredPool('writer', fakePool(2, 10));
    const started = Date.now();
    await Promise.all(Array.from({ length: 4 }, () => holdAcrossWork(pool, 'select 1', [], () => sleep(60))));
    const f = pool.figures();
    expect(f.heldMs / f.borrows).toBeGreaterThanOrEqual(65);
    // two connections, four requests: two had to wait for a whole hold
    expect(f.waitedBorrows).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(130);
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

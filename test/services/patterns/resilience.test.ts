import { backoffDelay, DeadlineExceededError, isTransient, retry, withDeadline } from '../../../services/api/src/patterns/resilience';

const never = () => new Promise<never>(() => {});

describe('withDeadline', () => {
  test('GIVEN a call that never answers WHEN its deadline passes THEN it fails with DeadlineExceededError naming the dependency', async () => {
    const started = Date.now();
    await expect(withDeadline('database', 30, never)).rejects.toThrow('database: no answer within 30 ms');
    expect(Date.now() - started).toBeLessThan(500);
  });

  test('GIVEN a call that answers in time THEN its value comes through', async () => {
    await expect(withDeadline('cache', 1_000, async () => 42)).resolves.toBe(42);
  });
});

describe('retry', () => {
  test('GIVEN transient failures WHEN retried THEN it waits a jittered, growing backoff between attempts and succeeds', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await retry(
      async () => {
        if (++calls < 3) throw Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
        return 'ok';
      },
      { attempts: 3, baseDelayMs: 20, maxDelayMs: 1_000, random: () => 0.5, sleep: async (ms) => void waits.push(ms) },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    // full jitter: half of the cap, and the cap doubles (20, then 40)
    expect(waits).toEqual([10, 20]);
  });

  test('fails at once on an error a retry cannot fix (a constraint violation)', async () => {
    let calls = 0;
    const unique = Object.assign(new Error('duplicate key'), { code: '23505' });
    await expect(retry(async () => (calls++, Promise.reject(unique)), { attempts: 5, sleep: async () => {} })).rejects.toBe(unique);
    expect(calls).toBe(1);
  });

  test('gives up after the last attempt with the last error', async () => {
    let calls = 0;
    await expect(
      retry(async () => (calls++, Promise.reject(new DeadlineExceededError('cache', 5))), { attempts: 4, sleep: async () => {} }),
    ).rejects.toThrow(DeadlineExceededError);
    expect(calls).toBe(4);
  });

  test('backoff stays within [0, min(max, base x 2^(n-1)))', () => {
    for (let attempt = 1; attempt <= 10; attempt++) {
      expect(backoffDelay(attempt, { baseDelayMs: 20, maxDelayMs: 200, random: () => 0.999 })).toBeLessThan(
        Math.min(200, 20 * 2 ** (attempt - 1)),
      );
      expect(backoffDelay(attempt, { random: () => 0 })).toBe(0);
    }
  });

  test('treats timeouts, dropped connections and transient SQLSTATEs as transient, and nothing else', () => {
    expect(isTransient(new DeadlineExceededError('x', 1))).toBe(true);
    expect(isTransient(Object.assign(new Error(''), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransient(Object.assign(new Error(''), { code: '53300' }))).toBe(true);
    expect(isTransient(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransient(Object.assign(new Error(''), { code: '42P01' }))).toBe(false);
    expect(isTransient(new Error('OOM command not allowed'))).toBe(false);
  });
});

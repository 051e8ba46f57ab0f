import { CircuitBreaker, CircuitOpenError } from '../../../services/api/src/patterns/breaker';

const fail = () => Promise.reject(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }));

function breaker(now: { t: number }) {
  return new CircuitBreaker('database', { failureThreshold: 3, openMs: 1_000, deadlineMs: 50, retry: { attempts: 1 }, now: () => now.t });
}

describe('CircuitBreaker', () => {
  test('GIVEN a dependency that keeps failing WHEN the threshold is reached THEN the breaker opens and refuses calls without running them', async () => {
    const clock = { t: 0 };
    const b = breaker(clock);
    for (let i = 0; i < 3; i++) await expect(b.call(fail)).rejects.toThrow('refused');
    expect(b.state).toBe('open');
    let ran = false;
    await expect(b.call(async () => (ran = true))).rejects.toThrow(CircuitOpenError);
    expect(ran).toBe(false);
    expect(b.snapshot()).toMatchObject({ state: 'open', rejected: 1, opened: 1, consecutiveFailures: 3 });
  });

  test('GIVEN an open breaker WHEN its wait is over THEN one trial call goes through, and success closes it', async () => {
    const clock = { t: 0 };
    const b = breaker(clock);
    for (let i = 0; i < 3; i++) await b.call(fail).catch(() => {});
    clock.t = 1_000;
    expect(b.state).toBe('half-open');
    await expect(b.call(async () => 'ok')).resolves.toBe('ok');
    expect(b.state).toBe('closed');
  });

  test('GIVEN a half-open breaker WHEN the trial fails THEN it opens again for another full wait', async () => {
    const clock = { t: 0 };
    const b = breaker(clock);
    for (let i = 0; i < 3; i++) await b.call(fail).catch(() => {});
    clock.t = 1_000;
    await expect(b.call(fail)).rejects.toThrow('refused');
    expect(b.state).toBe('open');
    clock.t = 1_999;
    expect(b.state).toBe('open');
    expect(b.snapshot().opened).toBe(2);
  });

  test('GIVEN a half-open breaker WHEN a second call arrives during the trial THEN it is refused', async () => {
    const clock = { t: 0 };
    const b = breaker(clock);
    for (let i = 0; i < 3; i++) await b.call(fail).catch(() => {});
    clock.t = 1_000;
    let finish: (v: string) => void = () => {};
    const trial = b.call(() => new Promise<string>((resolve) => (finish = resolve)));
    await expect(b.call(async () => 'second')).rejects.toThrow(CircuitOpenError);
    finish('first');
    await expect(trial).resolves.toBe('first');
  });

  test('a slow dependency counts as failing: each attempt has a deadline', async () => {
    const b = breaker({ t: 0 });
    await expect(b.call(() => new Promise(() => {}))).rejects.toThrow('no answer within 50 ms');
    expect(b.snapshot().consecutiveFailures).toBe(1);
  });

  test('errors that say nothing about the dependency (a unique violation) do not open it', async () => {
    const b = breaker({ t: 0 });
    const unique = () => Promise.reject(Object.assign(new Error('duplicate key'), { code: '23505' }));
    for (let i = 0; i < 5; i++) await b.call(unique, (e) => (e as { code?: string }).code !== '23505').catch(() => {});
    expect(b.state).toBe('closed');
  });

  test('a success resets the count of consecutive failures', async () => {
    const b = breaker({ t: 0 });
    await b.call(fail).catch(() => {});
    await b.call(fail).catch(() => {});
    await b.call(async () => 1);
    await b.call(fail).catch(() => {});
    expect(b.state).toBe('closed');
  });
});

import { SessionStore, SessionStoreFullError, isOutOfMemory } from '../../../services/api/src/patterns/sessions';
import { MemoryStore } from './memory-store';

describe('SessionStore (noeviction tier)', () => {
  test('GIVEN a session WHEN read back THEN it is the same session', async () => {
    const sessions = new SessionStore(new MemoryStore(), 60_000);
    const created = await sessions.create('alice', 'x');
    expect(created.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(await sessions.get(created.id)).toEqual(created);
    expect(await sessions.get('nope')).toBeUndefined();
  });

  test('GIVEN a full tier (Redis answers OOM) WHEN a session is created THEN it fails with a clear SessionStoreFullError', async () => {
    const oom = new Error("OOM command not allowed when used memory > 'maxmemory'.");
    const sessions = new SessionStore({ get: async () => null, set: () => Promise.reject(oom) }, 60_000);
    const error = await sessions.create('alice').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionStoreFullError);
    expect((error as SessionStoreFullError).message).toMatch(/session store full.*existing sessions are kept/);
    expect((error as SessionStoreFullError).cause).toBe(oom);
  });

  test('other errors are not mistaken for a full tier', async () => {
    const down = new Error('connect ECONNREFUSED');
    const sessions = new SessionStore({ get: async () => null, set: () => Promise.reject(down) }, 60_000);
    await expect(sessions.create('alice')).rejects.toBe(down);
    expect(isOutOfMemory(new Error('OOM command not allowed'))).toBe(true);
    expect(isOutOfMemory(new Error("READONLY You can't write against a read only replica."))).toBe(false);
  });
});

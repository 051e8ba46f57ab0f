import { MemoryWindowStore, ReadYourWrites } from '../../../services/api/src/patterns/routing';

describe('ReadYourWrites', () => {
  test('GIVEN a user who just wrote WHEN they read within the window THEN the read goes to the writer, and after it to the readers', async () => {
    const clock = { t: 0 };
    const ryw = new ReadYourWrites(new MemoryWindowStore(() => clock.t), 2_000);
    expect(await ryw.route('alice')).toBe('reader');
    await ryw.afterWrite('alice');
    expect(await ryw.route('alice')).toBe('writer');
    clock.t = 1_999;
    expect(await ryw.route('alice')).toBe('writer');
    clock.t = 2_000;
    expect(await ryw.route('alice')).toBe('reader');
  });

  test("another user's reads stay on the readers", async () => {
    const ryw = new ReadYourWrites(new MemoryWindowStore(), 2_000);
    await ryw.afterWrite('alice');
    expect(await ryw.route('bob')).toBe('reader');
    expect(await ryw.route(undefined)).toBe('reader');
  });

  test('GIVEN the window store failing THEN the read goes to the writer (more load, never a stale answer)', async () => {
    const ryw = new ReadYourWrites({ open: async () => {}, isOpen: () => Promise.reject(new Error('down')) }, 2_000);
    expect(await ryw.route('alice')).toBe('writer');
  });
});

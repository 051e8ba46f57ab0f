/** An in-memory CacheStore with Redis's semantics for the commands the patterns use, and a command log. */
import type { CacheStore } from '../../../services/api/src/patterns/cache-aside';

export class MemoryStore implements CacheStore {
  readonly data = new Map<string, { value: string; expires: number }>();
  readonly commands: string[] = [];
  constructor(private readonly now: () => number = Date.now) {}

  private live(key: string): string | null {
    const item = this.data.get(key);
    if (!item) return null;
    if (item.expires <= this.now()) {
      this.data.delete(key);
      return null;
    }
    return item.value;
  }
  async get(key: string) {
    this.commands.push(`GET ${key}`);
    return this.live(key);
  }
  async set(key: string, value: string, ttlMs: number) {
    this.commands.push(`SET ${key} PX ${ttlMs}`);
    this.data.set(key, { value, expires: this.now() + ttlMs });
  }
  async setIfAbsent(key: string, value: string, ttlMs: number) {
    this.commands.push(`SET ${key} NX PX ${ttlMs}`);
    if (this.live(key) !== null) return false;
    this.data.set(key, { value, expires: this.now() + ttlMs });
    return true;
  }
  async deleteIfEquals(key: string, value: string) {
    this.commands.push(`DELIFEQ ${key}`);
    if (this.live(key) !== value) return false;
    this.data.delete(key);
    return true;
  }
  async del(keys: readonly string[]) {
    this.commands.push(`DEL ${keys.join(' ')}`);
    let n = 0;
    for (const key of keys) if (this.data.delete(key)) n++;
    return n;
  }
}

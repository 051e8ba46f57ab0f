/**
 * Sessions in the `noeviction` tier. The outage: sessions shared a cache with query results; at 98% memory
 * the cache evicted least-recently-used keys, sessions among them, and users were logged out. In a
 * `noeviction` tier nothing is evicted: when it is full, writes fail with Redis's `OOM command not allowed`
 * error. The service turns that into a clear 503 for the new sign-in ("session store full"), and every
 * existing session keeps working. The capacity model sizes the tier and the memory alarm warns at 75% so
 * that this stays an exception.
 */
import { randomBytes } from 'node:crypto';

/** The commands a session store needs. */
export interface SessionBackend {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
}

/** The tier refused a write because it is full (Redis/Valkey `OOM`): nothing was evicted, nothing was stored. */
export class SessionStoreFullError extends Error {
  readonly code = 'session_store_full';
  constructor(cause: unknown) {
    super('session store full: new sessions are refused until the tier has memory again; existing sessions are kept');
    this.name = 'SessionStoreFullError';
    this.cause = cause;
  }
}

/** Redis and Valkey answer a write over `maxmemory` under `noeviction` with an error that starts `OOM `. */
export function isOutOfMemory(error: unknown): boolean {
  return /^OOM /.test(String((error as Error | undefined)?.message ?? ''));
}

export interface Session {
  readonly id: string;
  readonly user: string;
  readonly createdAt: number;
  readonly data?: string;
}

export class SessionStore {
  constructor(
    private readonly backend: SessionBackend,
    private readonly ttlMs: number,
  ) {}

  private static key(id: string): string {
    return `session:${id}`;
  }

  /** Creates a session; throws SessionStoreFullError when the tier is full. */
  async create(user: string, data?: string): Promise<Session> {
    // 128 random bits: a session id is a bearer credential.
    const session: Session = { id: randomBytes(16).toString('base64url'), user, createdAt: Date.now(), data };
    try {
      await this.backend.set(SessionStore.key(session.id), JSON.stringify(session), this.ttlMs);
    } catch (error) {
      if (isOutOfMemory(error)) throw new SessionStoreFullError(error);
      throw error;
    }
    return session;
  }

  async get(id: string): Promise<Session | undefined> {
    const raw = await this.backend.get(SessionStore.key(id));
    return raw === null ? undefined : (JSON.parse(raw) as Session);
  }
}

/**
 * The service's cache tiers: one ioredis client per tier, by name (`critical`, `hot`, ...), each over TLS
 * with the tier's AUTH token. Build request handlers on these:
 *
 * ```ts
 * const caches = createCaches(settings.caches);
 * await caches.tier('critical').set(`session:${id}`, session, 'EX', 3600); // noeviction: never silently lost
 * const page = await caches.tier('hot').get(`feed:${userId}`);           // allkeys-lru: a miss is normal
 * ...
 * await caches.end();
 * ```
 *
 * Clients connect on their first command (`lazyConnect`), so a tier that is down does not stop the service
 * from starting; /health/ready names it instead. ElastiCache's certificates chain to public roots that Node
 * trusts already, so TLS verifies the server with Node's default trust store unless `tls` says otherwise.
 */
import * as net from 'node:net';
import type * as tls from 'node:tls';
import Redis, { type RedisOptions } from 'ioredis';
import { withDeadline } from './deadline';
import type { CacheTarget } from './settings';

export interface CacheOptions {
  /** Extra TLS options (a private certificate authority in tests). @default - Node's default trust store */
  readonly tls?: tls.ConnectionOptions;
  /** Deadline to connect, TLS and AUTH included. @default 5000 */
  readonly connectTimeoutMs?: number;
  /**
   * Called when a client reports an error (it reconnects by itself). Without a listener ioredis prints every
   * one to stderr.
   * @default - ignored
   */
  readonly onError?: (tier: string, error: Error) => void;
}

export interface Caches {
  /** The tiers, in the order of the settings. */
  readonly names: readonly string[];
  /** The client of one tier; throws on a tier the environment does not name. */
  tier(name: string): Redis;
  /**
   * Opens a new connection to the tier, authenticates (AUTH) and sends PING, then closes it; rejects after
   * `timeoutMs`. A new connection, not the shared client: that one may have authenticated before a token rotation.
   */
  checkLogin(name: string, timeoutMs: number): Promise<void>;
  /** Closes every client. */
  end(): Promise<void>;
}

/** The ioredis options for one tier. */
export function cacheClientOptions(target: CacheTarget, options: CacheOptions = {}): RedisOptions {
  return {
    host: target.host,
    port: target.port,
    password: target.authToken,
    // `servername` sends SNI and names the host the certificate must match; an IP address takes neither.
    tls: target.tls ? { servername: net.isIP(target.host) ? undefined : target.host, ...options.tls } : undefined,
    connectTimeout: options.connectTimeoutMs ?? 5_000,
    lazyConnect: true,
  };
}

export function createCaches(targets: readonly CacheTarget[], options: CacheOptions = {}): Caches {
  const byName = new Map(targets.map((t) => [t.name, t]));
  const clients = new Map<string, Redis>();
  const target = (name: string): CacheTarget => {
    const found = byName.get(name);
    if (!found)
      throw new Error(`no cache tier named ${JSON.stringify(name)}; this environment has: ${[...byName.keys()].join(', ') || 'none'}`);
    return found;
  };

  return {
    names: targets.map((t) => t.name),
    tier(name) {
      let client = clients.get(name);
      if (!client) {
        client = new Redis(cacheClientOptions(target(name), options));
        client.on('error', (error: Error) => options.onError?.(name, error));
        clients.set(name, client);
      }
      return client;
    },
    checkLogin: (name, timeoutMs) => checkLogin(target(name), options, timeoutMs),
    end: async () => {
      await Promise.all([...clients.values()].map((c) => c.quit().catch(() => c.disconnect())));
      clients.clear();
    },
  };
}

async function checkLogin(target: CacheTarget, options: CacheOptions, timeoutMs: number): Promise<void> {
  const client = new Redis({
    ...cacheClientOptions(target, options),
    connectTimeout: timeoutMs,
    // No commandTimeout: ioredis leaves its timer running after the command settles; withDeadline bounds the check.
    // One attempt: a check that retries hides the failure it exists to report.
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  // ioredis reports a failed AUTH on the connection's error event as well as through connect().
  let firstError: Error | undefined;
  client.on('error', (error: Error) => (firstError ??= error));
  try {
    await withDeadline(
      (async () => {
        try {
          await client.connect();
        } catch (e) {
          // connect() rejects with "Connection is closed." when the server closed after an error; the error says why.
          throw firstError ?? e;
        }
        const pong = await client.ping();
        if (pong !== 'PONG') throw new Error(`PING answered ${JSON.stringify(String(pong).slice(0, 80))}`);
      })(),
      timeoutMs,
    );
  } finally {
    client.disconnect();
  }
}

/** A second service, as a team adds one to an environment file: what it must state; the rest is defaulted. */
export const WORKER_SERVICE = {
  image: { source: 'registry' as const, reference: 'my-org/worker:1.2.3' },
  cpu: 512,
  memory: 1024,
  port: 9000,
  tasks: { desired: 1, min: 1, max: 3 },
  routing: { priority: 10, pathPatterns: ['/jobs/*'], hosts: [] as string[] },
};

/** A third cache tier, as a team adds one: what it is for and how big it is; the rest has schema defaults. */
export const RATELIMIT_TIER = {
  purpose: 'Rate-limit counters: keys with the shortest time to live go first',
  evictionPolicy: 'volatile-ttl' as const,
  nodeType: 'cache.t4g.small',
  replicas: 0,
  multiAz: false,
  expectedKeys: 100_000,
  bytesPerKey: 128,
  snapshotRetentionDays: 0,
};

/** A second service, as a team adds one to an environment file: what it must state; the rest is defaulted. */
export const WORKER_SERVICE = {
  image: { source: 'registry' as const, reference: 'my-org/worker:1.2.3' },
  cpu: 512,
  memory: 1024,
  port: 9000,
  tasks: { desired: 1, min: 1, max: 3 },
  routing: { priority: 10, pathPatterns: ['/jobs/*'], hosts: [] as string[] },
};

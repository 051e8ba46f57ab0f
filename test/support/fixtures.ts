import type { AppConfig, EnvironmentOverrides } from '../../config/load';
import { configOf } from './synth';

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

/** A service's deployment settings as an environment file states them (the schema's input: defaults left out). */
type Deployment = NonNullable<NonNullable<NonNullable<EnvironmentOverrides['services']>[string]>['deployment']>;

/**
 * `env` with more services that have api's settings, as a team running several would: each at api's minimum of tasks,
 * routed on `/<name>/*` (priorities from 10), with no database access (no schema to migrate, no login to add), and its
 * own deployment settings over api's. The environment's capacity counts the added tasks (its rule requires it).
 * `api` overrides api's own settings, as an environment file would (`null` removes a key).
 */
export function withServicesLikeApi(env: string, deployments: Record<string, Deployment>, api?: Record<string, unknown>): AppConfig {
  const base = configOf(env);
  const like = base.services.api;
  const names = Object.keys(deployments);
  const services = Object.fromEntries(
    names.map((name, i) => [
      name,
      {
        ...like,
        tasks: { desired: like.tasks.min, min: like.tasks.min, max: like.tasks.min },
        scheduledScaling: [],
        database: { access: 'none' },
        routing: { ...like.routing, priority: 10 + i, pathPatterns: [`/${name}/*`] },
        deployment: { ...like.deployment, ...deployments[name] },
      },
    ]),
  );
  const overrides = {
    services: { ...services, ...(api ? { api } : {}) },
    capacity: { maxTasks: base.capacity.maxTasks + names.length * like.tasks.min },
  };
  return configOf(env, overrides as unknown as EnvironmentOverrides);
}

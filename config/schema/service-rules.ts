/**
 * Cross-field rules of the service tier (`services`, `loadBalancer`). Like every rule they run even when other
 * fields are invalid, so they read the configuration defensively.
 */
import { MASTER_USERNAME, serviceDatabaseUsers } from '../../lib/database/identity-sql';
import { isPlainObject } from '../merge';
import type { Rule } from './rules';
import { FARGATE_TASK_SIZES, RESERVED_ENVIRONMENT_NAMES, RESERVED_ENVIRONMENT_PREFIXES } from './services';

/** ALB limit: at most five condition values (paths plus hosts) in one listener rule. */
const MAX_CONDITION_VALUES = 5;
/** A production service must survive one task (or one zone) being lost. */
const PRODUCTION_MIN_TASKS = 2;

const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);

/** `512, 1024 or 2048 MiB`, or `2048 to 8192 MiB in steps of 1024` for the long lists. */
export function describeMemorySizes(sizes: readonly number[]): string {
  if (sizes.length <= 3) return `${sizes.slice(0, -1).join(', ')} or ${sizes[sizes.length - 1]} MiB`;
  return `${sizes[0]} to ${sizes[sizes.length - 1]} MiB in steps of ${sizes[1] - sizes[0]}`;
}

function entries(config: Parameters<Rule>[0]): [string, Record<string, unknown>][] {
  const services = config.services;
  if (!isPlainObject(services)) return [];
  return Object.entries(services).filter((e): e is [string, Record<string, unknown>] => isPlainObject(e[1]));
}

const fargateTaskSize: Rule = (config, report) => {
  for (const [name, svc] of entries(config)) {
    const sizes = typeof svc.cpu === 'number' ? FARGATE_TASK_SIZES[svc.cpu] : undefined;
    // An unknown CPU size is reported by the schema; the pair is only judged for a CPU Fargate offers.
    if (sizes && typeof svc.memory === 'number' && !sizes.includes(svc.memory)) {
      report(['services', name, 'memory'], `expected a memory size Fargate offers with cpu ${svc.cpu}: ${describeMemorySizes(sizes)}`);
    }
  }
};

const taskBounds: Rule = (config, report) => {
  const production = config.environment?.production === true;
  for (const [name, svc] of entries(config)) {
    const tasks = isPlainObject(svc.tasks) ? svc.tasks : {};
    const { desired, min, max } = tasks;
    if (production && isInt(min) && min < PRODUCTION_MIN_TASKS) {
      report(['services', name, 'tasks', 'min'], `expected at least ${PRODUCTION_MIN_TASKS} tasks in a production environment`);
    }
    if (isInt(min) && isInt(max) && min > max) {
      report(['services', name, 'tasks', 'min'], `expected at most tasks.max (${max})`);
    } else if (isInt(desired) && isInt(min) && isInt(max) && (desired < min || desired > max)) {
      report(['services', name, 'tasks', 'desired'], `expected between tasks.min (${min}) and tasks.max (${max})`);
    }
    const scheduled = Array.isArray(svc.scheduledScaling) ? svc.scheduledScaling : [];
    const names = new Set<string>();
    scheduled.forEach((action: unknown, i) => {
      if (!isPlainObject(action)) return;
      const at = ['services', name, 'scheduledScaling', i];
      if (isInt(action.minTasks) && isInt(action.maxTasks) && action.minTasks > action.maxTasks) {
        report([...at, 'minTasks'], `expected at most maxTasks (${action.maxTasks})`);
      }
      if (production && isInt(action.minTasks) && action.minTasks < PRODUCTION_MIN_TASKS) {
        report([...at, 'minTasks'], `expected at least ${PRODUCTION_MIN_TASKS} tasks in a production environment`);
      }
      if (typeof action.name === 'string' && names.has(action.name))
        report([...at, 'name'], 'expected a name no other action of the service uses');
      if (typeof action.name === 'string') names.add(action.name);
    });
  }
};

const healthCheckTiming: Rule = (config, report) => {
  for (const [name, svc] of entries(config)) {
    const hc = isPlainObject(svc.healthCheck) ? svc.healthCheck : {};
    // The target-group API rejects a probe timeout that is not shorter than the interval between probes.
    if (isInt(hc.timeoutSeconds) && isInt(hc.intervalSeconds) && hc.timeoutSeconds >= hc.intervalSeconds) {
      report(['services', name, 'healthCheck', 'timeoutSeconds'], `expected less than healthCheck.intervalSeconds (${hc.intervalSeconds})`);
    }
  }
};

const routingRules: Rule = (config, report) => {
  const priorities = new Map<number, string>();
  const rules = new Map<string, string>();
  for (const [name, svc] of entries(config)) {
    if (!isPlainObject(svc.routing)) continue;
    const at = ['services', name, 'routing'];
    const paths = strings(svc.routing.pathPatterns);
    const hosts = strings(svc.routing.hosts);
    if (paths.length + hosts.length === 0) {
      report(at, 'expected at least one of pathPatterns or hosts, so that some requests reach the service');
    } else if (paths.length + hosts.length > MAX_CONDITION_VALUES) {
      report(at, `expected at most ${MAX_CONDITION_VALUES} path patterns and hosts in total (a load-balancer rule limit)`);
    }
    const priority = svc.routing.priority;
    if (isInt(priority)) {
      const owner = priorities.get(priority);
      if (owner) report([...at, 'priority'], `expected a priority no other service uses (services.${owner} has ${priority})`);
      else priorities.set(priority, name);
    }
    // Two rules with the same conditions: the one with the higher priority number would never match.
    const key = JSON.stringify([[...new Set(paths)].sort(), [...new Set(hosts)].sort()]);
    const same = rules.get(key);
    if (paths.length + hosts.length > 0 && same) {
      report(at, `expected routing that differs from services.${same}.routing (the same paths and hosts would never reach ${name})`);
    } else rules.set(key, name);
  }
};

const environmentNames: Rule = (config, report) => {
  for (const [name, svc] of entries(config)) {
    const plain = isPlainObject(svc.environment) ? Object.keys(svc.environment) : [];
    const secret = isPlainObject(svc.secrets) ? Object.keys(svc.secrets) : [];
    for (const [field, keys] of [
      ['environment', plain],
      ['secrets', secret],
    ] as const) {
      for (const key of keys) {
        const reserved =
          (RESERVED_ENVIRONMENT_NAMES as readonly string[]).includes(key) || RESERVED_ENVIRONMENT_PREFIXES.some((p) => key.startsWith(p));
        if (reserved) {
          report(
            ['services', name, field, key],
            `expected a name the stack does not set itself (${RESERVED_ENVIRONMENT_NAMES.join(', ')} and ${RESERVED_ENVIRONMENT_PREFIXES.map((p) => `${p}*`).join(', ')} are reserved)`,
          );
        }
        if (field === 'secrets' && plain.includes(key)) report(['services', name, field, key], 'expected a name not also in environment');
      }
    }
    // A secret pasted into plain environment ends up in the task definition, readable by anyone who can describe it.
    if (isPlainObject(svc.environment)) {
      for (const [key, value] of Object.entries(svc.environment)) {
        if (typeof value === 'string' && /^arn:aws[\w-]*:(secretsmanager|ssm):/.test(value)) {
          report(['services', name, 'environment', key], 'expected a plain value; reference secrets and parameters in secrets');
        }
      }
    }
  }
};

/**
 * Database users are named after services (`api` → `api`, `api_reader`): two services must not map to one user
 * (`api-reader` would log in as `api`'s reader), nor to the master user or the roles RDS and PostgreSQL reserve.
 */
const databaseUsers: Rule = (config, report) => {
  const owners = new Map<string, string>();
  for (const [name, svc] of entries(config)) {
    const access = isPlainObject(svc.database) ? svc.database.access : undefined;
    if (access === 'none') continue;
    const users = serviceDatabaseUsers(name);
    for (const user of access === 'read-only' ? [users.reader] : [users.writer, users.reader]) {
      const at = ['services', name];
      if (user === MASTER_USERNAME || /^(pg_|rds)/.test(user)) {
        report(
          at,
          `expected a service name whose database user (${user}) is not the master user ${MASTER_USERNAME} nor starts with pg_ or rds (reserved roles)`,
        );
      } else if (owners.has(user)) {
        report(at, `expected a service name whose database user (${user}) differs from those of service ${owners.get(user)}`);
      } else {
        owners.set(user, name);
      }
    }
  }
};

/** `cacheTiers` names tiers that exist in `cache.tiers`. */
const cacheTierNames: Rule = (config, report) => {
  const tiers =
    isPlainObject(config.cache) && isPlainObject(config.cache.tiers)
      ? Object.entries(config.cache.tiers)
          .filter(([, tier]) => tier !== null)
          .map(([tier]) => tier)
      : undefined;
  if (!tiers) return;
  for (const [name, svc] of entries(config)) {
    strings(svc.cacheTiers).forEach((tier, i) => {
      if (!tiers.includes(tier))
        report(['services', name, 'cacheTiers', i], `expected one of the tiers in cache.tiers (${tiers.join(', ')})`);
    });
  }
};

/** Production guard rails of the load balancer: TLS, WAF, deletion protection. */
const loadBalancerGuardRails: Rule = (config, report) => {
  if (config.environment?.production !== true) return;
  const lb = config.loadBalancer;
  if (!isPlainObject(lb)) return;
  if (lb.certificate === undefined) {
    report(['loadBalancer', 'certificate'], 'expected a certificate in a production environment (it would serve plain HTTP)');
  }
  if (lb.waf === false) report(['loadBalancer', 'waf'], 'expected true in a production environment');
  if (lb.deletionProtection === false) report(['loadBalancer', 'deletionProtection'], 'expected true in a production environment');
};

export const SERVICE_RULES: readonly Rule[] = [
  fargateTaskSize,
  taskBounds,
  healthCheckTiming,
  routingRules,
  environmentNames,
  databaseUsers,
  cacheTierNames,
  loadBalancerGuardRails,
];

/**
 * Runs every check of one environment: reads the stacks' outputs, discovers the cache tiers and services
 * from them (`Cache<Tier>...`, `Service<Name>...`), and compares what runs with what the plan expects.
 */
import { namePrefix, stackName } from '../../lib/names';
import { Outputs, pascal } from '../../lib/outputs';
import { checkAlarms } from './alarms';
import type { Aws } from './aws';
import { type BackupsInput, checkBackups } from './backups';
import { type CacheTierInput, checkCache } from './cache';
import { checkProxy } from './proxy';
import { checkReplicas } from './replicas';
import { type CheckResult, fail } from './result';
import { checkDeployments } from './deployments';
import { type ServiceInput, checkServices } from './services';
import { readStacks } from './stacks';

export const LAYERS = ['Network', 'Data', 'Service', 'Monitoring'] as const;

/** What the deployment must match: from the resolved configuration and the command line. */
export interface VerifyPlan {
  readonly appName: string;
  readonly envName: string;
  readonly engine: 'aurora-postgresql' | 'postgres';
  /** Fewest readers the configuration allows. */
  readonly minReaders: number;
  readonly maxReplicaLagSeconds: number;
  /** Expected `maxmemory-policy` per tier name (as in config `cache.tiers`); tiers not named are not compared. */
  readonly evictionPolicies: Readonly<Record<string, string>>;
  /**
   * The recovery points and restore tests to compare with the recovery objectives.
   * @default - not checked
   */
  readonly backups?: Omit<BackupsInput, 'now'>;
  /** @default - the current time */
  readonly now?: Date;
}

export function stackNames(plan: Pick<VerifyPlan, 'appName' | 'envName'>): string[] {
  // The naming of EnvironmentStack.stackName (lib/names.ts), without building a CDK app.
  return LAYERS.map((layer) => stackName(plan.appName, plan.envName, layer));
}

export async function verify(aws: Aws, plan: VerifyPlan): Promise<CheckResult[]> {
  const stacks = await readStacks(aws, { stackNames: stackNames(plan) });
  const outputs = stacks.outputs;
  const missing = (key: string, what: string) => [fail(what, `no stack output ${key}: is the layer that publishes it deployed?`)];

  const proxyName = outputs.get(Outputs.databaseProxyName);
  const databaseIdentifier = outputs.get(Outputs.databaseIdentifier);
  const clusterName = outputs.get(Outputs.clusterName);
  const checks: Promise<CheckResult[]>[] = [
    proxyName ? checkProxy(aws, { proxyName, engine: plan.engine }) : Promise.resolve(missing(Outputs.databaseProxyName, 'database proxy')),
    databaseIdentifier
      ? checkReplicas(aws, {
          engine: plan.engine,
          databaseIdentifier,
          readerIdentifiers: splitList(outputs.get(Outputs.databaseReaderIdentifiers)),
          minReaders: plan.minReaders,
          maxLagSeconds: plan.maxReplicaLagSeconds,
          now: plan.now,
        })
      : Promise.resolve(missing(Outputs.databaseIdentifier, 'database readers')),
    checkCache(aws, { tiers: cacheTiers(outputs, plan.evictionPolicies) }),
    clusterName
      ? checkServices(aws, { clusterName, services: services(outputs) })
      : Promise.resolve(missing(Outputs.clusterName, 'services')),
    clusterName ? checkDeployments(aws, { clusterName, services: services(outputs) }) : Promise.resolve([]),
    checkAlarms(aws, { prefix: outputs.get(Outputs.alarmNamePrefix) ?? `${namePrefix(plan.appName, plan.envName)}-` }),
    plan.backups ? checkBackups(aws, { ...plan.backups, now: plan.now }) : Promise.resolve([]),
  ];
  // Concurrent, for speed; the report keeps this order, whichever finishes first.
  return [...stacks.results, ...(await Promise.all(checks)).flat()];
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/**
 * The tiers published (`Cache<Tier>ReplicationGroupId`), joined with the tiers that have an expected policy:
 * a configured tier without an output is reported, not skipped.
 */
export function cacheTiers(outputs: ReadonlyMap<string, string>, policies: Readonly<Record<string, string>>): CacheTierInput[] {
  const configured = new Map(Object.keys(policies).map((name) => [pascal(name), name]));
  const tiers = new Map<string, CacheTierInput>();
  for (const [key, value] of outputs) {
    const match = /^Cache(.+)ReplicationGroupId$/.exec(key);
    if (!match) continue;
    const name = configured.get(match[1]) ?? match[1];
    tiers.set(match[1], { name, replicationGroupId: value, expectedPolicy: policies[name] });
  }
  for (const [pascalName, name] of configured) {
    if (!tiers.has(pascalName)) tiers.set(pascalName, { name, expectedPolicy: policies[name] });
  }
  return [...tiers.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The services published (`Service<Name>ServiceName`, with `Service<Name>TargetGroupArn` when it has one). */
export function services(outputs: ReadonlyMap<string, string>): ServiceInput[] {
  const found: ServiceInput[] = [];
  for (const [key, value] of outputs) {
    const match = /^Service(.+)ServiceName$/.exec(key);
    if (!match) continue;
    found.push({
      name: match[1],
      serviceName: value,
      targetGroupArn: outputs.get(Outputs.service(match[1], 'TargetGroupArn')),
      alternateTargetGroupArn: outputs.get(Outputs.service(match[1], 'AlternateTargetGroupArn')),
    });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

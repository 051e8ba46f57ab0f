/**
 * The RDS Proxy: the pool every service connects through. Its targets must be AVAILABLE (a proxy whose
 * target is UNAVAILABLE accepts connections and then fails them), and with Aurora its read-only endpoint
 * must exist, or reads meant for the readers have nowhere to go but the writer.
 */
import { DescribeDBProxyEndpointsCommand, DescribeDBProxyTargetsCommand, type DBProxyTarget } from '@aws-sdk/client-rds';
import { type Aws, allPages } from './aws';
import { type CheckResult, fail, guard, pass } from './result';

export interface ProxyInput {
  /** From the `DatabaseProxyName` output. */
  readonly proxyName: string;
  /** Aurora proxies have a read-only endpoint; RDS for PostgreSQL proxies cannot. */
  readonly engine: 'aurora-postgresql' | 'postgres';
}

export async function checkProxy(aws: Aws, input: ProxyInput): Promise<CheckResult[]> {
  const results = await guard('database proxy targets', () => checkTargets(aws, input.proxyName));
  if (input.engine === 'aurora-postgresql') {
    results.push(...(await guard('database proxy read-only endpoint', () => checkReadOnlyEndpoint(aws, input.proxyName))));
  }
  return results;
}

async function checkTargets(aws: Aws, proxyName: string): Promise<CheckResult> {
  const name = 'database proxy targets';
  const pages = await allPages(
    (Marker) =>
      aws.call('rds:DescribeDBProxyTargets', () =>
        aws.clients.rds.send(new DescribeDBProxyTargetsCommand({ DBProxyName: proxyName, Marker })),
      ),
    (page) => page.Marker,
  );
  // With Aurora the list holds a TRACKED_CLUSTER entry without health, besides one entry per instance.
  const targets = pages.flatMap((page) => page.Targets ?? []).filter((target) => target.Type !== 'TRACKED_CLUSTER');
  if (targets.length === 0) return fail(name, `proxy ${proxyName} has no database targets registered`);
  const unavailable = targets.filter((target) => target.TargetHealth?.State !== 'AVAILABLE');
  if (unavailable.length > 0) {
    return fail(name, `${unavailable.length} of ${targets.length} not AVAILABLE: ${unavailable.map(describeTarget).join('; ')}`);
  }
  return pass(name, `${targets.length} of ${targets.length} AVAILABLE (${targets.map(targetId).join(', ')})`);
}

function targetId(target: DBProxyTarget): string {
  return target.RdsResourceId ?? target.Endpoint ?? 'unnamed target';
}

function describeTarget(target: DBProxyTarget): string {
  const health = target.TargetHealth;
  const why = [health?.Reason, health?.Description].filter(Boolean).join(': ');
  return `${targetId(target)} ${health?.State ?? 'without health'}${why ? ` (${why})` : ''}`;
}

async function checkReadOnlyEndpoint(aws: Aws, proxyName: string): Promise<CheckResult> {
  const name = 'database proxy read-only endpoint';
  const pages = await allPages(
    (Marker) =>
      aws.call('rds:DescribeDBProxyEndpoints', () =>
        aws.clients.rds.send(new DescribeDBProxyEndpointsCommand({ DBProxyName: proxyName, Marker })),
      ),
    (page) => page.Marker,
  );
  const readOnly = pages.flatMap((page) => page.DBProxyEndpoints ?? []).filter((endpoint) => endpoint.TargetRole === 'READ_ONLY');
  if (readOnly.length === 0) return fail(name, `proxy ${proxyName} has no endpoint with TargetRole READ_ONLY`);
  const available = readOnly.find((endpoint) => endpoint.Status === 'available');
  if (!available) {
    return fail(
      name,
      readOnly.map((endpoint) => `${endpoint.DBProxyEndpointName} is ${endpoint.Status ?? 'in an unknown state'}`).join('; '),
    );
  }
  return pass(name, `${available.DBProxyEndpointName} available (${available.Endpoint})`);
}

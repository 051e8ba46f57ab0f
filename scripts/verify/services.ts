/**
 * The ECS services: steady (every desired task running, the newest deployment finished rolling out) and
 * reachable (every target of their target group healthy). A service can be steady in ECS while the load
 * balancer sends it nothing, so both are checked.
 */
import { DescribeServicesCommand, type Service } from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Aws } from './aws';
import { type CheckResult, fail, guard, pass } from './result';

export interface ServiceInput {
  /** The name the outputs use (`Service<Name>ServiceName`). */
  readonly name: string;
  /** The ECS service name, from `Service<Name>ServiceName`. */
  readonly serviceName: string;
  /** From `Service<Name>TargetGroupArn`; undefined for a service behind no load balancer. */
  readonly targetGroupArn?: string;
  /**
   * From `Service<Name>AlternateTargetGroupArn`: a traffic-shifting deployment leaves the tasks in either target
   * group, so the targets are those of whichever group has them (both, during a deployment).
   */
  readonly alternateTargetGroupArn?: string;
}

export interface ServicesInput {
  /** From the `ClusterName` output. */
  readonly clusterName: string;
  readonly services: readonly ServiceInput[];
}

/** DescribeServices takes at most 10 services per call. */
const DESCRIBE_SERVICES_LIMIT = 10;

export async function checkServices(aws: Aws, input: ServicesInput): Promise<CheckResult[]> {
  if (input.services.length === 0) return [fail('services', 'no service published (no Service<Name>ServiceName output)')];
  const described = new Map<string, Service>();
  const missing = new Map<string, string>();
  const lookup = await guard('services steady', async () => {
    for (let i = 0; i < input.services.length; i += DESCRIBE_SERVICES_LIMIT) {
      const batch = input.services.slice(i, i + DESCRIBE_SERVICES_LIMIT).map((service) => service.serviceName);
      const page = await aws.call('ecs:DescribeServices', () =>
        aws.clients.ecs.send(new DescribeServicesCommand({ cluster: input.clusterName, services: batch })),
      );
      for (const service of page.services ?? []) if (service.serviceName) described.set(service.serviceName, service);
      for (const failure of page.failures ?? []) missing.set(nameFromArn(failure.arn), failure.reason ?? 'not found');
    }
    return [];
  });
  const results: CheckResult[] = [...lookup];
  for (const service of input.services) {
    if (lookup.length === 0) results.push(steadiness(service, described.get(service.serviceName), missing.get(service.serviceName)));
    const name = `service ${service.name} targets`;
    results.push(...(await guard(name, () => checkTargets(aws, service, name))));
  }
  return results;
}

function nameFromArn(arn: string | undefined): string {
  return arn?.split('/').pop() ?? '';
}

function steadiness(input: ServiceInput, service: Service | undefined, failure: string | undefined): CheckResult {
  const name = `service ${input.name} steady`;
  if (!service) return fail(name, `${input.serviceName} ${failure === 'MISSING' || !failure ? 'does not exist in the cluster' : failure}`);
  if (service.status !== 'ACTIVE') return fail(name, `${input.serviceName} is ${service.status}`);
  const running = service.runningCount ?? 0;
  const desired = service.desiredCount ?? 0;
  const primary = service.deployments?.find((deployment) => deployment.status === 'PRIMARY');
  const rollout = primary?.rolloutState ?? 'unknown';
  const detail = `${running}/${desired} running, PRIMARY deployment ${rollout}`;
  const problems: string[] = [];
  if (running !== desired) problems.push(`${running} running, ${desired} desired`);
  if (!primary) problems.push('no PRIMARY deployment');
  else if (rollout !== 'COMPLETED') {
    problems.push(`PRIMARY deployment ${rollout}${primary.rolloutStateReason ? ` (${primary.rolloutStateReason})` : ''}`);
  }
  return problems.length > 0 ? fail(name, problems.join('; ')) : pass(name, detail);
}

async function checkTargets(aws: Aws, service: ServiceInput, name: string): Promise<CheckResult> {
  if (!service.targetGroupArn) return pass(name, 'no target group published (service behind no load balancer)');
  const targets = [];
  for (const arn of [service.targetGroupArn, service.alternateTargetGroupArn].filter((a): a is string => a !== undefined)) {
    // DescribeTargetHealth returns every target of the group in one answer: it has no pagination.
    const page = await aws.call('elasticloadbalancing:DescribeTargetHealth', () =>
      aws.clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn })),
    );
    targets.push(...(page.TargetHealthDescriptions ?? []));
  }
  if (targets.length === 0) return fail(name, 'no target registered in the target group');
  const unhealthy = targets.filter((target) => target.TargetHealth?.State !== 'healthy');
  if (unhealthy.length > 0) {
    const list = unhealthy.map((target) => {
      const health = target.TargetHealth;
      return `${target.Target?.Id ?? '?'}:${target.Target?.Port ?? '?'} ${health?.State ?? 'unknown'}${health?.Reason ? ` (${health.Reason})` : ''}`;
    });
    return fail(name, `${unhealthy.length} of ${targets.length} not healthy: ${list.join('; ')}`);
  }
  return pass(name, `${targets.length}/${targets.length} healthy`);
}

/**
 * Each service's latest deployment, as ECS reports it: its strategy (rolling, blue/green, linear, canary), the
 * stage it is in (scaling, test traffic, production traffic shift, bake) and whether it rolled back. A rolled-back or
 * failed deployment fails the check: the version running is not the one last deployed.
 */
import { DescribeServiceDeploymentsCommand, ListServiceDeploymentsCommand, type ServiceDeployment } from '@aws-sdk/client-ecs';
import type { Aws } from './aws';
import { type CheckResult, fail, guard, pass } from './result';

export interface DeploymentsInput {
  readonly clusterName: string;
  readonly services: readonly { readonly name: string; readonly serviceName: string }[];
}

const ROLLED_BACK = new Set(['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED']);

export async function checkDeployments(aws: Aws, input: DeploymentsInput): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const service of input.services) {
    const name = `service ${service.name} deployment`;
    results.push(...(await guard(name, () => latest(aws, input.clusterName, service.serviceName, name))));
  }
  return results;
}

async function latest(aws: Aws, cluster: string, serviceName: string, name: string): Promise<CheckResult> {
  // Newest first: the first one is the deployment that decides what runs.
  const list = await aws.call('ecs:ListServiceDeployments', () =>
    aws.clients.ecs.send(new ListServiceDeploymentsCommand({ cluster, service: serviceName, maxResults: 1 })),
  );
  const arn = list.serviceDeployments?.[0]?.serviceDeploymentArn;
  if (!arn) return pass(name, 'no deployment recorded yet');
  const described = await aws.call('ecs:DescribeServiceDeployments', () =>
    aws.clients.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] })),
  );
  const deployment = described.serviceDeployments?.[0];
  if (!deployment) return fail(name, `${arn} could not be described (${described.failures?.[0]?.reason ?? 'no answer'})`);
  return judge(name, deployment);
}

export function describeDeployment(d: ServiceDeployment): string {
  const strategy = (d.deploymentConfiguration?.strategy ?? 'ROLLING').toLowerCase().replace('_', '-');
  const parts = [strategy, d.status ?? 'unknown status'];
  if (d.lifecycleStage && d.status === 'IN_PROGRESS') parts.push(`stage ${d.lifecycleStage}`);
  const rollback = d.rollback ? `, rolled back: ${d.rollback.reason ?? 'no reason given'}` : '';
  return `${parts.join(', ')}${d.statusReason ? ` (${d.statusReason})` : ''}${rollback}`;
}

function judge(name: string, d: ServiceDeployment): CheckResult {
  const detail = describeDeployment(d);
  const rolledBack = d.rollback !== undefined || ROLLED_BACK.has(d.status ?? '');
  if (rolledBack || d.status === 'STOP_REQUESTED' || d.status === 'STOPPED') return fail(name, detail);
  return pass(name, detail);
}

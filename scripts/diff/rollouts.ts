/**
 * Deployment-strategy changes of the ECS services in one stack, with the modelled end-to-end time of a deployment
 * before and after (config/rollout-time.ts), so that a review sees what a strategy or a bake time costs.
 *
 * Read from the templates, not from config, so that it compares the two revisions exactly as they would deploy:
 * strategy, steps and bake from the service's `DeploymentConfiguration`, the health check and deregistration delay
 * from its target group, the hook's timeout from the hook function's environment.
 */
import type { DeploymentStrategyName } from '../../lib/rollout/strategies';
import { describeRollout, type RolloutTimeInput } from '../../config/rollout-time';

type Resource = { Type?: string; Properties?: Record<string, unknown> };
type Template = { Resources?: Record<string, Resource> };

export interface RolloutChange {
  readonly logicalId: string;
  /** `rolling: about 1 min 50 s`; undefined for a service that is new. */
  readonly before?: string;
  readonly after: string;
}

const STRATEGY: Record<string, DeploymentStrategyName> = { BLUE_GREEN: 'blue-green', LINEAR: 'linear', CANARY: 'canary' };

export function rolloutChanges(before: Template, after: Template): RolloutChange[] {
  const changes: RolloutChange[] = [];
  for (const [logicalId, resource] of Object.entries(after.Resources ?? {})) {
    if (resource.Type !== 'AWS::ECS::Service') continue;
    const now = rolloutOf(after, resource);
    const old = before.Resources?.[logicalId];
    const then = old?.Type === 'AWS::ECS::Service' ? rolloutOf(before, old) : undefined;
    if (then && JSON.stringify(then) === JSON.stringify(now)) continue;
    if (!then && now.strategy === 'rolling') continue;
    changes.push({ logicalId, before: then && describeRollout(then), after: describeRollout(now) });
  }
  return changes;
}

function rolloutOf(template: Template, service: Resource): RolloutTimeInput {
  const config = (service.Properties?.DeploymentConfiguration ?? {}) as Record<string, unknown>;
  const canary = (config.CanaryConfiguration ?? {}) as Record<string, number>;
  const linear = (config.LinearConfiguration ?? {}) as Record<string, number>;
  const group = targetGroupOf(template, service);
  const attributes = (group?.TargetGroupAttributes ?? []) as { Key: string; Value: string }[];
  const hookTimeout = hookTimeoutSeconds(template, config.LifecycleHooks);
  return {
    strategy: STRATEGY[String(config.Strategy)] ?? 'rolling',
    deployment: {
      // ECS's own defaults where the template leaves a value out.
      canary: { percent: canary.CanaryPercent ?? 5, bakeMinutes: canary.CanaryBakeTimeInMinutes ?? 10 },
      linear: { stepPercent: linear.StepPercent ?? 10, stepMinutes: linear.StepBakeTimeInMinutes ?? 6 },
      bakeMinutes: Number(config.BakeTimeInMinutes ?? 0),
      preTrafficHook: hookTimeout === undefined ? undefined : { timeoutSeconds: hookTimeout },
    },
    healthCheck: {
      intervalSeconds: Number(group?.HealthCheckIntervalSeconds ?? 30),
      healthyThresholdCount: Number(group?.HealthyThresholdCount ?? 5),
    },
    deregistrationDelaySeconds: Number(attributes.find((a) => a.Key === 'deregistration_delay.timeout_seconds')?.Value ?? 300),
  };
}

function targetGroupOf(template: Template, service: Resource): Record<string, unknown> | undefined {
  const lbs = (service.Properties?.LoadBalancers ?? []) as { TargetGroupArn?: { Ref?: string } }[];
  const ref = lbs[0]?.TargetGroupArn?.Ref;
  return ref ? template.Resources?.[ref]?.Properties : undefined;
}

function hookTimeoutSeconds(template: Template, hooks: unknown): number | undefined {
  if (!Array.isArray(hooks) || hooks.length === 0) return undefined;
  const target = (hooks[0] as { HookTargetArn?: { 'Fn::GetAtt'?: [string, string] } }).HookTargetArn?.['Fn::GetAtt']?.[0];
  const env = (template.Resources?.[target ?? '']?.Properties?.Environment as { Variables?: Record<string, string> } | undefined)
    ?.Variables;
  return env?.HOOK_TIMEOUT_MS ? Number(env.HOOK_TIMEOUT_MS) / 1000 : 0;
}

/**
 * The modelled end-to-end time of one deployment of a service, per strategy: what a team pays in wall-clock
 * time for each minute of bake. A model, not a measurement: task start (image pull, boot) is taken as
 * TASK_START_SECONDS, and every step passes (a rollback ends the deployment earlier).
 *
 * Phases, in the order ECS runs them:
 *   start      new tasks start and pass the target-group health check (healthy threshold × interval)
 *   hook       the pre-traffic hook's request through the test listener (at most its timeout)
 *   shift      traffic moves: canary bake, or linear steps × step time; blue/green and rolling move at once
 *   bake       the old version keeps running after all traffic has moved (traffic-shifting strategies only)
 *   drain      the old tasks' deregistration delay
 */
import type { DeploymentStrategyName, TrafficShiftSettings } from '../lib/rollout/strategies';

/** Seconds a Fargate task takes from launch to a listening process: image pull and boot of a small Node service. */
export const TASK_START_SECONDS = 60;

/** What the model reads of a service's configuration. */
export interface RolloutTimeInput {
  readonly strategy: DeploymentStrategyName;
  readonly deployment: TrafficShiftSettings & { readonly preTrafficHook?: { readonly timeoutSeconds: number } };
  readonly healthCheck: { readonly intervalSeconds: number; readonly healthyThresholdCount: number };
  readonly deregistrationDelaySeconds: number;
}

export interface RolloutTime {
  readonly startSeconds: number;
  readonly hookSeconds: number;
  readonly shiftSeconds: number;
  readonly bakeSeconds: number;
  readonly drainSeconds: number;
  readonly totalSeconds: number;
}

/** Waits between traffic steps of a linear deployment: 25% steps shift at 25, 50, 75 and 100, with 3 waits between. */
export function linearWaits(stepPercent: number): number {
  return Math.max(0, Math.ceil(100 / stepPercent - 1e-9) - 1);
}

export function rolloutTime(input: RolloutTimeInput): RolloutTime {
  const { strategy, deployment: d } = input;
  const shifting = strategy !== 'rolling';
  const startSeconds = TASK_START_SECONDS + input.healthCheck.healthyThresholdCount * input.healthCheck.intervalSeconds;
  const hookSeconds = shifting && d.preTrafficHook ? d.preTrafficHook.timeoutSeconds : 0;
  const shiftSeconds =
    strategy === 'canary'
      ? d.canary.bakeMinutes * 60
      : strategy === 'linear'
        ? linearWaits(d.linear.stepPercent) * d.linear.stepMinutes * 60
        : 0;
  const bakeSeconds = shifting ? d.bakeMinutes * 60 : 0;
  const drainSeconds = input.deregistrationDelaySeconds;
  return {
    startSeconds,
    hookSeconds,
    shiftSeconds,
    bakeSeconds,
    drainSeconds,
    totalSeconds: startSeconds + hookSeconds + shiftSeconds + bakeSeconds + drainSeconds,
  };
}

/** `1 h 07 min`, `12 min 30 s`, `45 s`. */
export function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.round(seconds % 60);
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return s > 0 ? `${m} min ${s} s` : `${m} min`;
  return `${s} s`;
}

/** One line for a review: `canary 10% for 10 min, bake 15 min: about 27 min 50 s`. */
export function describeRollout(input: RolloutTimeInput): string {
  const { strategy, deployment: d } = input;
  const total = formatDuration(rolloutTime(input).totalSeconds);
  switch (strategy) {
    case 'rolling':
      return `rolling: about ${total}`;
    case 'blue-green':
      return `blue-green, bake ${d.bakeMinutes} min: about ${total}`;
    case 'canary':
      return `canary ${d.canary.percent}% for ${d.canary.bakeMinutes} min, bake ${d.bakeMinutes} min: about ${total}`;
    case 'linear':
      return `linear ${d.linear.stepPercent}% every ${d.linear.stepMinutes} min, bake ${d.bakeMinutes} min: about ${total}`;
  }
}

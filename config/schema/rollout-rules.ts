/**
 * Cross-field rules of rollouts and routing (`services.<name>.deployment`, `.loadBalancing`,
 * `loadBalancer.zonalShift`). Like every rule they read the configuration defensively.
 */
import { linearWaits } from '../rollout-time';
import { isPlainObject } from '../merge';
import type { Rule } from './rules';
import { DEPLOYMENT_STRATEGIES, type DeploymentStrategyName } from '../../lib/rollout/strategies';
import { resolveStrategy } from './rollout';

/** CloudFormation refuses a canary or linear deployment whose bake times add up to more than 33 hours (1,980 minutes). */
const CLOUDFORMATION_MAX_BAKE_MINUTES = 33 * 60;

const isNumber = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);
/** ECS takes percentages in multiples of 0.1. */
const tenths = (n: number) => Math.abs(n * 10 - Math.round(n * 10)) < 1e-9;

function services(config: Parameters<Rule>[0]): [string, Record<string, unknown>][] {
  const all = config.services;
  if (!isPlainObject(all)) return [];
  return Object.entries(all).filter((e): e is [string, Record<string, unknown>] => isPlainObject(e[1]));
}

const deploymentSteps: Rule = (config, report) => {
  const production = config.environment?.production === true;
  for (const [name, svc] of services(config)) {
    const d = isPlainObject(svc.deployment) ? svc.deployment : {};
    const at = ['services', name, 'deployment'];
    const given = (DEPLOYMENT_STRATEGIES as readonly unknown[]).includes(d.strategy) ? (d.strategy as DeploymentStrategyName) : undefined;
    const strategy = resolveStrategy(given, production);
    const canary = isPlainObject(d.canary) ? d.canary : {};
    const linear = isPlainObject(d.linear) ? d.linear : {};
    if (isNumber(canary.percent) && (canary.percent < 0.1 || canary.percent > 100 || !tenths(canary.percent))) {
      report([...at, 'canary', 'percent'], 'expected a percentage from 0.1 to 100 in steps of 0.1 (the ECS canary limits)');
    }
    if (isNumber(linear.stepPercent) && (linear.stepPercent < 3 || linear.stepPercent > 100 || !tenths(linear.stepPercent))) {
      report([...at, 'linear', 'stepPercent'], 'expected a percentage from 3 to 100 in steps of 0.1 (the ECS linear limits)');
    }
    if (strategy === 'canary' && canary.percent === 100) {
      report(
        [...at, 'canary', 'percent'],
        'expected less than 100: a canary of 100% is a blue-green deployment (say strategy "blue-green")',
      );
    }
    if (d.preTrafficHook !== undefined && strategy === 'rolling') {
      report(
        [...at, 'preTrafficHook'],
        `expected a traffic-shifting strategy ("blue-green", "linear" or "canary") with a pre-traffic hook: a rolling deployment has no test traffic stage${given ? '' : ' (rolling is the default outside production)'}`,
      );
    }
    // CloudFormation fails the stack update of a deployment that could outlive its 36-hour operation limit.
    const bake = isNumber(d.bakeMinutes) ? d.bakeMinutes : 0;
    if (strategy === 'canary' && isNumber(canary.bakeMinutes) && bake + canary.bakeMinutes > CLOUDFORMATION_MAX_BAKE_MINUTES) {
      report(
        [...at, 'bakeMinutes'],
        `expected bakeMinutes + canary.bakeMinutes of at most ${CLOUDFORMATION_MAX_BAKE_MINUTES} (CloudFormation refuses longer canaries), got ${bake} + ${canary.bakeMinutes} = ${bake + canary.bakeMinutes}`,
      );
    }
    if (strategy === 'linear' && isNumber(linear.stepMinutes) && isNumber(linear.stepPercent) && linear.stepPercent > 0) {
      const total = bake + (linearWaits(linear.stepPercent) + 1) * linear.stepMinutes;
      if (total > CLOUDFORMATION_MAX_BAKE_MINUTES) {
        report(
          [...at, 'bakeMinutes'],
          `expected bakeMinutes + linear.stepMinutes × steps of at most ${CLOUDFORMATION_MAX_BAKE_MINUTES} (CloudFormation refuses longer linear deployments), got ${total}`,
        );
      }
    }
  }
};

const grayFailureRouting: Rule = (config, report) => {
  for (const [name, svc] of services(config)) {
    const lb = isPlainObject(svc.loadBalancing) ? svc.loadBalancing : {};
    const at = ['services', name, 'loadBalancing'];
    if (lb.anomalyMitigation === true && lb.algorithm !== undefined && lb.algorithm !== 'weighted-random') {
      report(
        [...at, 'anomalyMitigation'],
        `expected false with algorithm "${String(lb.algorithm)}": only the weighted-random algorithm can shift weight away from an anomalous task`,
      );
    }
    if (lb.algorithm === 'weighted-random' && isNumber(lb.slowStartSeconds) && lb.slowStartSeconds > 0) {
      report(
        [...at, 'slowStartSeconds'],
        'expected 0 with algorithm "weighted-random": the load balancer does not support slow start with weighted random (and so with anomaly mitigation); choose round-robin or least-outstanding-requests for slow start, and give up anomaly mitigation',
      );
    }
  }
};

const zonalShift: Rule = (config, report) => {
  const zs =
    isPlainObject(config.loadBalancer) && isPlainObject(config.loadBalancer.zonalShift) ? config.loadBalancer.zonalShift : undefined;
  if (zs?.autoshift === true && zs.enabled === false) {
    report(
      ['loadBalancer', 'zonalShift', 'autoshift'],
      'expected false while zonalShift.enabled is false: autoshift shifts through zonal shift',
    );
  }
};

export const ROLLOUT_RULES: readonly Rule[] = [deploymentSteps, grayFailureRouting, zonalShift];

/**
 * The deployment strategies, as data: their names and the settings of the traffic-shifting ones (canary and
 * linear steps, bake times). Pure, with no CDK in it: the configuration schema validates against it and the
 * constructs turn it into ECS deployment settings (lib/constructs/traffic-shift.ts), so that both read one catalogue.
 */

/** How a new version reaches traffic: `rolling` replaces tasks in place, the others shift traffic between target groups. */
export const DEPLOYMENT_STRATEGIES = ['rolling', 'blue-green', 'linear', 'canary'] as const;
export type DeploymentStrategyName = (typeof DEPLOYMENT_STRATEGIES)[number];

/** The steps and bake times of the traffic-shifting strategies (percentages of production traffic, minutes). */
export interface TrafficShiftSettings {
  /** `canary`: the share the new version gets first, and how long it serves it before the rest moves. */
  readonly canary: { readonly percent: number; readonly bakeMinutes: number };
  /** `linear`: the share moved at each step, and the minutes between two steps. */
  readonly linear: { readonly stepPercent: number; readonly stepMinutes: number };
  /** How long the old version keeps running after all traffic has moved (every strategy but `rolling`). */
  readonly bakeMinutes: number;
}

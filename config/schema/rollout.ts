/**
 * How a service's new version reaches traffic (`services.<name>.deployment`) and how the load balancer spreads
 * requests over its tasks (`services.<name>.loadBalancing`). Cross-field rules are in ./rollout-rules.ts.
 *
 * ECS limits, from the ECS API reference (`CanaryConfiguration`, `LinearConfiguration`, `DeploymentConfiguration`):
 * canary percent 0.1 to 100 and linear step 3 to 100, both in multiples of 0.1; every bake time 0 to 1,440 minutes.
 */
import { z } from 'zod';
import { DEPLOYMENT_STRATEGIES, type DeploymentStrategyName } from '../../lib/rollout/strategies';
import { int } from './primitives';

export const ROLLOUT_DEFAULTS = {
  canary: { percent: 10, bakeMinutes: 10 },
  linear: { stepPercent: 25, stepMinutes: 5 },
  bakeMinutes: 15,
  loadBalancing: { algorithm: 'weighted-random' as const, anomalyMitigation: true, slowStartSeconds: 0 },
};

const minutes = (description: string) => int(0, 1440).meta({ description: `${description} (0 to 1,440 minutes).` });

export const deploymentSchema = z
  .strictObject({
    strategy: z.enum(DEPLOYMENT_STRATEGIES).optional().meta({
      description:
        '`rolling` replaces tasks in place; `blue-green` starts the new version beside the old and moves all traffic at once; `linear` moves it in equal steps; `canary` moves `canary.percent` first, then the rest. Default: `canary` in a production environment, `rolling` elsewhere.',
    }),
    canary: z
      .strictObject({
        percent: z
          .number()
          .meta({ description: 'Share of production traffic the new version gets first (0.1 to 100, in steps of 0.1).' })
          .default(ROLLOUT_DEFAULTS.canary.percent),
        bakeMinutes: minutes('Minutes the canary serves its share before the rest of the traffic moves').default(
          ROLLOUT_DEFAULTS.canary.bakeMinutes,
        ),
      })
      .prefault({})
      .meta({ description: 'The canary step (strategy `canary`).' }),
    linear: z
      .strictObject({
        stepPercent: z
          .number()
          .meta({ description: 'Share of production traffic moved at each step (3 to 100, in steps of 0.1).' })
          .default(ROLLOUT_DEFAULTS.linear.stepPercent),
        stepMinutes: minutes('Minutes between two steps').default(ROLLOUT_DEFAULTS.linear.stepMinutes),
      })
      .prefault({})
      .meta({ description: 'The steps (strategy `linear`).' }),
    bakeMinutes: minutes(
      'Minutes the old version keeps running after all traffic has moved, so that a rollback is a traffic switch, not a redeploy',
    ).default(ROLLOUT_DEFAULTS.bakeMinutes),
    preTrafficHook: z
      .strictObject({
        path: z
          .string()
          .regex(/^\/[\w\-./~%]*$/, { message: 'expected a path starting with /' })
          .meta({
            description: 'Path the hook requests from the new version through the test listener; anything but 200 fails the deployment.',
          }),
        timeoutSeconds: int(1, 60).default(5).meta({ description: 'Seconds the request may take.' }),
      })
      .optional()
      .meta({
        description:
          'A Lambda function that ECS runs once test traffic reaches the new version and before any production traffic does; it requests `path` through the test listener and fails the deployment on any answer but 200. Needs a traffic-shifting strategy.',
      }),
  })
  .prefault({})
  .meta({ description: 'How a new version reaches traffic, and what rolls it back (see docs/services.md).' });

export const LOAD_BALANCING_ALGORITHMS = ['round-robin', 'least-outstanding-requests', 'weighted-random'] as const;

export const loadBalancingSchema = z
  .strictObject({
    algorithm: z.enum(LOAD_BALANCING_ALGORITHMS).default(ROLLOUT_DEFAULTS.loadBalancing.algorithm).meta({
      description:
        'How the load balancer picks a task. `weighted-random` is the one that can route away from a task that answers badly (`anomalyMitigation`).',
    }),
    anomalyMitigation: z.boolean().default(ROLLOUT_DEFAULTS.loadBalancing.anomalyMitigation).meta({
      description:
        'Automatic target weights: send less traffic to a task whose error rate stands out from the others (gray failure). Needs `weighted-random` and no slow start.',
    }),
    slowStartSeconds: z
      .union([z.literal(0), int(30, 900)], { error: 'expected 0 (off) or an integer from 30 to 900' })
      .default(ROLLOUT_DEFAULTS.loadBalancing.slowStartSeconds)
      .meta({
        description: 'Seconds a new task takes to ramp up to its full share (0 is off, else 30 to 900). Not with `weighted-random`.',
      }),
  })
  .prefault({})
  .meta({ description: 'Routing algorithm of the service’s target groups, and gray-failure mitigation.' });

export const zonalShiftSchema = z
  .strictObject({
    enabled: z.boolean().default(true).meta({
      description: 'Let an operator (or autoshift) move traffic away from an impaired availability zone (see docs/runbook.md).',
    }),
    autoshift: z.boolean().default(false).meta({
      description:
        'Zonal autoshift: AWS shifts traffic away from a zone it sees impaired, and runs weekly practice runs that the environment’s own alarms block and judge. Needs `enabled`.',
    }),
    practiceRunBlockedWindows: z
      .array(
        z.string().regex(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun):([01]\d|2[0-3]):[0-5]\d-(Mon|Tue|Wed|Thu|Fri|Sat|Sun):([01]\d|2[0-3]):[0-5]\d$/, {
          message: 'expected a weekly UTC window Ddd:hh:mm-Ddd:hh:mm such as Mon:07:00-Mon:10:00',
        }),
      )
      .default([])
      .meta({ description: 'Weekly UTC windows in which no practice run starts (the peak hours), such as `Mon:07:00-Mon:10:00`.' }),
  })
  .prefault({})
  .meta({ description: 'Zonal shift and autoshift of the load balancer.' });

/** The strategy a service deploys with: its own, else canary in production and rolling elsewhere. */
export function resolveStrategy(strategy: DeploymentStrategyName | undefined, production: boolean): DeploymentStrategyName {
  return strategy ?? (production ? 'canary' : 'rolling');
}

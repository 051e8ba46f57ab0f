import { z } from 'zod';
import { int, logRetentionDays } from './primitives';

/**
 * Fault-injection experiments (AWS FIS), one per failure mode of docs/architecture.md. See docs/chaos.md.
 *
 * Every figure has bounds: an experiment is a controlled outage, and a typo (a 60-minute zone outage, 100% packet
 * loss) must fail validation rather than reach an environment.
 */
export const chaosSchema = z
  .strictObject({
    enabled: z.boolean().optional().meta({
      description:
        'Whether the environment has the experiment templates (and the SSM agent sidecar the in-task experiments need). Unset: on in every environment that is not production, off in production. A production environment gets them only by setting `true` in its own file, and then needs an alarm subscription (validation says so).',
    }),
    zone: z.string().optional().meta({
      description:
        'Availability zone the zone-outage and cache power-interruption experiments cut off; one of `environment.availabilityZones`. Unset: the first of them (where the cache primaries start).',
    }),
    durationMinutes: int(1, 30).meta({
      description: 'How long a fault lasts: the zone cut-off, the cache power interruption and the in-task faults, minutes (1 to 30).',
    }),
    stopTasksPercent: int(1, 100).meta({
      description: 'Share of each service’s running tasks the tasks-stopped experiment stops, % (at most 50 in production).',
    }),
    taskFaultPercent: int(1, 100).meta({
      description: 'Share of the running tasks that get CPU stress, latency or packet loss, % (at most 50 in production).',
    }),
    cpuStressPercent: int(1, 100).meta({ description: 'CPU load the stress experiment puts on each target task, % of its CPU.' }),
    latencyMs: int(1, 5_000).meta({ description: 'Network latency added to every packet of the target tasks, ms (1 to 5,000).' }),
    packetLossPercent: int(1, 50).meta({
      description: 'Packets the target tasks lose, % (1 to 50: beyond that TCP barely works, and the experiment is a task outage).',
    }),
    logRetentionDays: logRetentionDays().meta({ description: 'Days to keep the experiments’ logs (encrypted log group).' }),
    ssmAgentImage: z.string().min(1).meta({
      description:
        'Image of the SSM agent sidecar that lets FIS run the in-task experiments (CPU stress, latency, packet loss); pin a tag your registry mirrors.',
    }),
  })
  .meta({ description: 'Fault-injection experiments (AWS FIS), stopped by the environment’s own alarms: see docs/chaos.md.' });

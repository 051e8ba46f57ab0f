/**
 * What `npm run chaos` does in AWS, apart from the command line: find the environment's experiment templates,
 * start one, follow its state and the alarms it stops on, and judge whether the app recovered in the time the
 * experiment's plan states (lib/chaos/experiments.ts). The clock is a parameter, so that tests run the real loop
 * against mocked clients without waiting.
 */
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { FisClient, GetExperimentCommand, ListExperimentTemplatesCommand, StartExperimentCommand } from '@aws-sdk/client-fis';
import { EXPERIMENT_IDS, EXPERIMENT_TAG, type ExperimentId, type ExperimentPlan } from '../../lib/chaos/experiments';

export interface ChaosClients {
  readonly fis: FisClient;
  readonly cloudWatch: CloudWatchClient;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

/** Deployed templates of this environment, by experiment ID (found by their Application, Environment and Experiment tags). */
export async function findTemplates(fis: FisClient, app: string, environment: string): Promise<Map<ExperimentId, string>> {
  const found = new Map<ExperimentId, string>();
  let nextToken: string | undefined;
  do {
    const page = await fis.send(new ListExperimentTemplatesCommand({ nextToken, maxResults: 100 }));
    for (const t of page.experimentTemplates ?? []) {
      const tags = t.tags ?? {};
      const id = tags[EXPERIMENT_TAG] as ExperimentId | undefined;
      if (
        t.id &&
        id &&
        (EXPERIMENT_IDS as readonly string[]).includes(id) &&
        tags.Application === app &&
        tags.Environment === environment
      ) {
        found.set(id, t.id);
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return found;
}

export type Outcome = 'recovered' | 'not-recovered' | 'stopped' | 'failed';

export interface RunResult {
  readonly experiment: ExperimentId;
  readonly experimentId: string;
  readonly outcome: Outcome;
  /** The experiment's final state and FIS's reason for it. */
  readonly status: string;
  readonly reason?: string;
  /** Seconds from the end of the experiment until every alarm was OK (when it recovered). */
  readonly recoveredAfterSeconds?: number;
  readonly expectedRecoverySeconds: number;
  /** The last state seen of each alarm the experiment stops on. */
  readonly alarms: Readonly<Record<string, string>>;
}

export type RunEvent =
  | { readonly kind: 'started'; readonly experimentId: string }
  | { readonly kind: 'state'; readonly status: string; readonly reason?: string }
  | { readonly kind: 'alarm'; readonly name: string; readonly state: string }
  | { readonly kind: 'recovering'; readonly deadlineSeconds: number };

export interface RunOptions {
  readonly clock?: Clock;
  /** @default 15000 */
  readonly pollMs?: number;
  readonly onEvent?: (event: RunEvent) => void;
}

const TERMINAL = new Set(['completed', 'stopped', 'failed', 'cancelled']);

/** The alarm states by name; an alarm that does not exist is `MISSING` (never OK: the stop condition is broken). */
async function alarmStates(cloudWatch: CloudWatchClient, names: readonly string[]): Promise<Record<string, string>> {
  const out = await cloudWatch.send(
    new DescribeAlarmsCommand({ AlarmNames: [...names], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], MaxRecords: 100 }),
  );
  const states: Record<string, string> = Object.fromEntries(names.map((n) => [n, 'MISSING']));
  for (const a of [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])]) {
    if (a.AlarmName && a.AlarmName in states) states[a.AlarmName] = a.StateValue ?? 'UNKNOWN';
  }
  return states;
}

export async function runExperiment(
  clients: ChaosClients,
  plan: ExperimentPlan,
  templateId: string,
  options: RunOptions = {},
): Promise<RunResult> {
  const clock = options.clock ?? realClock;
  const pollMs = options.pollMs ?? 15_000;
  const emit = options.onEvent ?? (() => undefined);
  const started = await clients.fis.send(
    new StartExperimentCommand({
      experimentTemplateId: templateId,
      clientToken: `chaos-${plan.id}-${clock.now()}`,
      tags: { StartedBy: 'npm run chaos' },
    }),
  );
  const experimentId = started.experiment?.id;
  if (!experimentId) throw new Error(`FIS started no experiment for template ${templateId}`);
  emit({ kind: 'started', experimentId });

  let alarms: Record<string, string> = {};
  const watchAlarms = async () => {
    const now = await alarmStates(clients.cloudWatch, plan.stopAlarmNames);
    for (const [name, state] of Object.entries(now)) if (alarms[name] !== state) emit({ kind: 'alarm', name, state });
    alarms = now;
  };

  let status = started.experiment?.state?.status ?? 'pending';
  let reason = started.experiment?.state?.reason;
  emit({ kind: 'state', status, reason });
  await watchAlarms();
  while (!TERMINAL.has(status)) {
    await clock.sleep(pollMs);
    const got = await clients.fis.send(new GetExperimentCommand({ id: experimentId }));
    const next = got.experiment?.state?.status ?? status;
    if (next !== status) {
      status = next;
      reason = got.experiment?.state?.reason;
      emit({ kind: 'state', status, reason });
    }
    await watchAlarms();
  }
  const base = { experiment: plan.id, experimentId, status, reason, expectedRecoverySeconds: plan.recovery.seconds };
  if (status !== 'completed') return { ...base, outcome: status === 'failed' ? 'failed' : 'stopped', alarms };

  // Completed: the fault is over. The app has recovered when every alarm it stops on is OK at once, within the
  // stated recovery time.
  const ended = clock.now();
  const deadline = ended + plan.recovery.seconds * 1000;
  emit({ kind: 'recovering', deadlineSeconds: plan.recovery.seconds });
  for (;;) {
    if (Object.values(alarms).every((s) => s === 'OK')) {
      return { ...base, outcome: 'recovered', recoveredAfterSeconds: Math.round((clock.now() - ended) / 1000), alarms };
    }
    if (clock.now() >= deadline) return { ...base, outcome: 'not-recovered', alarms };
    await clock.sleep(Math.min(pollMs, Math.max(0, deadline - clock.now())));
    await watchAlarms();
  }
}

/** Exit code of `npm run chaos -- --start`: 0 completed and recovered in time, 1 stopped, failed or not recovered. */
export function exitCodeOf(result: RunResult): 0 | 1 {
  return result.outcome === 'recovered' ? 0 : 1;
}

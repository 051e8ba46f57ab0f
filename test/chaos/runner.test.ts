/**
 * Specifications of `npm run chaos` against mocked AWS clients (aws-sdk-client-mock): how it finds an
 * environment's templates, follows an experiment, and judges recovery against the plan's stated time.
 */
import { CloudWatchClient, DescribeAlarmsCommand, StateValue } from '@aws-sdk/client-cloudwatch';
import { FisClient, GetExperimentCommand, ListExperimentTemplatesCommand, StartExperimentCommand } from '@aws-sdk/client-fis';
import { mockClient } from 'aws-sdk-client-mock';
import { type ExperimentPlan, planExperiments } from '../../lib/chaos/experiments';
import { type Clock, type RunEvent, exitCodeOf, findTemplates, runExperiment } from '../../scripts/chaos/runner';
import { configOf } from '../support/synth';

const plan = planExperiments(configOf('staging')).planned.find((p) => p.id === 'tasks-stopped') as ExperimentPlan;
const [degraded, belowDesired] = plan.stopAlarmNames;

/**
 * @aws-sdk/client-fis is pinned to an older @smithy/types than aws-sdk-client-mock's, so the mock's generic types
 * do not line up with its classes (at run time they are the same objects). A narrow, untyped view of the stub.
 */
interface Behavior {
  resolves(output: unknown): Behavior;
  resolvesOnce(output: unknown): Behavior;
}
interface FisStub {
  on(command: unknown): Behavior;
  commandCalls(command: unknown): { args: [{ input: Record<string, unknown> }] }[];
}
const mockFis = () => mockClient(FisClient as never) as unknown as FisStub;

/** A clock that advances only when slept on: the loop runs at full speed, and elapsed time is exact. */
function fakeClock(): Clock & { elapsed(): number } {
  let t = 1_000_000;
  return { now: () => t, sleep: async (ms) => void (t += ms), elapsed: () => t - 1_000_000 };
}

function setup() {
  const fis = mockFis();
  const cloudWatch = mockClient(CloudWatchClient);
  fis.on(StartExperimentCommand).resolves({ experiment: { id: 'EXP123', state: { status: 'initiating' } } });
  return {
    fis,
    cloudWatch,
    clients: { fis: new FisClient({ region: 'eu-west-1' }), cloudWatch: new CloudWatchClient({ region: 'eu-west-1' }) },
  };
}

const alarms = (states: Record<string, StateValue>) => ({
  MetricAlarms: Object.entries(states)
    .filter(([n]) => !n.endsWith('-degraded'))
    .map(([AlarmName, StateValue]) => ({ AlarmName, StateValue })),
  CompositeAlarms: Object.entries(states)
    .filter(([n]) => n.endsWith('-degraded'))
    .map(([AlarmName, StateValue]) => ({ AlarmName, StateValue })),
});

describe('npm run chaos: an experiment', () => {
  test('completed, with every alarm OK: recovered, exit 0', async () => {
    const { fis, cloudWatch, clients } = setup();
    fis
      .on(GetExperimentCommand)
      .resolvesOnce({ experiment: { state: { status: 'running' } } })
      .resolves({ experiment: { state: { status: 'completed', reason: 'Experiment completed.' } } });
    cloudWatch.on(DescribeAlarmsCommand).resolves(alarms({ [degraded]: 'OK', [belowDesired]: 'OK' }));
    const events: RunEvent[] = [];
    const result = await runExperiment(clients, plan, 'EXT1', { clock: fakeClock(), pollMs: 1000, onEvent: (e) => events.push(e) });
    expect(result).toMatchObject({ outcome: 'recovered', status: 'completed', recoveredAfterSeconds: 0, experimentId: 'EXP123' });
    expect(exitCodeOf(result)).toBe(0);
    expect(fis.commandCalls(StartExperimentCommand)[0].args[0].input).toMatchObject({ experimentTemplateId: 'EXT1' });
    // The composite alarms are asked for too: a service's degraded alarm is one.
    expect(cloudWatch.commandCalls(DescribeAlarmsCommand)[0].args[0].input).toMatchObject({
      AlarmNames: plan.stopAlarmNames,
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
    });
    expect(events.filter((e) => e.kind === 'state').map((e) => (e as { status: string }).status)).toEqual([
      'initiating',
      'running',
      'completed',
    ]);
  });

  test('stopped by a stop condition: exit 1, with the alarm that fired and FIS’s reason', async () => {
    const { fis, cloudWatch, clients } = setup();
    fis
      .on(GetExperimentCommand)
      .resolvesOnce({ experiment: { state: { status: 'running' } } })
      .resolves({ experiment: { state: { status: 'stopped', reason: 'Experiment stopped by stop condition.' } } });
    cloudWatch
      .on(DescribeAlarmsCommand)
      .resolvesOnce(alarms({ [degraded]: 'OK', [belowDesired]: 'OK' }))
      .resolves(alarms({ [degraded]: 'ALARM', [belowDesired]: 'OK' }));
    const events: RunEvent[] = [];
    const result = await runExperiment(clients, plan, 'EXT1', { clock: fakeClock(), pollMs: 1000, onEvent: (e) => events.push(e) });
    expect(result).toMatchObject({ outcome: 'stopped', reason: 'Experiment stopped by stop condition.', alarms: { [degraded]: 'ALARM' } });
    expect(exitCodeOf(result)).toBe(1);
    expect(events).toContainEqual({ kind: 'alarm', name: degraded, state: 'ALARM' });
  });

  test('completed, but an alarm still in ALARM after the stated recovery time: not recovered, exit 1', async () => {
    const { fis, cloudWatch, clients } = setup();
    fis.on(GetExperimentCommand).resolves({ experiment: { state: { status: 'completed' } } });
    cloudWatch.on(DescribeAlarmsCommand).resolves(alarms({ [degraded]: 'OK', [belowDesired]: 'ALARM' }));
    const clock = fakeClock();
    const result = await runExperiment(clients, plan, 'EXT1', { clock, pollMs: 10_000 });
    expect(result.outcome).toBe('not-recovered');
    expect(exitCodeOf(result)).toBe(1);
    // It waited the whole stated recovery time (after one poll for the experiment), and no longer.
    expect(clock.elapsed()).toBe(10_000 + plan.recovery.seconds * 1000);
  });

  test('completed, alarms back to OK within the stated time: recovered after the seconds it took', async () => {
    const { fis, cloudWatch, clients } = setup();
    fis.on(GetExperimentCommand).resolves({ experiment: { state: { status: 'completed' } } });
    cloudWatch
      .on(DescribeAlarmsCommand)
      .resolvesOnce(alarms({ [degraded]: 'ALARM', [belowDesired]: 'OK' }))
      .resolvesOnce(alarms({ [degraded]: 'ALARM', [belowDesired]: 'OK' }))
      .resolvesOnce(alarms({ [degraded]: 'ALARM', [belowDesired]: 'OK' }))
      .resolves(alarms({ [degraded]: 'OK', [belowDesired]: 'OK' }));
    const result = await runExperiment(clients, plan, 'EXT1', { clock: fakeClock(), pollMs: 20_000 });
    expect(result).toMatchObject({ outcome: 'recovered', recoveredAfterSeconds: 40 });
  });

  test('an alarm that does not exist never counts as OK', async () => {
    const { fis, cloudWatch, clients } = setup();
    fis.on(GetExperimentCommand).resolves({ experiment: { state: { status: 'completed' } } });
    cloudWatch.on(DescribeAlarmsCommand).resolves(alarms({ [degraded]: 'OK' }));
    const result = await runExperiment(clients, plan, 'EXT1', { clock: fakeClock(), pollMs: 60_000 });
    expect(result).toMatchObject({ outcome: 'not-recovered', alarms: { [belowDesired]: 'MISSING' } });
  });

  test('failed (FIS could not run an action): exit 1', async () => {
    const { fis, cloudWatch, clients } = setup();
    fis.on(GetExperimentCommand).resolves({ experiment: { state: { status: 'failed', reason: 'Target resolution returned empty set.' } } });
    cloudWatch.on(DescribeAlarmsCommand).resolves(alarms({ [degraded]: 'OK', [belowDesired]: 'OK' }));
    const result = await runExperiment(clients, plan, 'EXT1', { clock: fakeClock(), pollMs: 1000 });
    expect(result).toMatchObject({ outcome: 'failed', reason: 'Target resolution returned empty set.' });
    expect(exitCodeOf(result)).toBe(1);
  });
});

describe('npm run chaos: finding templates', () => {
  test('only this environment’s templates, by their Application, Environment and Experiment tags, across pages', async () => {
    const fis = mockFis();
    fis
      .on(ListExperimentTemplatesCommand)
      .resolvesOnce({
        experimentTemplates: [
          { id: 'EXT-prod', tags: { Application: 'ScaledApp', Environment: 'prod', Experiment: 'zone-lost' } },
          { id: 'EXT-other-app', tags: { Application: 'OtherApp', Environment: 'staging', Experiment: 'zone-lost' } },
          { id: 'EXT-handmade', tags: { Application: 'ScaledApp', Environment: 'staging' } },
        ],
        nextToken: 'page2',
      })
      .resolves({
        experimentTemplates: [{ id: 'EXT-mine', tags: { Application: 'ScaledApp', Environment: 'staging', Experiment: 'zone-lost' } }],
      });
    const found = await findTemplates(new FisClient({ region: 'eu-west-1' }), 'ScaledApp', 'staging');
    expect([...found.entries()]).toEqual([['zone-lost', 'EXT-mine']]);
    expect(fis.commandCalls(ListExperimentTemplatesCommand)[1].args[0].input).toMatchObject({ nextToken: 'page2' });
  });
});

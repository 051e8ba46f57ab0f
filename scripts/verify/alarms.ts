/**
 * The environment's alarms: none may be in ALARM after a deployment. All the environment's alarms share a
 * name prefix (the `AlarmNamePrefix` output), so one paginated query finds them.
 */
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { type Aws, allPages } from './aws';
import { type CheckResult, fail, guard, pass } from './result';

export interface AlarmsInput {
  /** From the `AlarmNamePrefix` output, or `<App>-<env>-`. */
  readonly prefix: string;
}

export async function checkAlarms(aws: Aws, input: AlarmsInput): Promise<CheckResult[]> {
  const name = 'alarms';
  return guard(name, async () => {
    const pages = await allPages(
      (NextToken) =>
        aws.call('cloudwatch:DescribeAlarms', () =>
          aws.clients.cloudWatch.send(
            new DescribeAlarmsCommand({ AlarmNamePrefix: input.prefix, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], NextToken }),
          ),
        ),
      (page) => page.NextToken,
    );
    const alarms = pages.flatMap((page) => [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]);
    // An environment without alarms is not healthy, it is unwatched: most likely a wrong prefix or no Monitoring stack.
    if (alarms.length === 0) return fail(name, `no alarm named ${input.prefix}*: is the Monitoring stack deployed?`);
    const firing = alarms.filter((alarm) => alarm.StateValue === 'ALARM').map((alarm) => alarm.AlarmName ?? '?');
    if (firing.length > 0) return fail(name, `${firing.length} of ${alarms.length} in ALARM: ${firing.join(', ')}`);
    const noData = alarms.filter((alarm) => alarm.StateValue === 'INSUFFICIENT_DATA').length;
    return pass(name, `none of ${alarms.length} in ALARM${noData > 0 ? ` (${noData} with insufficient data)` : ''}`);
  });
}

import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { checkAlarms } from '../../scripts/verify/alarms';
import { CredentialsError } from '../../scripts/verify/aws';
import { awsError, mockAws, throttling } from './support';

const alarm = (AlarmName: string, StateValue: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA') => ({ AlarmName, StateValue });

describe('alarms check', () => {
  test('passes when no alarm of the environment is in ALARM, across every page', async () => {
    const { aws, mocks } = mockAws();
    mocks.cloudWatch
      .on(DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: [alarm('ScaledApp-prod-DbCpu', 'OK')], NextToken: 't2' })
      .resolvesOnce({
        MetricAlarms: [alarm('ScaledApp-prod-Lag', 'INSUFFICIENT_DATA')],
        CompositeAlarms: [alarm('ScaledApp-prod-Any', 'OK')],
      });
    expect(await checkAlarms(aws, { prefix: 'ScaledApp-prod-' })).toEqual([
      { name: 'alarms', ok: true, detail: 'none of 3 in ALARM (1 with insufficient data)' },
    ]);
    const calls = mocks.cloudWatch.commandCalls(DescribeAlarmsCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => [input.AlarmNamePrefix, input.NextToken])).toEqual([
      ['ScaledApp-prod-', undefined],
      ['ScaledApp-prod-', 't2'],
    ]);
  });

  test('fails naming every alarm in ALARM', async () => {
    const { aws, mocks } = mockAws();
    mocks.cloudWatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [alarm('ScaledApp-prod-DbCpu', 'ALARM'), alarm('ScaledApp-prod-Lag', 'OK'), alarm('ScaledApp-prod-5xx', 'ALARM')],
    });
    expect(await checkAlarms(aws, { prefix: 'ScaledApp-prod-' })).toEqual([
      { name: 'alarms', ok: false, detail: '2 of 3 in ALARM: ScaledApp-prod-DbCpu, ScaledApp-prod-5xx' },
    ]);
  });

  test('fails when the environment has no alarm at all: unwatched is not healthy', async () => {
    const { aws, mocks } = mockAws();
    mocks.cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    expect(await checkAlarms(aws, { prefix: 'ScaledApp-dev-' })).toEqual([
      { name: 'alarms', ok: false, detail: 'no alarm named ScaledApp-dev-*: is the Monitoring stack deployed?' },
    ]);
  });

  test('fails, without crashing, when CloudWatch always throttles', async () => {
    const { aws, mocks } = mockAws({ maxAttempts: 2 });
    mocks.cloudWatch.on(DescribeAlarmsCommand).rejects(throttling());
    expect(await checkAlarms(aws, { prefix: 'ScaledApp-prod-' })).toEqual([
      { name: 'alarms', ok: false, detail: 'cloudwatch:DescribeAlarms still throttled after 2 attempts (ThrottlingException)' },
    ]);
  });

  test('stops with a CredentialsError on an expired session token', async () => {
    const { aws, mocks } = mockAws();
    mocks.cloudWatch.on(DescribeAlarmsCommand).rejects(awsError('ExpiredToken', 'The security token included in the request is expired'));
    await expect(checkAlarms(aws, { prefix: 'ScaledApp-prod-' })).rejects.toThrow(
      new CredentialsError(awsError('ExpiredToken', 'The security token included in the request is expired')).message,
    );
  });
});

import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { FaultInjectionExperiment, type FaultInjectionExperimentProps } from '../../lib/constructs/fault-injection-experiment';
import { bareStack } from './fixtures';

const STOP = 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:App-dev-api-degraded';

function props(stack: ReturnType<typeof bareStack>, overrides: Partial<FaultInjectionExperimentProps> = {}): FaultInjectionExperimentProps {
  return {
    description: 'Stop a third of the tasks’ CPU',
    targets: { tasks: { resourceType: 'aws:ecs:task', selectionMode: 'PERCENT(33)', resourceTags: { Environment: 'dev' } } },
    actions: { stress: { actionId: 'aws:ecs:task-cpu-stress', description: 'CPU stress', targets: { Tasks: 'tasks' } } },
    permissions: [{ actions: ['ecs:DescribeTasks'], resources: ['*'] }],
    stopAlarmArns: [STOP],
    logGroup: new logs.LogGroup(stack, 'Logs'),
    tags: { Name: 'App-dev-stress' },
    ...overrides,
  };
}

describe('FaultInjectionExperiment', () => {
  test('a template stopped by the alarms given, with a role only this account’s experiments may assume', () => {
    // GIVEN
    const stack = bareStack();
    // WHEN
    new FaultInjectionExperiment(stack, 'Stress', props(stack));
    // THEN
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::FIS::ExperimentTemplate', {
      StopConditions: [{ Source: 'aws:cloudwatch:alarm', Value: STOP }],
      // Latin-1 only: the typographic apostrophe is a plain one.
      Description: "Stop a third of the tasks' CPU",
    });
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } } }] },
    });
  });

  test('fails without a stop condition', () => {
    const stack = bareStack();
    expect(() => new FaultInjectionExperiment(stack, 'Stress', props(stack, { stopAlarmArns: [] }))).toThrow(
      'Test/Stress: an experiment needs at least one stop condition',
    );
  });

  test('fails on an action that names a target the experiment does not have', () => {
    const stack = bareStack();
    const actions = { stress: { actionId: 'aws:ecs:task-cpu-stress', description: 'CPU stress', targets: { Tasks: 'containers' } } };
    expect(() => new FaultInjectionExperiment(stack, 'Stress', props(stack, { actions }))).toThrow(
      'Test/Stress: expected action stress to name targets of this experiment (tasks), got containers',
    );
  });
});

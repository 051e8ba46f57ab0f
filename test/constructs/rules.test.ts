/** The EventBridge rules and the zonal autoshift configuration of the Monitoring stack, each in a bare stack. */
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { BackupFailureRules } from '../../lib/constructs/backup-failure-rules';
import { DeploymentFailureRule } from '../../lib/constructs/deployment-failure-rule';
import { ZonalAutoshift } from '../../lib/constructs/zonal-autoshift';
import { bareStack } from './fixtures';

const LB_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/app-dev/abc';

function alarm(stack: ReturnType<typeof bareStack>, id: string): cloudwatch.Alarm {
  return new cloudwatch.Alarm(stack, id, {
    metric: new cloudwatch.Metric({ namespace: 'Test', metricName: id }),
    threshold: 1,
    evaluationPeriods: 1,
  });
}

describe('DeploymentFailureRule', () => {
  test('matches failed deployments of the services it is given and notifies the topic', () => {
    // GIVEN
    const stack = bareStack();
    const topic = new sns.Topic(stack, 'Topic');
    const service = ecs.FargateService.fromServiceArnWithCluster(stack, 'Svc', 'arn:aws:ecs:eu-west-1:111111111111:service/c/api');
    // WHEN
    new DeploymentFailureRule(stack, 'Rule', { services: [service], topic, runbookLink: 'docs/runbook.md#deployment-failed' });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecs'],
        'detail-type': ['ECS Deployment State Change'],
        resources: [service.serviceArn],
        detail: { eventName: ['SERVICE_DEPLOYMENT_FAILED'] },
      },
      Targets: [Match.objectLike({ Arn: stack.resolve(topic.topicArn) })],
    });
    expect(targetInputs(stack)[0]).toContain('Runbook: docs/runbook.md#deployment-failed');
  });

  test('no runbook link in the message by default', () => {
    const stack = bareStack();
    const service = ecs.FargateService.fromServiceArnWithCluster(stack, 'Svc', 'arn:aws:ecs:eu-west-1:111111111111:service/c/api');
    new DeploymentFailureRule(stack, 'Rule', { services: [service], topic: new sns.Topic(stack, 'Topic') });
    expect(targetInputs(stack)[0]).not.toContain('Runbook');
  });

  test('fails without a service, whose empty resource list would not mean any one service', () => {
    const stack = bareStack();
    expect(() => new DeploymentFailureRule(stack, 'Rule', { services: [], topic: new sns.Topic(stack, 'Topic') })).toThrow(
      'DeploymentFailureRule Test/Rule: expected at least one service to watch, got none',
    );
  });
});

describe('BackupFailureRules', () => {
  test('one rule each for failed, aborted or expired backup, copy and restore jobs, each notifying the topic', () => {
    // GIVEN
    const stack = bareStack();
    const topic = new sns.Topic(stack, 'Topic');
    // WHEN
    const rules = new BackupFailureRules(stack, 'Backups', { topic });
    // THEN
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::Events::Rule', 3);
    const failed = ['FAILED', 'ABORTED', 'EXPIRED'];
    for (const detailType of ['Backup Job State Change', 'Copy Job State Change', 'Restore Job State Change']) {
      t.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { source: ['aws.backup'], 'detail-type': [detailType], detail: { $or: [{ state: failed }, { status: failed }] } },
        Targets: [Match.objectLike({ Arn: stack.resolve(topic.topicArn) })],
      });
    }
    expect(rules.rules.map((r) => r.kind)).toEqual(['backup', 'copy', 'restore-test']);
  });

  test('no runbook link in the messages by default', () => {
    const stack = bareStack();
    new BackupFailureRules(stack, 'Backups', { topic: new sns.Topic(stack, 'Topic') });
    expect(targetInputs(stack).filter((input) => input.includes('Runbook'))).toEqual([]);
  });

  test('each message links its own runbook section when given', () => {
    const stack = bareStack();
    new BackupFailureRules(stack, 'Backups', {
      topic: new sns.Topic(stack, 'Topic'),
      runbookLinks: { backup: 'runbook#backup', copy: 'runbook#copy', restoreTest: 'runbook#restore' },
    });
    const inputs = targetInputs(stack);
    expect(inputs.map((input) => input.match(/Runbook: ([\w#.]+)/)?.[1])).toEqual(['runbook#backup', 'runbook#copy', 'runbook#restore']);
  });
});

/** The text each rule of the stack sends its target, in template order. */
function targetInputs(stack: ReturnType<typeof bareStack>): string[] {
  return Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule')).map((r) =>
    JSON.stringify(r.Properties.Targets[0].InputTransformer.InputTemplate),
  );
}

describe('ZonalAutoshift', () => {
  test('one alarm is used as it is, as both blocking and outcome alarm', () => {
    // GIVEN
    const stack = bareStack();
    // WHEN
    new ZonalAutoshift(stack, 'Autoshift', { loadBalancerArn: LB_ARN, alarms: [alarm(stack, 'A')] });
    // THEN
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 0);
    const [config] = Object.values(t.findResources('AWS::ARCZonalShift::ZonalAutoshiftConfiguration')).map((r) => r.Properties);
    const condition = [{ Type: 'CLOUDWATCH', AlarmIdentifier: { 'Fn::GetAtt': [expect.stringMatching(/^A/), 'Arn'] } }];
    expect(config).toEqual({
      ResourceIdentifier: LB_ARN,
      ZonalAutoshiftStatus: 'ENABLED',
      // No blocked windows by default.
      PracticeRunConfiguration: { BlockingAlarms: condition, OutcomeAlarms: condition },
    });
  });

  test('the blocked windows it is given, and the runbook link in the composite', () => {
    const stack = bareStack();
    new ZonalAutoshift(stack, 'Autoshift', {
      loadBalancerArn: LB_ARN,
      alarms: [alarm(stack, 'A'), alarm(stack, 'B')],
      blockedWindows: ['Mon:07:00-Mon:10:00'],
      runbookUrl: 'docs/runbook.md#zonal-autoshift',
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ARCZonalShift::ZonalAutoshiftConfiguration', {
      PracticeRunConfiguration: { BlockedWindows: ['Mon:07:00-Mon:10:00'] },
    });
    const [composite] = Object.values(t.findResources('AWS::CloudWatch::CompositeAlarm')).map((r) => r.Properties);
    expect(composite.AlarmDescription).toMatch(/Runbook: docs\/runbook.md#zonal-autoshift$/);
    // In ALARM when either is; named after its construct path by default.
    expect(JSON.stringify(composite.AlarmRule)).toMatch(/ALARM\(.*\) OR ALARM\(/);
    expect(composite.AlarmName).toMatch(/^TestAutoshiftPracticeRunGuard/);
  });

  test('several alarms are folded into one composite with the name given', () => {
    const stack = bareStack();
    new ZonalAutoshift(stack, 'Autoshift', {
      loadBalancerArn: LB_ARN,
      alarms: [alarm(stack, 'A'), alarm(stack, 'B')],
      compositeAlarmName: 'App-dev-guard',
    });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::CompositeAlarm', { AlarmName: 'App-dev-guard' });
  });

  test('fails without an alarm', () => {
    const stack = bareStack();
    expect(() => new ZonalAutoshift(stack, 'Autoshift', { loadBalancerArn: LB_ARN, alarms: [] })).toThrow(
      'ZonalAutoshift Test/Autoshift: expected at least one alarm to block and judge practice runs, got none',
    );
  });
});

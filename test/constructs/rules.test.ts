/** The EventBridge rules and the zonal autoshift configuration of the Monitoring stack, each in a bare stack. */
import { Template } from 'aws-cdk-lib/assertions';
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
      EventPattern: { 'detail-type': ['ECS Deployment State Change'], detail: { eventName: ['SERVICE_DEPLOYMENT_FAILED'] } },
    });
  });

  test('fails without a service, whose empty resource list would not mean any one service', () => {
    const stack = bareStack();
    expect(() => new DeploymentFailureRule(stack, 'Rule', { services: [], topic: new sns.Topic(stack, 'Topic') })).toThrow(
      'DeploymentFailureRule Test/Rule: expected at least one service to watch, got none',
    );
  });
});

describe('BackupFailureRules', () => {
  test('one rule each for failed backup, copy and restore jobs', () => {
    const stack = bareStack();
    new BackupFailureRules(stack, 'Backups', { topic: new sns.Topic(stack, 'Topic') });
    Template.fromStack(stack).resourceCountIs('AWS::Events::Rule', 3);
  });
});

describe('ZonalAutoshift', () => {
  test('one alarm is used as it is, as both blocking and outcome alarm', () => {
    // GIVEN
    const stack = bareStack();
    // WHEN
    new ZonalAutoshift(stack, 'Autoshift', { loadBalancerArn: LB_ARN, alarms: [alarm(stack, 'A')] });
    // THEN
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::CloudWatch::CompositeAlarm', 0);
    t.hasResourceProperties('AWS::ARCZonalShift::ZonalAutoshiftConfiguration', { ZonalAutoshiftStatus: 'ENABLED' });
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

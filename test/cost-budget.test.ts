/**
 * Specifications of the CostBudget construct, in a bare stack: a monthly cost budget whose notifications go to
 * the alarm topic, and the publisher entry that lets AWS Budgets publish there. That the topic and key policies
 * admit this budget and nothing else is proved by the permission matrix (test/iam), which evaluates them.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AlarmTopic } from '../lib/constructs/alarm-topic';
import { CostBudget, type CostBudgetProps } from '../lib/constructs/cost-budget';

function build(props: Partial<CostBudgetProps> = {}) {
  const stack = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
  const topic = new AlarmTopic(stack, 'AlarmTopic', {
    subscriptions: [],
    publishers: [AlarmTopic.budget(stack)],
  });
  new CostBudget(stack, 'Budget', { budgetName: 'App-dev-monthly', monthlyLimit: 500, topic: topic.topic, ...props });
  return { topicRef: stack.resolve(topic.topic.topicArn) as unknown, template: Template.fromStack(stack) };
}

test('a monthly USD cost budget notifies the topic at 80% of actual and 100% of forecast spend', () => {
  const { topicRef, template } = build();
  template.hasResourceProperties('AWS::Budgets::Budget', {
    Budget: { BudgetName: 'App-dev-monthly', BudgetType: 'COST', TimeUnit: 'MONTHLY', BudgetLimit: { Amount: 500, Unit: 'USD' } },
    NotificationsWithSubscribers: [
      {
        Notification: { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 80, ThresholdType: 'PERCENTAGE' },
        Subscribers: [{ SubscriptionType: 'SNS', Address: topicRef }],
      },
      {
        Notification: { NotificationType: 'FORECASTED', ComparisonOperator: 'GREATER_THAN', Threshold: 100, ThresholdType: 'PERCENTAGE' },
        Subscribers: [{ SubscriptionType: 'SNS', Address: topicRef }],
      },
    ],
  });
});

test('the thresholds follow the props', () => {
  const { template } = build({ actualPercent: 50, forecastPercent: 120 });
  const [budget] = Object.values(template.findResources('AWS::Budgets::Budget'));
  const thresholds = (budget.Properties.NotificationsWithSubscribers as { Notification: { Threshold: number } }[]).map(
    (n) => n.Notification.Threshold,
  );
  expect(thresholds).toEqual([50, 120]);
});

test('the budgets publisher is scoped to the budgets of this account, as the Budgets guide documents, with no region', () => {
  const stack = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
  const publisher = AlarmTopic.budget(stack);
  expect(publisher.servicePrincipal).toBe('budgets.amazonaws.com');
  expect(stack.resolve(publisher.sourceArn)).toEqual({
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':budgets::111111111111:*']],
  });
  // Whether Budgets' KMS requests carry a source is not documented: its key statement is unscoped.
  expect(publisher.keyRequestsCarrySource).toBe(false);
});

test('fails when the limit or a threshold is out of range, naming every problem', () => {
  expect(() => build({ monthlyLimit: 0, actualPercent: -5, forecastPercent: 2000 })).toThrow(
    'CostBudget Test/Budget: monthlyLimit: expected a number > 0, got 0; actualPercent: expected a percentage in (0, 1000], got -5; forecastPercent: expected a percentage in (0, 1000], got 2000',
  );
});

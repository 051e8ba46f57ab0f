/**
 * Specifications of the alarm topic's publishers: one list, applied to the topic policy and the key policy
 * alike. That the resulting policies let the app's alarms publish (and nothing else) is proved by the
 * permission matrix (test/iam), which evaluates them.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AlarmTopic } from '../lib/constructs/alarm-topic';

function build(extra: { servicePrincipal: string; sourceArn: string }[] = []) {
  const stack = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
  new AlarmTopic(stack, 'AlarmTopic', {
    subscriptions: [],
    publishers: [AlarmTopic.cloudWatchAlarms(stack, 'App-dev'), AlarmTopic.eventBridgeRules(stack, 'App-dev'), ...extra],
  });
  return Template.fromStack(stack);
}

const scoped = (service: string, sourceArn: unknown) =>
  Match.objectLike({
    Principal: { Service: service },
    Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' }, ArnLike: { 'aws:SourceArn': sourceArn } },
  });

test("the topic policy admits this app's CloudWatch alarms and EventBridge rules, scoped by account and source, and refuses plain HTTP", () => {
  const [policy] = Object.values(build().findResources('AWS::SNS::TopicPolicy'));
  const statements = policy.Properties.PolicyDocument.Statement as { Effect: string; Principal: unknown; Condition: unknown }[];
  expect(statements).toContainEqual(
    expect.objectContaining({ Effect: 'Deny', Principal: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
  );
  const allow = (service: string) => statements.find((st) => JSON.stringify(st.Principal) === JSON.stringify({ Service: service }));
  expect(JSON.stringify(allow('cloudwatch.amazonaws.com')?.Condition)).toMatch(
    /"aws:SourceAccount":"111111111111".*:cloudwatch:eu-west-1:111111111111:alarm:App-dev-\*/,
  );
  expect(JSON.stringify(allow('events.amazonaws.com')?.Condition)).toMatch(
    /"aws:SourceAccount":"111111111111".*:events:eu-west-1:111111111111:rule\/App-dev-\*/,
  );
  // Nothing else may publish: the statements are the deny and one per publisher.
  expect(statements).toHaveLength(3);
});

test('a publisher added later gets the same statement in the topic policy and the key policy', () => {
  const template = build([{ servicePrincipal: 'budgets.amazonaws.com', sourceArn: 'arn:aws:budgets::111111111111:*' }]);
  template.hasResourceProperties('AWS::SNS::TopicPolicy', {
    PolicyDocument: { Statement: Match.arrayWith([scoped('budgets.amazonaws.com', 'arn:aws:budgets::111111111111:*')]) },
  });
  template.hasResourceProperties('AWS::KMS::Key', {
    KeyPolicy: { Statement: Match.arrayWith([scoped('budgets.amazonaws.com', 'arn:aws:budgets::111111111111:*')]) },
  });
});

test("EventBridge's key statement carries no source condition (its KMS requests carry none); the topic statement keeps it", () => {
  const template = build();
  const [key] = Object.values(template.findResources('AWS::KMS::Key'));
  const keyStatements = key.Properties.KeyPolicy.Statement as { Principal: unknown; Action: unknown; Condition?: unknown }[];
  const events = keyStatements.filter((st) => JSON.stringify(st.Principal) === JSON.stringify({ Service: 'events.amazonaws.com' }));
  expect(events).toEqual([expect.objectContaining({ Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] })]);
  expect(events[0]!.Condition).toBeUndefined();
  // CloudWatch's requests do carry them: its key statement stays scoped.
  template.hasResourceProperties('AWS::KMS::Key', {
    KeyPolicy: { Statement: Match.arrayWith([scoped('cloudwatch.amazonaws.com', Match.anyValue())]) },
  });
});

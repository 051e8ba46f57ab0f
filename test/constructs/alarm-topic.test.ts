import { RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AlarmTopic } from '../../lib/constructs/alarm-topic';
import { bareStack } from './fixtures';

describe('AlarmTopic', () => {
  test('no subscriptions and a retained key by default', () => {
    // GIVEN
    const stack = bareStack();
    // WHEN
    new AlarmTopic(stack, 'Topic', { publishers: [AlarmTopic.cloudWatchAlarms(stack, 'App-dev')] });
    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
  });

  test('subscribes e-mail and https endpoints; the key removal policy is the one given', () => {
    const stack = bareStack();
    new AlarmTopic(stack, 'Topic', {
      publishers: [],
      keyRemovalPolicy: RemovalPolicy.DESTROY,
      subscriptions: [
        { protocol: 'email', endpoint: 'oncall@example.com' },
        { protocol: 'https', endpoint: 'https://hooks.example.com/alarm' },
      ],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'https', Endpoint: 'https://hooks.example.com/alarm' });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  test('fails on an https subscription whose endpoint is not an https URL', () => {
    const stack = bareStack();
    expect(
      () =>
        new AlarmTopic(stack, 'Topic', { publishers: [], subscriptions: [{ protocol: 'https', endpoint: 'http://hooks.example.com' }] }),
    ).toThrow('AlarmTopic Test/Topic: expected an https:// endpoint for an https subscription, got "http://hooks.example.com"');
  });
});

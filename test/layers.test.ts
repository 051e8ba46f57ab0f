import { Match } from 'aws-cdk-lib/assertions';
import { synth } from './support/synth';

describe('data stack', () => {
  test('the database and the cache tiers each get their own rotating customer-managed key', () => {
    const data = synth('prod').template('data');
    data.resourcePropertiesCountIs('AWS::KMS::Key', { EnableKeyRotation: true }, 2);
    data.hasResourceProperties('AWS::KMS::Key', { Description: Match.stringLikeRegexp('PostgreSQL') });
    data.hasResourceProperties('AWS::KMS::Key', { Description: Match.stringLikeRegexp('cache tiers') });
  });

  test('prod retains the data keys when they leave the template', () => {
    const keys = synth('prod').template('data').findResources('AWS::KMS::Key');
    expect(Object.values(keys).map((k) => k.DeletionPolicy)).toEqual(['Retain', 'Retain']);
  });
});

describe('service stack', () => {
  test('the cluster has Container Insights on', () => {
    synth('dev')
      .template('service')
      .hasResourceProperties('AWS::ECS::Cluster', { ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }] });
  });
});

describe('monitoring stack', () => {
  test('the alarm topic is encrypted with its own key and refuses plain HTTP publishing', () => {
    const monitoring = synth('prod').template('monitoring');
    monitoring.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    monitoring.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  test('CloudWatch alarms and EventBridge may use the topic key to publish', () => {
    synth('prod')
      .template('monitoring')
      .hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            }),
          ]),
        },
      });
  });

  test('subscriptions come from config: prod pages on-call by email, dev has none', () => {
    synth('prod')
      .template('monitoring')
      .hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
    synth('dev').template('monitoring').resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

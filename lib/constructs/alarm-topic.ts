import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { MonitoringConfig } from '../../config/schema';
import { EncryptionKey } from './encryption';

export interface AlarmTopicProps {
  readonly subscriptions: MonitoringConfig['alarmSubscriptions'];
  readonly production: boolean;
}

/**
 * The one topic every alarm of the environment notifies, on ALARM and on OK. Encrypted with its own key,
 * which CloudWatch and EventBridge may use to publish.
 */
export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;
  readonly key: EncryptionKey;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    this.key = new EncryptionKey(this, 'Key', { description: 'Encrypts the alarm topic', production: props.production });
    // Alarms and EventBridge rules publish to an encrypted topic only if the key lets them.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com'), new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'Resource', { masterKey: this.key, enforceSSL: true });
    for (const sub of props.subscriptions) {
      this.topic.addSubscription(
        sub.protocol === 'email' ? new subscriptions.EmailSubscription(sub.endpoint) : new subscriptions.UrlSubscription(sub.endpoint),
      );
    }
  }
}

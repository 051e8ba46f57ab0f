import { ArnFormat, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { EncryptionKey } from './encryption';

/** One recipient of the alarm notifications. */
export interface AlarmSubscription {
  readonly protocol: 'email' | 'https';
  /** The e-mail address, or the `https://` URL. */
  readonly endpoint: string;
}

/** An AWS service that publishes to the alarm topic on this account's behalf, and which of its resources may. */
export interface AlarmPublisher {
  /** The service principal: `cloudwatch.amazonaws.com`, `events.amazonaws.com`, `budgets.amazonaws.com`, ... */
  readonly servicePrincipal: string;
  /** ARN pattern (`ArnLike`) of the resources that publish: this app's alarms, its rules. */
  readonly sourceArn: string;
  /**
   * Whether the publisher's requests to KMS carry `aws:SourceAccount` and `aws:SourceArn`, so that the key
   * statement can be scoped like the topic statement. EventBridge's do not: the SNS developer guide says adding
   * them to a KMS key policy "is not supported for EventBridge-to-encrypted topics", and a key statement that
   * requires them silently drops every event (awslabs/landing-zone-accelerator-on-aws#407 found it in production).
   * @default true
   */
  readonly keyRequestsCarrySource?: boolean;
}

export interface AlarmTopicProps {
  /**
   * Who is told: an e-mail address or an HTTPS endpoint each.
   * @default - no subscriptions
   */
  readonly subscriptions?: readonly AlarmSubscription[];
  /**
   * What CloudFormation does with the topic's key when it leaves the template.
   * @default RemovalPolicy.RETAIN
   */
  readonly keyRemovalPolicy?: RemovalPolicy;
  /**
   * Who may publish. Each gets the same statement in the topic policy and in the key policy, scoped to this
   * account (`aws:SourceAccount`) and to `sourceArn` (`aws:SourceArn`), so that no other account's alarm or
   * rule can use the topic (the confused deputy). Add a publisher here, never on the topic directly.
   */
  readonly publishers: readonly AlarmPublisher[];
}

/**
 * The one topic every alarm of the environment notifies, on ALARM and on OK, encrypted with its own key.
 *
 * `enforceSSL` (and any grant) makes CDK write a topic policy, which replaces SNS's default one: whoever is not
 * named in it cannot publish. Alarms were once left out that way and no notification could arrive, so the
 * publishers are one list, applied to both policies here (docs/observability.md, "Delivery").
 */
export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;
  readonly key: EncryptionKey;

  /** CloudWatch alarms (metric and composite) named `<namePrefix>-*` in this stack's account and region. */
  static cloudWatchAlarms(scope: Construct, namePrefix: string): AlarmPublisher {
    return {
      servicePrincipal: 'cloudwatch.amazonaws.com',
      sourceArn: Stack.of(scope).formatArn({
        service: 'cloudwatch',
        resource: 'alarm',
        resourceName: `${namePrefix}-*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    };
  }

  /** EventBridge rules of stacks named `<namePrefix>-*` (CloudFormation names a rule after its stack). */
  static eventBridgeRules(scope: Construct, namePrefix: string): AlarmPublisher {
    return {
      servicePrincipal: 'events.amazonaws.com',
      sourceArn: Stack.of(scope).formatArn({ service: 'events', resource: 'rule', resourceName: `${namePrefix}-*` }),
      keyRequestsCarrySource: false,
    };
  }

  /**
   * The AWS Budgets budgets of this account. Budgets is a global service: its ARNs have no region
   * (`arn:aws:budgets::ACCOUNT:budget/NAME`).
   */
  static budget(scope: Construct): AlarmPublisher {
    return {
      servicePrincipal: 'budgets.amazonaws.com',
      // The pattern the AWS Budgets guide documents for a topic's policy (`arn:aws:budgets::<account>:*`): what
      // Budgets sends as the source of a notification is not documented more precisely, and a narrower pattern that
      // missed would drop every notification silently.
      sourceArn: Stack.of(scope).formatArn({ service: 'budgets', region: '', resource: '*' }),
      // Not documented to reach KMS either: the key statement is unscoped, as EventBridge's (the topic's is not).
      keyRequestsCarrySource: false,
    };
  }

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    this.key = new EncryptionKey(this, 'Key', { description: 'Encrypts the alarm topic', removalPolicy: props.keyRemovalPolicy });
    this.topic = new sns.Topic(this, 'Resource', { masterKey: this.key, enforceSSL: true });
    const account = Stack.of(this).account;
    for (const publisher of props.publishers) {
      const principals = [new iam.ServicePrincipal(publisher.servicePrincipal)];
      const conditions = { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': publisher.sourceArn } };
      this.topic.addToResourcePolicy(
        new iam.PolicyStatement({ principals, actions: ['sns:Publish'], resources: [this.topic.topicArn], conditions }),
      );
      // SNS encrypts each message with a data key of the topic's key, on the publisher's behalf. Unscoped for a
      // publisher whose KMS requests carry no source (EventBridge): the key is this topic's alone, and the topic
      // policy above still admits only this account's rules, so the key cannot be used to publish elsewhere.
      const keyConditions = publisher.keyRequestsCarrySource === false ? undefined : conditions;
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          principals,
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: keyConditions,
        }),
      );
    }
    for (const sub of props.subscriptions ?? []) {
      if (sub.protocol === 'https' && !sub.endpoint.startsWith('https://')) {
        throw new Error(
          `AlarmTopic ${this.node.path}: expected an https:// endpoint for an https subscription, got ${JSON.stringify(sub.endpoint)}`,
        );
      }
      this.topic.addSubscription(
        sub.protocol === 'email' ? new subscriptions.EmailSubscription(sub.endpoint) : new subscriptions.UrlSubscription(sub.endpoint),
      );
    }
  }
}

/**
 * Customer-managed KMS keys and the encrypted log groups that most constructs need.
 * Shared here so that every key has rotation on and every log group the same retention and removal rules.
 */
import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * Stateful resources are kept when they leave a production template; elsewhere they are deleted, so that
 * tearing down a dev environment leaves nothing behind to pay for.
 */
export function statefulRemovalPolicy(production: boolean): RemovalPolicy {
  return production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
}

export interface EncryptionKeyProps {
  /** What the key protects; shown in the KMS console. */
  readonly description: string;
  readonly production: boolean;
  /**
   * Let CloudWatch Logs in this account and region use the key, for log groups encrypted with it.
   * @default false
   */
  readonly forCloudWatchLogs?: boolean;
}

/** A customer-managed key with yearly rotation, retained in production. */
export class EncryptionKey extends kms.Key {
  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id, {
      description: props.description,
      enableKeyRotation: true,
      removalPolicy: statefulRemovalPolicy(props.production),
    });
    if (props.forCloudWatchLogs) {
      // CloudWatch Logs needs the key policy to name it, scoped to this account's log groups.
      this.addToResourcePolicy(
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
          actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
          resources: ['*'],
          conditions: {
            ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*` },
          },
        }),
      );
    }
  }
}

export interface EncryptedLogGroupProps {
  readonly encryptionKey: kms.IKey;
  readonly retentionDays: number;
  readonly production: boolean;
  /** @default - a name CloudFormation generates */
  readonly logGroupName?: string;
}

/** A log group encrypted with a customer-managed key, its retention from configuration. */
export class EncryptedLogGroup extends logs.LogGroup {
  constructor(scope: Construct, id: string, props: EncryptedLogGroupProps) {
    super(scope, id, {
      logGroupName: props.logGroupName,
      encryptionKey: props.encryptionKey,
      retention: props.retentionDays as logs.RetentionDays,
      removalPolicy: statefulRemovalPolicy(props.production),
    });
  }
}

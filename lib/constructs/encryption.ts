/**
 * Customer-managed KMS keys and the encrypted log groups that most constructs need.
 * Shared here so that every key has rotation on and every log group the same retention and removal rules.
 */
import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance';

/** Control Tower's CT.CLOUDWATCH.PR.2 asks log groups to keep events at least this long. */
const ONE_YEAR_DAYS = 365;
/** The retention periods CloudWatch Logs accepts (`logs.RetentionDays`, less "infinite"). */
const RETENTION_DAYS = new Set(Object.values(logs.RetentionDays).filter((d): d is number => typeof d === 'number' && d > 0));

export interface EncryptionKeyProps {
  /** What the key protects; shown in the KMS console. */
  readonly description: string;
  /**
   * What CloudFormation does with the key when it leaves the template.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Let CloudWatch Logs in this account and region use the key, for log groups encrypted with it.
   * @default false
   */
  readonly forCloudWatchLogs?: boolean;
}

/** A customer-managed key with yearly rotation. */
export class EncryptionKey extends kms.Key {
  /** A key for log groups: CloudWatch Logs of this account and region may use it. */
  static forLogs(scope: Construct, id: string, props: Omit<EncryptionKeyProps, 'forCloudWatchLogs'>): EncryptionKey {
    return new EncryptionKey(scope, id, { ...props, forCloudWatchLogs: true });
  }

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id, {
      description: props.description,
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    // Grants hand the key's use to another principal without a policy change, so only AWS services may create
    // them: for a resource they manage on a caller's behalf (RDS, ElastiCache, Secrets Manager set
    // kms:GrantIsForAWSResource), or as a service principal themselves. A person or a task role cannot, even one the
    // account-root statement allows `kms:*`. This is Control Tower's CT.KMS.PR.3, in the shape its rule checks.
    this.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CreateGrantOnlyForAwsServices',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:CreateGrant'],
        resources: ['*'],
        conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
      }),
    );
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
  /** Days to keep log events: one of the values CloudWatch Logs accepts. */
  readonly retentionDays: number;
  /**
   * What CloudFormation does with the log group when it leaves the template.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Acknowledge Control Tower's CT.CLOUDWATCH.PR.2 (at least a year of retention) when `retentionDays` is shorter:
   * for an environment whose logs serve debugging, not audit. Where it is not acknowledged, a shorter retention
   * fails the synth.
   * @default false
   */
  readonly acknowledgeShortRetention?: boolean;
  /** @default - a name CloudFormation generates */
  readonly logGroupName?: string;
}

/** What every log group of a construct shares: how it leaves the template, and whether short retention is accepted. */
export type LogGroupPolicy = Pick<EncryptedLogGroupProps, 'removalPolicy' | 'acknowledgeShortRetention'>;

/** A log group encrypted with a customer-managed key, its retention from configuration. */
export class EncryptedLogGroup extends logs.LogGroup {
  constructor(scope: Construct, id: string, props: EncryptedLogGroupProps) {
    super(scope, id, {
      logGroupName: props.logGroupName,
      encryptionKey: props.encryptionKey,
      retention: props.retentionDays as logs.RetentionDays,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    if (!Number.isInteger(props.retentionDays) || !RETENTION_DAYS.has(props.retentionDays)) {
      throw new Error(
        `EncryptedLogGroup ${this.node.path}: expected retentionDays to be one of ${[...RETENTION_DAYS].join(', ')}, got ${props.retentionDays}`,
      );
    }
    // Only where acknowledged (outside production): elsewhere the control stands, so a retention under a year fails the synth.
    if (props.acknowledgeShortRetention && props.retentionDays < ONE_YEAR_DAYS) {
      acknowledge(
        this,
        `Log events are kept ${props.retentionDays} days by configuration in this non-production environment, where they serve debugging, not audit. Production does not acknowledge this control, so a retention under a year fails its synth.`,
        'CT.CLOUDWATCH.PR.2',
      );
    }
  }
}

/**
 * The services' database users, created by the stack at deploy time: a custom resource whose function logs in
 * to the writer as the master user and runs `identitySql` (lib/database/identity-sql.ts).
 *
 * Why a function in the VPC rather than the RDS Data API: the Data API exists for Aurora only, and `postgres`
 * needs the same users; one mechanism for both engines is one thing to test and to operate.
 */
import * as crypto from 'crypto';
import * as path from 'path';
import { type CfnElement, CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeUnreservedConcurrency, concurrencyReservation } from '../compliance';
import { type DatabaseIdentity, identitySql } from '../database/identity-sql';
import { EncryptedLogGroup, type LogGroupPolicy } from './encryption';

export interface DatabaseIdentitiesProps {
  /** The identities of every service; the custom resource re-runs whenever the statements they make change. */
  readonly identities: readonly DatabaseIdentity[];
  readonly databaseName: string;
  /** The writer's own endpoint (not the proxy: with end-to-end IAM the master user cannot log in through it). */
  readonly writerHost: string;
  readonly port: number;
  /** The master secret; the function is the only reader besides secret rotation. */
  readonly masterSecret: secretsmanager.ISecret;
  readonly vpc: ec2.IVpc;
  /** Private subnets with a route to Secrets Manager and to CloudFormation's response URL (S3). */
  readonly subnets: ec2.SubnetSelection;
  /** The writer's security group: it admits the function on `port`. */
  readonly databaseSecurityGroup: ec2.ISecurityGroup;
  /** Encrypts the function's log group. */
  readonly logsKey: kms.IKey;
  readonly logRetentionDays: number;
  /**
   * Removal of the function's log group, and whether a retention under a year is acknowledged (outside production).
   * @default - retained; short retention not acknowledged
   */
  readonly logGroupPolicy?: LogGroupPolicy;
  /**
   * Whether the function reserves its concurrency (1), as the NIST 800-53 and HIPAA packs ask. Lambda refuses a
   * reservation that leaves the account fewer than 100 unreserved concurrent executions: for an account whose quota
   * is lower, pass false, and the packs' rule is acknowledged on the function instead.
   * @default true
   */
  readonly reserveConcurrency?: boolean;
}

/** Why a custom resource function of this project has no dead-letter queue (cdk-nag's LambdaDLQ). */
export const CUSTOM_RESOURCE_NO_DLQ =
  'CloudFormation invokes a custom resource function asynchronously and waits for its answer: a failure fails the deployment with the reason, which is where it must be seen, so a dead-letter queue would hold nothing anyone reads.';

/** Who invokes a custom resource function of this project, and how often: what a reserved concurrency would bound. */
export const CUSTOM_RESOURCE_INVOCATION =
  'CloudFormation invokes it once per deployment that creates or changes its custom resource, and waits for it; nothing else may invoke it.';

/** The runtime's bundle of Amazon CAs, RDS's among them (Node.js 18+ runtimes do not load it by default). */
const RUNTIME_CA_BUNDLE = '/var/runtime/ca-cert.pem';

export class DatabaseIdentities extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly securityGroup: ec2.SecurityGroup;
  readonly resource: CustomResource;
  /** The statements the custom resource runs, in order. */
  readonly statements: readonly string[];

  constructor(scope: Construct, id: string, props: DatabaseIdentitiesProps) {
    super(scope, id);
    this.statements = identitySql(props.identities, { databaseName: props.databaseName });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Database identity bootstrap: out to the writer on 5432 and to AWS APIs on 443',
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'Secrets Manager and the CloudFormation response URL, through NAT',
    );
    this.securityGroup.connections.allowTo(props.databaseSecurityGroup, ec2.Port.tcp(props.port), 'Identity bootstrap to the writer');

    const logGroup = new EncryptedLogGroup(this, 'Logs', {
      encryptionKey: props.logsKey,
      retentionDays: props.logRetentionDays,
      ...props.logGroupPolicy,
    });

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Database identity bootstrap: reads the master secret, writes its own logs, attaches to the VPC',
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`${logGroup.logGroupArn}:*`],
      }),
    );
    // What Lambda needs to place the function in the VPC; these EC2 actions have no resource-level permissions.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }),
    );
    props.masterSecret.grantRead(role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(__dirname, '..', 'database', 'identity-handler.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      role,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [this.securityGroup],
      timeout: Duration.minutes(3),
      memorySize: 256,
      // One deployment at a time runs it; nothing else may.
      reservedConcurrentExecutions: concurrencyReservation(props.reserveConcurrency, 1),
      logGroup,
      environment: { NODE_EXTRA_CA_CERTS: RUNTIME_CA_BUNDLE },
      bundling: {
        // `pg-native` is an optional dependency of pg that is never loaded; the SDK is the runtime's.
        externalModules: ['@aws-sdk/*', 'pg-native'],
        minify: true,
        sourceMap: false,
      },
    });
    acknowledgeUnreservedConcurrency(this.function, CUSTOM_RESOURCE_INVOCATION);

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.function.functionArn,
      resourceType: 'Custom::DatabaseIdentities',
      properties: {
        SecretArn: props.masterSecret.secretArn,
        Host: props.writerHost,
        Port: String(props.port),
        DatabaseName: props.databaseName,
        Statements: [...this.statements],
        // Also a visible digest of the statements, so a reviewer sees in a diff that the users change.
        StatementsSha256: crypto.createHash('sha256').update(this.statements.join('\n')).digest('hex'),
      },
    });
    this.acknowledgeFindings(role, logGroup);
  }

  private acknowledgeFindings(role: iam.Role, logGroup: EncryptedLogGroup): void {
    // By the log group's own logical ID, so that a renamed parent construct stays acknowledged.
    const logGroupId = Stack.of(this).getLogicalId(logGroup.node.defaultChild as CfnElement);
    const region = Stack.of(this).region;
    acknowledge(
      role,
      `The policy is this one role's own: logs of its own log group, the master secret (and its key through Secrets Manager in ${region}), and the EC2 network-interface actions Lambda needs to attach a function to the VPC, which have no resource-level permissions (hence *).`,
      '*-IAMNoInlinePolicy',
      'AwsSolutions-IAM5[Resource::*]',
      // Its own log group's streams.
      `AwsSolutions-IAM5[Resource::<${logGroupId}.Arn>:*]`,
    );
    acknowledge(this.function, CUSTOM_RESOURCE_NO_DLQ, '*-LambdaDLQ');
    acknowledge(
      this.function,
      'The function runs in this VPC: VpcConfig names the private subnets and its own security group. The subnet IDs come from the Network stack through Fn::GetStackOutput, which the static rule does not count as a reference (it accepts strings and local references); resolved at deploy time, as Control Tower’s hook sees it, the configuration passes.',
      'CT.LAMBDA.PR.3',
    );
  }
}

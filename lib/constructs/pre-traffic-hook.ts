/**
 * The pre-traffic lifecycle hook of one service: a Lambda function in the VPC that requests a path of the new
 * version through the load balancer's test listener, and the role ECS assumes to invoke it.
 *
 * Least privilege: the function's role may write its own log group and manage the ENIs Lambda needs in the VPC
 * (nothing else: the check is plain HTTP, no AWS API); the invoke role may invoke this one function.
 */
import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { acknowledge, acknowledgeUnreservedConcurrency, concurrencyReservation } from '../compliance';
import { EncryptedLogGroup, type LogGroupPolicy } from './encryption';

export interface PreTrafficHookProps {
  readonly vpc: ec2.IVpc;
  /** Where the function runs: the private subnets, whose NAT gateways the test listener admits. */
  readonly subnets: ec2.SubnetSelection;
  /** `http://<load balancer DNS name>:<test port>` */
  readonly testEndpoint: string;
  /** The test listener's port (1 to 65535), the only one the function may reach. */
  readonly testPort: number;
  /** Path requested from the new version, starting with `/`. */
  readonly path: string;
  /** Host header to send, for a service routed by host. @default - none */
  readonly host?: string;
  /** How long the request may take: 1 second to 14 minutes 50 seconds (the function gets 10 s more, up to Lambda's 15 minutes). */
  readonly timeout: Duration;
  readonly logsKey: kms.IKey;
  readonly logRetentionDays: number;
  /**
   * Removal of the function's log group, and whether a retention under a year is acknowledged (outside production).
   * @default - retained; short retention not acknowledged
   */
  readonly logGroupPolicy?: LogGroupPolicy;
  /**
   * Whether the function reserves its concurrency (2), as the NIST 800-53 and HIPAA packs ask. Lambda refuses a
   * reservation that leaves the account fewer than 100 unreserved concurrent executions: for an account whose quota
   * is lower, pass false, and the packs' rule is acknowledged on the function instead.
   * @default true
   */
  readonly reserveConcurrency?: boolean;
}

/** Lambda's longest timeout. */
const LAMBDA_MAX_SECONDS = 900;
/** What the function gets beyond the request's own timeout, to start and answer. */
const FUNCTION_EXTRA_SECONDS = 10;

export class PreTrafficHook extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly securityGroup: ec2.SecurityGroup;
  /** What the service registers: the function, at POST_TEST_TRAFFIC_SHIFT, invoked through `invokeRole`. */
  readonly target: ecs.DeploymentLifecycleLambdaTarget;
  /** The role ECS assumes to invoke the function. */
  readonly invokeRole: iam.Role;

  constructor(scope: Construct, id: string, props: PreTrafficHookProps) {
    super(scope, id);
    const problems: string[] = [];
    if (!Number.isInteger(props.testPort) || props.testPort < 1 || props.testPort > 65535) {
      problems.push(`expected testPort between 1 and 65535, got ${props.testPort}`);
    }
    if (!props.path.startsWith('/')) problems.push(`expected a path starting with /, got ${JSON.stringify(props.path)}`);
    const timeoutMs = props.timeout.toMilliseconds();
    if (timeoutMs < 1000 || timeoutMs + FUNCTION_EXTRA_SECONDS * 1000 > LAMBDA_MAX_SECONDS * 1000) {
      problems.push(`expected a timeout of 1 to ${LAMBDA_MAX_SECONDS - FUNCTION_EXTRA_SECONDS} seconds, got ${timeoutMs / 1000} s`);
    }
    if (problems.length > 0) throw new Error(`PreTrafficHook ${this.node.path}: ${problems.join('; ')}`);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Pre-traffic hook: out only to the load balancer test listener',
      allowAllOutbound: false,
    });
    // The load balancer is internet-facing: its name resolves to public addresses, reached through the NAT gateways.
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(props.testPort), 'Load balancer test listener');

    const logGroup = new EncryptedLogGroup(this, 'Logs', {
      encryptionKey: props.logsKey,
      retentionDays: props.logRetentionDays,
      ...props.logGroupPolicy,
    });
    const role = new iam.Role(this, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Pre-traffic hook function: its own logs and its VPC network interfaces, nothing else',
    });
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(__dirname, '..', 'hooks', 'pre-traffic.handler.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 128,
      // The request's own timeout plus time to start; ECS waits for the answer.
      timeout: props.timeout.plus(Duration.seconds(FUNCTION_EXTRA_SECONDS)),
      role,
      logGroup,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [this.securityGroup],
      // One deployment at a time calls it; a runaway caller must not take the account's concurrency.
      reservedConcurrentExecutions: concurrencyReservation(props.reserveConcurrency, 2),
      environment: {
        HOOK_URL: `${props.testEndpoint}${props.path}`,
        HOOK_HOST: props.host ?? '',
        HOOK_TIMEOUT_MS: String(props.timeout.toMilliseconds()),
      },
      bundling: { minify: true, sourceMap: false, target: 'node22', forceDockerBundling: false },
    });
    logGroup.grantWrite(role);
    // The network-interface actions Lambda takes in the function's name to place it in the VPC (the statement of
    // AWSLambdaVPCAccessExecutionRole, written here so that no managed policy is attached).
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }),
    );

    this.invokeRole = new iam.Role(this, 'InvokeRole', {
      assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
      description: 'Assumed by ECS to invoke the pre-traffic hook function',
    });
    this.function.grantInvoke(this.invokeRole);
    this.target = new ecs.DeploymentLifecycleLambdaTarget(this.function, 'PreTrafficHook', {
      role: this.invokeRole,
      lifecycleStages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT],
    });

    acknowledgeUnreservedConcurrency(
      this.function,
      'ECS invokes it once per deployment of the service, through the invoke role, which nothing else assumes.',
    );
    acknowledge(
      this.function,
      'The function runs in this VPC: VpcConfig names the private subnets and its own security group. The subnet IDs come from the Network stack through Fn::GetStackOutput, which the static rule does not count as a reference (it accepts strings and local references); resolved at deploy time, as Control Tower’s hook sees it, the configuration passes.',
      'CT.LAMBDA.PR.3',
    );
    acknowledge(
      role,
      'Written here for this one function: writing its own log group, and the network-interface actions Lambda takes to place it in the VPC, which EC2 evaluates against `*` (Describe* has no resource-level permissions; the statement is the one of AWSLambdaVPCAccessExecutionRole).',
      '*-IAMNoInlinePolicy',
      'AwsSolutions-IAM5[Resource::*]',
    );
    acknowledge(
      this.invokeRole,
      'Generated by CDK from grantInvoke: invoke this one function (and its versions), for ECS only.',
      '*-IAMNoInlinePolicy',
      `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.function.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
    );
    acknowledge(
      this.function,
      'ECS invokes the hook synchronously and reads its answer: a failed invocation fails (and rolls back) the deployment, so there is no event to keep in a dead-letter queue.',
      '*-LambdaDLQ',
    );
  }
}

/**
 * A service's schema migrations, run by the stack before the service is updated: a custom resource whose
 * function runs the service's current task definition revision as a one-off Fargate task with the command
 * `node dist/migrate.js` on the app container, waits for it to stop, and fails the deployment with the
 * container's exit code and reason when it is not 0 (handler: lib/hooks/schema-migration.handler.ts).
 *
 * The resource's properties include the task definition ARN, so every new revision runs it again; the ECS service
 * is made to depend on it (`gate`), so CloudFormation updates the service, and traffic shifts, only after the
 * migration succeeded, whatever the rollout strategy.
 *
 * Least privilege: the function's role may run tasks of this one task definition family in this one cluster,
 * pass the task's two roles to ECS tasks and nothing else, and describe tasks (which is evaluated per task ARN,
 * not known before the run: hence tasks of this cluster).
 *
 * The function only calls ECS APIs and CloudFormation's response URL, so it runs outside the VPC: no network
 * interfaces to manage, no security group, nothing in the VPC it could reach.
 */
import * as path from 'path';
import { type CfnElement, CustomResource, Duration, Stack, Token } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct, type IConstruct } from 'constructs';
import { acknowledge, acknowledgeUnreservedConcurrency, concurrencyReservation } from '../compliance';
import { CUSTOM_RESOURCE_INVOCATION, CUSTOM_RESOURCE_NO_DLQ } from './database-identities';
import { EncryptedLogGroup, type LogGroupPolicy } from './encryption';

export interface SchemaMigrationProps {
  readonly cluster: ecs.ICluster;
  /**
   * The container whose command is overridden (the app container). Its task definition's current revision is what
   * runs, and its awslogs settings name where the output goes.
   */
  readonly container: ecs.ContainerDefinition;
  /** The service's task subnets, as IDs. */
  readonly subnetIds: readonly string[];
  /** The security groups the service's tasks wear: the migration task reaches the database the same way. */
  readonly securityGroupIds: readonly string[];
  /** Encrypts the function's own log group. */
  readonly logsKey: kms.IKey;
  readonly logRetentionDays: number;
  /**
   * Removal of the function's log group, and whether a retention under a year is acknowledged (outside production).
   * @default - retained; short retention not acknowledged
   */
  readonly logGroupPolicy?: LogGroupPolicy;
  /**
   * The migration command, run in the image's working directory.
   * @default ['node', 'dist/migrate.js']
   */
  readonly command?: readonly string[];
  /**
   * The function's timeout, which bounds how long a migration may run: the function stops waiting 20 s before it
   * and fails the deployment. At most 15 minutes (Lambda's limit).
   * @default Duration.minutes(15)
   */
  readonly timeout?: Duration;
  /**
   * Whether the function reserves its concurrency (1), as the NIST 800-53 and HIPAA packs ask. Lambda refuses a
   * reservation that leaves the account fewer than 100 unreserved concurrent executions: for an account whose quota
   * is lower, pass false, and the packs' rule is acknowledged on the function instead.
   * @default true
   */
  readonly reserveConcurrency?: boolean;
}

export class SchemaMigration extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: SchemaMigrationProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.minutes(15);
    if (timeout.toSeconds() > 900 || timeout.toSeconds() < 60) {
      throw new Error(`SchemaMigration timeout: expected 1 to 15 minutes (Lambda's limit), got ${timeout.toSeconds()} s`);
    }
    const stack = Stack.of(this);
    const taskDefinition = props.container.taskDefinition;
    // Where the container's output goes, named in a failure's reason: read from its own log configuration, so a
    // prefix changed in the service cannot leave the reason naming a stream that does not exist.
    const logOptions = props.container.logDriverConfig?.options ?? {};
    if (!logOptions['awslogs-group'] || !logOptions['awslogs-stream-prefix']) {
      throw new Error(`${this.node.path}: the container ${props.container.containerName} must log with awslogs and a stream prefix`);
    }

    const logGroup = new EncryptedLogGroup(this, 'Logs', {
      encryptionKey: props.logsKey,
      retentionDays: props.logRetentionDays,
      ...props.logGroupPolicy,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Schema migration: runs the service task definition as a one-off task and waits for it',
    });
    logGroup.grantWrite(this.role);
    // Any revision of the family (the one to run is only known at deploy time), in this cluster only.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:RunTask'],
        resources: [stack.formatArn({ service: 'ecs', resource: 'task-definition', resourceName: `${taskDefinition.family}:*` })],
        conditions: { ArnEquals: { 'ecs:cluster': props.cluster.clusterArn } },
      }),
    );
    const passedRoles = [taskDefinition.taskRole.roleArn, taskDefinition.obtainExecutionRole().roleArn];
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: passedRoles,
        conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:DescribeTasks'],
        resources: [stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${props.cluster.clusterName}/*` })],
      }),
    );

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(__dirname, '..', 'hooks', 'schema-migration.handler.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 128,
      timeout,
      role: this.role,
      logGroup,
      // One deployment at a time runs it; nothing else may.
      reservedConcurrentExecutions: concurrencyReservation(props.reserveConcurrency, 1),
      // The SDK is the runtime's.
      bundling: { externalModules: ['@aws-sdk/*'], minify: true, sourceMap: false },
    });
    acknowledgeUnreservedConcurrency(this.function, CUSTOM_RESOURCE_INVOCATION);

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.function.functionArn,
      resourceType: 'Custom::SchemaMigration',
      properties: {
        Cluster: props.cluster.clusterArn,
        // A new revision is a new ARN: each deployment of a new version runs its migrations.
        TaskDefinitionArn: taskDefinition.taskDefinitionArn,
        ContainerName: props.container.containerName,
        Command: [...(props.command ?? ['node', 'dist/migrate.js'])],
        Subnets: [...props.subnetIds],
        SecurityGroups: [...props.securityGroupIds],
        LogGroupName: logOptions['awslogs-group'],
        LogStreamPrefix: logOptions['awslogs-stream-prefix'],
      },
    });
    // The one-off task runs as the service's roles: their policies (rds-db:connect, image pull, log delivery, the
    // tiers' AUTH secrets) must exist before it starts. The ECS service waits for the task role by itself; this
    // single run would not retry.
    this.resource.node.addDependency(taskDefinition.taskRole, taskDefinition.obtainExecutionRole());
    this.acknowledgeFindings(logGroup, props.cluster, taskDefinition.family);
  }

  /** Makes `construct` (the ECS service) wait for the migration: CloudFormation updates it only after success. */
  gate(construct: IConstruct): void {
    construct.node.addDependency(this.resource);
  }

  private acknowledgeFindings(logGroup: EncryptedLogGroup, cluster: ecs.ICluster, family: string): void {
    const stack = Stack.of(this);
    // As cdk-nag prints them: references by logical ID, the environment's account and region as literals.
    const id = (construct: IConstruct) => `<${stack.getLogicalId(construct.node.defaultChild as CfnElement)}>`;
    // The partition as a literal where the region is known (as cdk-nag prints it, and as docs/compliance.md lists it).
    const partition = (!Token.isUnresolved(stack.region) && RegionInfo.get(stack.region).partition) || stack.partition;
    const ecsArn = `arn:${partition}:ecs:${stack.region}:${stack.account}`;
    acknowledge(
      this.role,
      'Written here for this one function: its own log group; ecs:RunTask on any revision of the service’s own task definition family (the revision to run is only known at deploy time), only in the service’s cluster (ecs:cluster condition); iam:PassRole on the task’s two roles to ECS tasks only; ecs:DescribeTasks on the tasks of that cluster (a task’s ARN is only known once it runs).',
      '*-IAMNoInlinePolicy',
      `AwsSolutions-IAM5[Resource::${id(logGroup).slice(0, -1)}.Arn>:*]`,
      `AwsSolutions-IAM5[Resource::${ecsArn}:task-definition/${family}:*]`,
      `AwsSolutions-IAM5[Resource::${ecsArn}:task/${id(cluster)}/*]`,
    );
    acknowledge(this.function, CUSTOM_RESOURCE_NO_DLQ, '*-LambdaDLQ');
    acknowledge(
      this.function,
      'Deliberately outside the VPC: the function calls only the ECS API and CloudFormation’s response URL, and the migration itself runs in the service’s own subnets and security groups as an ECS task. In the VPC it would need network-interface permissions on * and an egress rule, and reach nothing more.',
      'CT.LAMBDA.PR.3',
      '*-LambdaInsideVPC',
    );
  }
}

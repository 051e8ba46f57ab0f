/**
 * What the FIS in-task actions (`aws:ecs:task-cpu-stress`, `-network-latency`, `-network-packet-loss`) need of a
 * Fargate task: FIS runs SSM documents inside the task, so each task registers itself as an SSM managed instance.
 *
 * - an SSM agent sidecar (not essential: the service runs on without it) whose script creates an SSM activation
 *   for the task's managed-instance role, tagged with the task's ARN (how FIS finds the task) and with this
 *   environment's tags (how the experiment role's `ssm:SendCommand` is confined to this environment), registers,
 *   runs the agent, and deletes the activation and deregisters when the task stops;
 * - `pidMode: task`, so that the documents run in the task's process namespace (they stress or shape the app's
 *   processes, not only the sidecar's);
 * - `enableFaultInjection`, for the ECS fault-injection endpoints the network actions use;
 * - task-role permissions to create the activation and pass the managed-instance role.
 *
 * Applied only where experiments are enabled (chaos-rules.ts: `chaosEnabled`), so that an environment without them
 * (production, by default) keeps its task definitions unchanged. ECS Exec must stay off: its agent would collide
 * with this one (the services never enable it).
 */
import { Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance';

export interface TaskFaultInjectionProps {
  /** Image of the SSM agent sidecar. */
  readonly agentImage: string;
  /**
   * Tags every managed instance gets (the environment's `Application` and `Environment`). Keys and values are written
   * unquoted into the sidecar's script and the CLI's `Key=<key>,Value=<value>` syntax: letters, digits and `_ . : / + - @`.
   */
  readonly instanceTags: Readonly<Record<string, string>>;
}

/** The sidecar's name in every task definition it is added to. */
export const SSM_AGENT_CONTAINER = 'ssm-agent';
/** The sidecar's hard memory limit; the app container's limit is the task's memory less this. */
const SIDECAR_MEMORY_MIB = 128;
/** Characters of a tag key or value that need no quoting in bash and no escaping in the CLI's shorthand syntax. */
const SAFE_TAG = /^[A-Za-z0-9_.:/+@-]+$/;
/** The tags the script itself sets; the activation refuses a key twice. */
const SCRIPT_TAGS = ['ECS_TASK_ARN', 'ECS_TASK_AVAILABILITY_ZONE', 'FAULT_INJECTION_SIDECAR'];

export class TaskFaultInjection extends Construct {
  /** The role the tasks register with as SSM managed instances. */
  readonly managedInstanceRole: iam.Role;
  private readonly props: TaskFaultInjectionProps;

  constructor(scope: Construct, id: string, props: TaskFaultInjectionProps) {
    super(scope, id);
    const problems: string[] = [];
    if (props.agentImage.trim() === '') problems.push('expected an agentImage, got an empty string');
    for (const [key, value] of Object.entries(props.instanceTags)) {
      if (!SAFE_TAG.test(key) || !SAFE_TAG.test(value)) {
        problems.push(
          `expected instanceTags of letters, digits and _ . : / + - @ (written unquoted into the sidecar's script), got ${JSON.stringify(key)}: ${JSON.stringify(value)}`,
        );
      }
      if (SCRIPT_TAGS.includes(key)) problems.push(`expected instanceTags without ${key}, which the sidecar sets itself`);
    }
    if (problems.length > 0) throw new Error(`TaskFaultInjection ${this.node.path}: ${problems.join('; ')}`);
    this.props = props;
    this.managedInstanceRole = new iam.Role(this, 'ManagedInstanceRole', {
      description: 'SSM managed-instance role of the service tasks, for the FIS in-task experiments',
      assumedBy: new iam.ServicePrincipal('ssm.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    // The agent cleans up after itself when the task stops (FIS user guide: the managed-instance role's part).
    this.managedInstanceRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['ssm:DeleteActivation', 'ssm:DeregisterManagedInstance'], resources: ['*'] }),
    );
    acknowledge(
      this.managedInstanceRole,
      'AmazonSSMManagedInstanceCore is the policy AWS documents for an SSM managed instance (the agent’s own channel to SSM); ssm:DeleteActivation and ssm:DeregisterManagedInstance have no resource-level permissions for an activation created at run time. The role is created only where experiments are enabled.',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      'AwsSolutions-IAM5[Resource::*]',
      '*-IAMNoInlinePolicy',
    );
  }

  /** Adds the sidecar, the process namespace and the permissions to one task definition. */
  addTo(taskDefinition: ecs.FargateTaskDefinition, logGroup: logs.ILogGroup): void {
    const cfn = taskDefinition.node.defaultChild as ecs.CfnTaskDefinition;
    const memory = Number(cfn.memory);
    if (!taskDefinition.defaultContainer || !(memory > SIDECAR_MEMORY_MIB)) {
      throw new Error(
        `TaskFaultInjection ${this.node.path}: expected ${taskDefinition.node.path} to hold its app container and more than ${SIDECAR_MEMORY_MIB} MiB (the sidecar's share), got ${taskDefinition.defaultContainer ? 'a container' : 'no container'} and ${cfn.memory} MiB`,
      );
    }
    // Properties of the L1: the service's construct (web-service.ts) owns the task definition's props, and this
    // layer must not change it where experiments are off.
    cfn.pidMode = ecs.PidMode.TASK;
    cfn.enableFaultInjection = true;
    // The app container (the first) held the task's whole memory as its hard limit; it gives the sidecar its share.
    cfn.addPropertyOverride('ContainerDefinitions.0.Memory', memory - SIDECAR_MEMORY_MIB);
    acknowledge(
      taskDefinition,
      'The SSM agent sidecar (fault injection, only where experiments are enabled) runs as root with a writable root filesystem: it registers as a managed instance, keeps its state on disk and runs the FIS fault scripts that act on the task’s processes. The app container stays non-root and read-only.',
      'CT.ECS.PR.3',
      'CT.ECS.PR.6',
    );

    const tags = Object.entries({ ...this.props.instanceTags, FAULT_INJECTION_SIDECAR: 'true' })
      .map(([k, v]) => `Key=${k},Value=${v}`)
      .join(' ');
    taskDefinition.addContainer('SsmAgent', {
      containerName: SSM_AGENT_CONTAINER,
      image: ecs.ContainerImage.fromRegistry(this.props.agentImage),
      essential: false,
      memoryReservationMiB: 64,
      // A hard limit (CT.ECS.PR.7), taken from the app container's so that the limits add up to the task's memory.
      memoryLimitMiB: SIDECAR_MEMORY_MIB,
      environment: { MANAGED_INSTANCE_ROLE_NAME: this.managedInstanceRole.roleName },
      command: ['/bin/bash', '-c', registrationScript(tags)],
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: SSM_AGENT_CONTAINER, mode: ecs.AwsLogDriverMode.NON_BLOCKING }),
    });
    taskDefinition.addToTaskRolePolicy(
      // CreateActivation and AddTagsToResource (the tags of the new activation) have no resource to scope to before
      // the activation exists.
      new iam.PolicyStatement({ actions: ['ssm:CreateActivation', 'ssm:AddTagsToResource'], resources: ['*'] }),
    );
    taskDefinition.addToTaskRolePolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.managedInstanceRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ssm.amazonaws.com' } },
      }),
    );
    acknowledge(
      taskDefinition.taskRole,
      'ssm:CreateActivation and ssm:AddTagsToResource cannot be scoped before the activation exists; iam:PassRole is limited to the managed-instance role and to SSM. Present only where experiments are enabled.',
      'AwsSolutions-IAM5[Resource::*]',
      '*-IAMNoInlinePolicy',
    );
  }
}

/**
 * The sidecar's script: what the FIS user guide's sidecar does, written for this stack (the environment's tags on
 * the activation). Reads the task's ARN and zone from the ECS task metadata endpoint.
 */
function registrationScript(tags: string): string {
  return [
    'set -euo pipefail',
    'dnf install -y -q jq procps awscli >/dev/null',
    // No braces: CloudFormation would read `${...}` as a substitution.
    'META=$(curl -fsS "$ECS_CONTAINER_METADATA_URI_V4/task")',
    'TASK_ARN=$(echo "$META" | jq -er .TaskARN)',
    'ZONE=$(echo "$META" | jq -er .AvailabilityZone)',
    'REGION=${ZONE%?}',
    `ACT=$(aws ssm create-activation --region "$REGION" --iam-role "$MANAGED_INSTANCE_ROLE_NAME" --registration-limit 1 --tags Key=ECS_TASK_ARN,Value="$TASK_ARN" Key=ECS_TASK_AVAILABILITY_ZONE,Value="$ZONE" ${tags})`,
    'ACT_ID=$(echo "$ACT" | jq -er .ActivationId)',
    'cleanup() { aws ssm delete-activation --region "$REGION" --activation-id "$ACT_ID" || true; ' +
      'aws ssm deregister-managed-instance --region "$REGION" --instance-id "$(jq -er .ManagedInstanceID /var/lib/amazon/ssm/registration)" || true; ' +
      'kill -TERM "$AGENT" 2>/dev/null || true; }',
    'trap cleanup TERM INT',
    'amazon-ssm-agent -register -code "$(echo "$ACT" | jq -er .ActivationCode)" -id "$ACT_ID" -region "$REGION"',
    'amazon-ssm-agent & AGENT=$!',
    'wait "$AGENT"',
  ].join('\n');
}

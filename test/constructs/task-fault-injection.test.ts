/**
 * TaskFaultInjection in a bare stack: the managed-instance role SSM takes, and what `addTo` adds to one Fargate task
 * definition (the SSM agent sidecar, the process namespace, fault injection, the task role's permissions). Roles are
 * evaluated the way IAM evaluates them (./permissions.ts); the sidecar's script is parsed by bash.
 */
import { execFileSync } from 'child_process';
import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { SSM_AGENT_CONTAINER, TaskFaultInjection, type TaskFaultInjectionProps } from '../../lib/constructs/task-fault-injection';
import { ACCOUNT, REGION, bareStack } from './fixtures';
import { Permissions } from './permissions';

const PROPS: TaskFaultInjectionProps = {
  agentImage: 'public.ecr.aws/amazon-ssm-agent/amazon-ssm-agent:latest',
  instanceTags: { Application: 'ScaledApp', Environment: 'dev' },
};

/** A task definition of 1 GiB whose app container holds the whole of it, as WebService builds it. */
function taskSetup() {
  const stack = bareStack();
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 512, memoryLimitMiB: 1024 });
  taskDefinition.addContainer('App', {
    containerName: 'app',
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/example/api:1'),
    memoryLimitMiB: 1024,
  });
  const logGroup = new logs.LogGroup(stack, 'Logs');
  return { stack, taskDefinition, logGroup };
}

interface Container {
  Name: string;
  Memory?: number;
  MemoryReservation?: number;
  Essential?: boolean;
  Command?: string[];
  Environment?: { Name: string; Value: unknown }[];
  LogConfiguration?: { LogDriver: string; Options: Record<string, unknown> };
}

function taskDefinitionOf(template: Template): { PidMode?: string; EnableFaultInjection?: boolean; ContainerDefinitions: Container[] } {
  const [taskDefinition] = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
  return taskDefinition.Properties;
}

describe('TaskFaultInjection', () => {
  test('SSM may take the managed-instance role for this account only', async () => {
    // GIVEN
    const stack = bareStack();
    // WHEN
    const faults = new TaskFaultInjection(stack, 'Faults', PROPS);
    // THEN
    expect(
      await new Permissions(stack).failuresOfTrust(faults.managedInstanceRole, [
        { service: 'ssm.amazonaws.com', expected: 'allow', context: { 'aws:SourceAccount': ACCOUNT } },
        { service: 'ssm.amazonaws.com', expected: 'deny', context: { 'aws:SourceAccount': '999999999999' } },
        { service: 'ecs-tasks.amazonaws.com', expected: 'deny', context: { 'aws:SourceAccount': ACCOUNT } },
      ]),
    ).toEqual([]);
  });

  test('the managed-instance role: the policy AWS documents for a managed instance, and cleaning up its own activation', () => {
    const stack = bareStack();
    new TaskFaultInjection(stack, 'Faults', PROPS);
    // A template match (the evaluator cannot read an AWS managed policy, so the statements are not evaluated here).
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonSSMManagedInstanceCore']] }],
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{ Action: ['ssm:DeleteActivation', 'ssm:DeregisterManagedInstance'], Effect: 'Allow', Resource: '*' }],
      },
    });
  });

  test('changes no task definition it is not added to', () => {
    // GIVEN
    const without = taskSetup();
    const withFaults = taskSetup();
    // WHEN
    new TaskFaultInjection(withFaults.stack, 'Faults', PROPS);
    // THEN
    expect(taskDefinitionOf(Template.fromStack(withFaults.stack))).toEqual(taskDefinitionOf(Template.fromStack(without.stack)));
  });

  test("addTo: the task's process namespace, fault injection, and a non-essential sidecar whose limits add up to the task's memory", () => {
    // GIVEN
    const { stack, taskDefinition, logGroup } = taskSetup();
    const faults = new TaskFaultInjection(stack, 'Faults', PROPS);
    // WHEN
    faults.addTo(taskDefinition, logGroup);
    // THEN
    const td = taskDefinitionOf(Template.fromStack(stack));
    expect(td.PidMode).toBe('task');
    expect(td.EnableFaultInjection).toBe(true);
    const [app, agent] = td.ContainerDefinitions;
    expect(app.Name).toBe('app');
    expect(agent).toMatchObject({ Name: SSM_AGENT_CONTAINER, Essential: false, MemoryReservation: 64, Memory: 128 });
    expect(app.Memory! + agent.Memory!).toBe(1024);
    expect(agent.Environment).toEqual([
      {
        Name: 'MANAGED_INSTANCE_ROLE_NAME',
        Value: { Ref: stack.getLogicalId(faults.managedInstanceRole.node.defaultChild as CfnElement) },
      },
    ]);
    expect(agent.LogConfiguration).toMatchObject({
      LogDriver: 'awslogs',
      Options: { 'awslogs-stream-prefix': SSM_AGENT_CONTAINER, mode: 'non-blocking' },
    });
  });

  test("the sidecar's script parses in bash and tags the activation with the task and the environment's tags", () => {
    const { stack, taskDefinition, logGroup } = taskSetup();
    new TaskFaultInjection(stack, 'Faults', PROPS).addTo(taskDefinition, logGroup);
    const agent = taskDefinitionOf(Template.fromStack(stack)).ContainerDefinitions[1];
    const [shell, flag, script] = agent.Command!;
    expect([shell, flag]).toEqual(['/bin/bash', '-c']);
    // `bash -n` reads the whole script without running it: a syntax error fails here rather than in every task.
    execFileSync('bash', ['-n', '-c', script]);
    expect(script).toContain(
      'Key=ECS_TASK_ARN,Value="$TASK_ARN" Key=ECS_TASK_AVAILABILITY_ZONE,Value="$ZONE" Key=Application,Value=ScaledApp Key=Environment,Value=dev Key=FAULT_INJECTION_SIDECAR,Value=true',
    );
    // Registration is undone when the task stops.
    expect(script).toMatch(/trap cleanup TERM INT/);
  });

  test('the task role may create and tag an activation and pass the managed-instance role to SSM, and nothing more', async () => {
    // GIVEN
    const { stack, taskDefinition, logGroup } = taskSetup();
    const faults = new TaskFaultInjection(stack, 'Faults', PROPS);
    // WHEN
    faults.addTo(taskDefinition, logGroup);
    // THEN
    const p = new Permissions(stack);
    const managedInstanceRole = p.attr(faults.managedInstanceRole, 'Arn');
    const taskRole = p.attr(taskDefinition.taskRole, 'Arn');
    const toSsm = { 'iam:PassedToService': 'ssm.amazonaws.com' };
    expect(
      await p.failuresOf(taskDefinition.taskRole, 'task role', [
        { action: 'ssm:CreateActivation', on: 'a new activation', resource: '*', expected: 'allow' },
        // No resource-level permissions for an activation (it does not exist before the request).
        { action: 'ssm:AddTagsToResource', on: 'the new activation', resource: '*', expected: 'allow' },
        {
          action: 'iam:PassRole',
          on: 'the managed-instance role, to SSM',
          resource: managedInstanceRole,
          expected: 'allow',
          context: toSsm,
        },
        {
          action: 'iam:PassRole',
          on: 'the managed-instance role, to ECS tasks',
          resource: managedInstanceRole,
          expected: 'deny',
          context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
        },
        { action: 'iam:PassRole', on: 'the task role itself, to SSM', resource: taskRole, expected: 'deny', context: toSsm },
        {
          action: 'ssm:SendCommand',
          on: 'a managed instance',
          resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:managed-instance/mi-0123`,
          expected: 'deny',
        },
      ]),
    ).toEqual([]);
  });

  test('fails on an empty image and on tags the script cannot carry, naming each', () => {
    const stack = bareStack();
    expect(
      () =>
        new TaskFaultInjection(stack, 'Faults', {
          agentImage: ' ',
          instanceTags: { Application: 'Scaled App', 'Cost,Center': 'x', ECS_TASK_ARN: 'mine' },
        }),
    ).toThrow(
      'TaskFaultInjection Test/Faults: expected an agentImage, got an empty string; ' +
        `expected instanceTags of letters, digits and _ . : / + - @ (written unquoted into the sidecar's script), got "Application": "Scaled App"; ` +
        `expected instanceTags of letters, digits and _ . : / + - @ (written unquoted into the sidecar's script), got "Cost,Center": "x"; ` +
        'expected instanceTags without ECS_TASK_ARN, which the sidecar sets itself',
    );
  });

  test('addTo fails on a task definition without its app container', () => {
    const stack = bareStack();
    const empty = new ecs.FargateTaskDefinition(stack, 'Empty', { cpu: 256, memoryLimitMiB: 512 });
    const faults = new TaskFaultInjection(stack, 'Faults', PROPS);
    expect(() => faults.addTo(empty, new logs.LogGroup(stack, 'Logs'))).toThrow(
      "TaskFaultInjection Test/Faults: expected Test/Empty to hold its app container and more than 128 MiB (the sidecar's share), got no container and 512 MiB",
    );
  });
});

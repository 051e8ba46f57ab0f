/**
 * Specifications of the schema migration run by the stack: the custom resource's handler (ECS replaced by
 * aws-sdk-client-mock; the migration itself runs against a real PostgreSQL in test/integration/workload.test.ts)
 * and how the Service stack wires it (which services get one, what the service waits for). Its permissions are
 * evaluated by a policy evaluator in the permission matrix (test/iam/matrix.ts).
 */
import { DescribeTasksCommand, ECSClient, RunTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { Match } from 'aws-cdk-lib/assertions';
import { handle, type MigrationEvent, olderRevision } from '../lib/hooks/schema-migration.handler';
import { WORKER_SERVICE } from './support/fixtures';
import { configOf, synth } from './support/synth';

const TASK_DEFINITION = 'arn:aws:ecs:eu-west-1:111111111111:task-definition/ServiceApiTaskDef:7';
const TASK = 'arn:aws:ecs:eu-west-1:111111111111:task/cluster-1/0123456789abcdef';
const PROPS = {
  Cluster: 'arn:aws:ecs:eu-west-1:111111111111:cluster/cluster-1',
  TaskDefinitionArn: TASK_DEFINITION,
  ContainerName: 'App',
  Command: ['node', 'dist/migrate.js'],
  Subnets: ['subnet-a', 'subnet-b'],
  SecurityGroups: ['sg-service', 'sg-data-clients'],
  LogGroupName: 'api-logs',
  LogStreamPrefix: 'api',
  ServiceToken: 'fn',
};

function event(type: MigrationEvent['RequestType'], overrides: Partial<MigrationEvent> = {}): MigrationEvent {
  return {
    RequestType: type,
    ResponseURL: 'https://response.example/put',
    StackId: 'stack',
    RequestId: 'request-1',
    LogicalResourceId: 'ApiSchemaMigration',
    ResourceProperties: PROPS,
    ...overrides,
  };
}

const ecs = mockClient(ECSClient);

function stopped(exitCode: number | undefined, extra: Partial<Task> = {}): Task {
  return { taskArn: TASK, lastStatus: 'STOPPED', containers: [{ name: 'App', exitCode }], ...extra };
}

/** Runs the handler with ECS mocked; returns CloudFormation's answers and the sleeps it took. */
async function run(e: MigrationEvent, remainingMs = () => 600_000) {
  const responses: Record<string, string>[] = [];
  const sleeps: number[] = [];
  await handle(e, {
    ecs: new ECSClient({ region: 'eu-west-1' }),
    respond: async (_url, body) => {
      responses.push(JSON.parse(body) as Record<string, string>);
    },
    remainingMs,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    pollIntervalMs: 1000,
  });
  return { responses, sleeps };
}

describe('the schema migration handler', () => {
  beforeEach(() => {
    ecs.reset();
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  test('runs the revision with the command override in the service network, waits for exit 0, and answers SUCCESS', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK, lastStatus: 'PROVISIONING' }] });
    ecs
      .on(DescribeTasksCommand)
      .resolvesOnce({ tasks: [{ taskArn: TASK, lastStatus: 'PENDING' }] })
      .resolvesOnce({ tasks: [{ taskArn: TASK, lastStatus: 'RUNNING' }] })
      .resolves({ tasks: [stopped(0)] });
    const { responses, sleeps } = await run(event('Create'));

    expect(ecs.commandCalls(RunTaskCommand).map((c) => c.args[0].input)).toEqual([
      {
        cluster: PROPS.Cluster,
        taskDefinition: TASK_DEFINITION,
        launchType: 'FARGATE',
        count: 1,
        startedBy: 'schema-migration',
        clientToken: 'request-1',
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: ['subnet-a', 'subnet-b'],
            securityGroups: ['sg-service', 'sg-data-clients'],
            assignPublicIp: 'DISABLED',
          },
        },
        overrides: { containerOverrides: [{ name: 'App', command: ['node', 'dist/migrate.js'] }] },
      },
    ]);
    expect(ecs.commandCalls(DescribeTasksCommand)).toHaveLength(3);
    expect(sleeps).toEqual([1000, 1000]);
    expect(responses).toEqual([
      expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: 'ApiSchemaMigration-schema-migration', RequestId: 'request-1' }),
    ]);
    expect(responses[0].Reason).toContain('exited with code 0');
  });

  test('a non-zero exit fails the deployment with the exit code, the reasons and where the output is', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }] });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [stopped(1, { stoppedReason: 'Essential container in task exited' })],
    });
    const { responses } = await run(
      event('Update', {
        PhysicalResourceId: 'existing-id',
        OldResourceProperties: { ...PROPS, TaskDefinitionArn: TASK_DEFINITION.replace(':7', ':6') },
      }),
    );
    expect(responses).toHaveLength(1);
    expect(responses[0]).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'existing-id' });
    expect(responses[0].Reason).toBe(
      `Update failed: migration task ${TASK} failed: exit code 1; task: Essential container in task exited; ` +
        'its output: log group api-logs, stream api/App/0123456789abcdef',
    );
  });

  test('a task that stops before its container runs fails with the container and task reasons', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }] });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          taskArn: TASK,
          lastStatus: 'STOPPED',
          stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)',
          containers: [{ name: 'App', reason: 'CannotPullContainerError' }],
        },
      ],
    });
    const { responses } = await run(event('Create'));
    expect(responses[0].Status).toBe('FAILED');
    expect(responses[0].Reason).toContain(
      'the container never ran to an exit code; container: CannotPullContainerError; task: CannotPullContainerError',
    );
  });

  test('a task that ECS cannot place fails with RunTask’s failure, without waiting', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: 'RESOURCE:ENI', detail: 'no free addresses in subnet-a' }] });
    const { responses, sleeps } = await run(event('Create'));
    expect(ecs.commandCalls(DescribeTasksCommand)).toHaveLength(0);
    expect(sleeps).toEqual([]);
    expect(responses[0]).toMatchObject({
      Status: 'FAILED',
      Reason: 'Create failed: the migration task did not start: RESOURCE:ENI (no free addresses in subnet-a)',
    });
  });

  test('a task that never stops fails before the function times out, naming the task and its logs', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: TASK, lastStatus: 'PROVISIONING' }] });
    let remaining = 60_000;
    const { responses, sleeps } = await run(event('Create'), () => (remaining -= 10_000));
    // Each check finds 10 s less: it waits at 50, 40 and 30 s left, and answers at 20 s (less than the 1 s
    // interval plus the 20 s kept to answer CloudFormation).
    expect(sleeps).toEqual([1000, 1000, 1000]);
    expect(ecs.commandCalls(DescribeTasksCommand)).toHaveLength(4);
    expect(responses).toHaveLength(1);
    expect(responses[0].Status).toBe('FAILED');
    expect(responses[0].Reason).toContain(
      `the migration task ${TASK} had not stopped before the function's timeout (last status PROVISIONING)`,
    );
  });

  test('an update is idempotent: a retried invocation of the same request reuses the task through its client token', async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [stopped(0)] });
    const update = event('Update', {
      RequestId: 'request-2',
      PhysicalResourceId: 'ApiSchemaMigration-schema-migration',
      OldResourceProperties: { ...PROPS, TaskDefinitionArn: TASK_DEFINITION.replace(':7', ':6') },
    });
    const first = await run(update);
    const retry = await run(update);
    const tokens = ecs.commandCalls(RunTaskCommand).map((c) => c.args[0].input.clientToken);
    expect(tokens).toEqual(['request-2', 'request-2']);
    for (const { responses } of [first, retry]) {
      expect(responses).toEqual([
        expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: 'ApiSchemaMigration-schema-migration' }),
      ]);
    }
  });

  test('an update back to an older revision (a rollback) and a delete run nothing and succeed', async () => {
    const rollback = await run(
      event('Update', {
        PhysicalResourceId: 'p',
        OldResourceProperties: { ...PROPS, TaskDefinitionArn: TASK_DEFINITION.replace(':7', ':8') },
      }),
    );
    const deleted = await run(event('Delete', { PhysicalResourceId: 'p' }));
    expect(ecs.calls()).toHaveLength(0);
    expect(rollback.responses[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'p' });
    expect(rollback.responses[0].Reason).toContain('a rollback');
    expect(deleted.responses[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'p' });
  });

  test('a rollback is an older revision of the same family only', () => {
    const td = (family: string, revision: number) => `arn:aws:ecs:eu-west-1:1:task-definition/${family}:${revision}`;
    expect(olderRevision(td('a', 3), td('a', 4))).toBe(true);
    expect(olderRevision(td('a', 5), td('a', 4))).toBe(false);
    expect(olderRevision(td('a', 3), td('b', 4))).toBe(false);
    expect(olderRevision(td('a', 3), undefined)).toBe(false);
    // Revision numbers compare as numbers, not strings.
    expect(olderRevision(td('a', 10), td('a', 9))).toBe(false);
  });
});

describe('the Service stack runs migrations for services that own their schema', () => {
  // A read-write service (api) and a read-only one (worker), in one synth.
  const env = synth(
    configOf('dev', {
      services: { worker: { ...WORKER_SERVICE, tasks: { desired: 1, min: 1, max: 2 }, database: { access: 'read-only' } } },
    }),
  );
  const template = env.template('service');
  const services = () => template.findResources('AWS::ECS::Service');
  const migrations = () => template.findResources('Custom::SchemaMigration');

  test('only the read-write service gets a migration, and its ECS service depends on it', () => {
    const ids = Object.keys(migrations());
    expect(ids).toHaveLength(1);
    const dependents = Object.entries(services()).filter(([, s]) => ((s.DependsOn as string[] | undefined) ?? []).includes(ids[0]));
    const api = env.stacks.service.service('api');
    const apiServiceId = env.stacks.service.getLogicalId(api.service.node.defaultChild as never);
    expect(dependents.map(([id]) => id)).toEqual([apiServiceId]);
  });

  test('it runs the service’s current revision, on the app container, in the service’s subnets and security groups', () => {
    const [migration] = Object.values(migrations());
    const api = env.stacks.service.service('api');
    const apiService = services()[env.stacks.service.getLogicalId(api.service.node.defaultChild as never)];
    const awsvpc = (apiService.Properties as { NetworkConfiguration: { AwsvpcConfiguration: Record<string, unknown> } })
      .NetworkConfiguration.AwsvpcConfiguration;
    expect(migration.Properties).toMatchObject({
      TaskDefinitionArn: { Ref: env.stacks.service.getLogicalId(api.taskDefinition.node.defaultChild as never) },
      ContainerName: 'App',
      Command: ['node', 'dist/migrate.js'],
      Subnets: awsvpc.Subnets,
      SecurityGroups: awsvpc.SecurityGroups,
      LogStreamPrefix: 'api',
    });
  });

  test('its function runs outside the VPC, bounded by Lambda’s 15-minute limit', () => {
    const [migration] = Object.values(migrations());
    const functionId = (migration.Properties as { ServiceToken: { 'Fn::GetAtt': string[] } }).ServiceToken['Fn::GetAtt'][0];
    const fn = template.findResources('AWS::Lambda::Function')[functionId];
    expect(fn.Properties).toMatchObject({ Timeout: 900, ReservedConcurrentExecutions: 1 });
    expect(fn.Properties).not.toHaveProperty('VpcConfig');
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'iam:PassRole', Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } }),
        ]),
      },
    });
  });
});

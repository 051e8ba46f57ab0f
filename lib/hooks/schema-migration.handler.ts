/**
 * The Lambda function behind the `SchemaMigration` custom resource (lib/constructs/schema-migration.ts): runs the
 * service's task definition revision named in the properties as a one-off Fargate task with the command
 * `node dist/migrate.js` on the app container, waits for it to stop, and answers CloudFormation with the result.
 *
 * - Create and Update run the task. A new task definition revision changes the `TaskDefinitionArn` property, so
 *   every deployment of a new version runs its migrations before CloudFormation updates the ECS service (which
 *   depends on this resource); node-pg-migrate applies only what is pending, so a run with nothing new is a no-op.
 * - An Update back to an older revision of the same family is CloudFormation rolling back: the schema stays as it
 *   is (migrations are expand-only and the old version runs against it), so nothing runs.
 * - Delete does nothing: a schema is never rolled back.
 * - RunTask carries the request ID as its client token: Lambda retries an asynchronous invocation that failed or
 *   timed out, and the retry then finds the same task instead of starting a second one.
 * - It waits at most until shortly before the Lambda timeout (15 minutes at most), then fails the deployment
 *   saying the task is still running; a migration that needs longer must be run out of band first.
 *
 * It only calls ECS APIs and the CloudFormation response URL, so it runs outside the VPC.
 */
import { type Container, DescribeTasksCommand, ECSClient, RunTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { type CustomResourceRequest, putResponse, responseBody } from './cfn-response';

/** The custom resource's properties (strings and string lists, as CloudFormation passes them). */
export interface MigrationProperties {
  readonly Cluster: string;
  /** The revision to run: `arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>`. */
  readonly TaskDefinitionArn: string;
  readonly ContainerName: string;
  readonly Command: readonly string[];
  readonly Subnets: readonly string[];
  readonly SecurityGroups: readonly string[];
  /** Where the container's output goes, named in a failure's reason. */
  readonly LogGroupName: string;
  readonly LogStreamPrefix: string;
}

export type MigrationEvent = CustomResourceRequest<MigrationProperties>;

export interface Dependencies {
  readonly ecs: ECSClient;
  readonly respond: (url: string, body: string) => Promise<void>;
  /** Milliseconds the invocation has left (Lambda's `context.getRemainingTimeInMillis`). */
  readonly remainingMs: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Between two DescribeTasks calls. @default 10 s */
  readonly pollIntervalMs?: number;
}

/** Time kept back from the Lambda timeout to answer CloudFormation. */
export const ANSWER_MARGIN_MS = 20_000;

export async function handle(event: MigrationEvent, deps: Dependencies): Promise<void> {
  const props = event.ResourceProperties;
  // Stable per resource: an update is never taken for a replacement (which would send a Delete for the old one).
  const physicalResourceId = event.PhysicalResourceId ?? `${event.LogicalResourceId}-schema-migration`;
  let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
  let reason: string;
  try {
    reason = await run(event, deps);
  } catch (error) {
    status = 'FAILED';
    reason = `${event.RequestType} failed: ${error instanceof Error ? error.message : String(error)}`;
  }
  console.log(JSON.stringify({ requestType: event.RequestType, taskDefinition: props.TaskDefinitionArn, status, reason }));
  await deps.respond(event.ResponseURL, responseBody(event, status, reason, physicalResourceId));
}

async function run(event: MigrationEvent, deps: Dependencies): Promise<string> {
  const props = event.ResourceProperties;
  if (event.RequestType === 'Delete') return 'Delete: nothing to do (a schema is never rolled back)';
  const rollback = event.RequestType === 'Update' && olderRevision(props.TaskDefinitionArn, event.OldResourceProperties?.TaskDefinitionArn);
  if (rollback) return `Update back to ${props.TaskDefinitionArn} (a rollback): the schema stays as it is, nothing run`;

  const started = await deps.ecs.send(
    new RunTaskCommand({
      cluster: props.Cluster,
      taskDefinition: props.TaskDefinitionArn,
      launchType: 'FARGATE',
      count: 1,
      startedBy: 'schema-migration',
      clientToken: event.RequestId.slice(0, 64),
      networkConfiguration: {
        awsvpcConfiguration: { subnets: [...props.Subnets], securityGroups: [...props.SecurityGroups], assignPublicIp: 'DISABLED' },
      },
      overrides: { containerOverrides: [{ name: props.ContainerName, command: [...props.Command] }] },
    }),
  );
  const taskArn = started.tasks?.[0]?.taskArn;
  if (!taskArn) {
    const failures = (started.failures ?? []).map((f) => `${f.reason ?? 'unknown'}${f.detail ? ` (${f.detail})` : ''}`);
    throw new Error(`the migration task did not start: ${failures.join('; ') || 'RunTask returned no task and no failure'}`);
  }

  const interval = deps.pollIntervalMs ?? 10_000;
  for (;;) {
    const { tasks } = await deps.ecs.send(new DescribeTasksCommand({ cluster: props.Cluster, tasks: [taskArn] }));
    const task = tasks?.[0];
    if (task?.lastStatus === 'STOPPED') return verdict(task, props);
    if (deps.remainingMs() < interval + ANSWER_MARGIN_MS) {
      throw new Error(
        `the migration task ${taskArn} had not stopped before the function's timeout (last status ${task?.lastStatus ?? 'unknown'}); ` +
          `it keeps running, see ${logStream(props, taskArn)}`,
      );
    }
    await deps.sleep(interval);
  }
}

function verdict(task: Task, props: MigrationProperties): string {
  const container: Container | undefined = task.containers?.find((c) => c.name === props.ContainerName);
  const taskArn = task.taskArn ?? 'unknown';
  if (container?.exitCode === 0) return `migration task ${taskArn} exited with code 0`;
  const parts = [
    container?.exitCode === undefined ? 'the container never ran to an exit code' : `exit code ${container.exitCode}`,
    container?.reason && `container: ${container.reason}`,
    task.stoppedReason && `task: ${task.stoppedReason}`,
  ].filter(Boolean);
  throw new Error(`migration task ${taskArn} failed: ${parts.join('; ')}; its output: ${logStream(props, taskArn)}`);
}

/** Where the awslogs driver writes the container's output: `<prefix>/<container>/<task ID>`. */
function logStream(props: MigrationProperties, taskArn: string): string {
  const taskId = taskArn.split('/').pop();
  return `log group ${props.LogGroupName}, stream ${props.LogStreamPrefix}/${props.ContainerName}/${taskId}`;
}

/** True when `next` is an earlier revision of the same family as `previous`. */
export function olderRevision(next: string, previous: string | undefined): boolean {
  const parse = (arn: string) => /task-definition\/(.+):(\d+)$/.exec(arn);
  const n = parse(next);
  const p = previous ? parse(previous) : null;
  return !!n && !!p && n[1] === p[1] && Number(n[2]) < Number(p[2]);
}

/** The Lambda entry point. */
export async function handler(event: MigrationEvent, context: { getRemainingTimeInMillis(): number }): Promise<void> {
  await handle(event, {
    ecs: new ECSClient({}),
    respond: putResponse,
    remainingMs: () => context.getRemainingTimeInMillis(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  });
}

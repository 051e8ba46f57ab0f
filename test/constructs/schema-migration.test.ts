import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { SchemaMigration, type SchemaMigrationProps } from '../../lib/constructs/schema-migration';
import { expectConcurrencyReservation, stackWithVpc } from './fixtures';

function build(props: Partial<SchemaMigrationProps> = {}, logging?: ecs.LogDriver) {
  const { stack, vpc, key } = stackWithVpc();
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'TaskDefinition');
  const logGroup = new logs.LogGroup(stack, 'ServiceLogs');
  const container = taskDefinition.addContainer('app', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/example/api:1'),
    logging: logging ?? ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: 'api' }),
  });
  const migration = new SchemaMigration(stack, 'Migration', {
    cluster,
    container,
    subnetIds: vpc.privateSubnets.map((s) => s.subnetId),
    securityGroupIds: ['sg-12345678'],
    logsKey: key,
    logRetentionDays: 30,
    ...props,
  });
  return { stack, migration, taskDefinition };
}

describe('SchemaMigration', () => {
  test('GIVEN the defaults WHEN synthesized THEN the current revision runs node dist/migrate.js, naming the container’s own log stream', () => {
    const template = Template.fromStack(build().stack);
    const [resource] = Object.values(template.findResources('Custom::SchemaMigration')) as {
      Properties: Record<string, unknown>;
    }[];
    expect(resource!.Properties).toMatchObject({
      Command: ['node', 'dist/migrate.js'],
      ContainerName: 'app',
      LogStreamPrefix: 'api',
      LogGroupName: { Ref: expect.stringMatching(/^ServiceLogs/) },
      TaskDefinitionArn: { Ref: expect.stringMatching(/^TaskDefinition/) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 900 });
  });

  test("GIVEN the service's roles WHEN synthesized THEN the run waits for both roles' policies (the one-off task does not retry)", () => {
    const { stack, taskDefinition } = build();
    // Granted after the migration was built, as the stack grants rds-db:connect: the dependency still covers it.
    taskDefinition.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['rds-db:connect'], resources: ['*'] }));
    const template = Template.fromStack(stack);
    const [resource] = Object.values(template.findResources('Custom::SchemaMigration')) as { DependsOn: string[] }[];
    const policyOf = (role: string) => expect.stringMatching(new RegExp(`^TaskDefinition${role}DefaultPolicy`));
    expect(resource!.DependsOn).toEqual(expect.arrayContaining([policyOf('TaskRole'), policyOf('ExecutionRole')]));
  });

  test.each([
    [Duration.seconds(30), 'got 30 s'],
    [Duration.minutes(16), 'got 960 s'],
  ])('GIVEN a timeout of %s WHEN built THEN it is refused: Lambda waits 1 to 15 minutes', (timeout, got) => {
    expect(() => build({ timeout })).toThrow(`SchemaMigration timeout: expected 1 to 15 minutes (Lambda's limit), ${got}`);
  });

  test('GIVEN a container that does not log with awslogs WHEN built THEN it is refused, naming the container', () => {
    expect(() => build({}, ecs.LogDrivers.fluentd())).toThrow(/the container app must log with awslogs and a stream prefix/);
  });
});

test("SchemaMigration reserves 1 concurrent execution by default; with reserveConcurrency false (an account whose quota leaves no room) none, and the packs' LambdaConcurrency rule is acknowledged on the function", () => {
  expectConcurrencyReservation((reserveConcurrency) => build({ reserveConcurrency }).migration.function, 1);
});

/**
 * PreTrafficHook in a bare stack: the function ECS invokes after test traffic reaches a new version (in the VPC,
 * out to the test listener only), its role and the role ECS invokes it with, evaluated the way IAM evaluates them
 * (./permissions.ts). The function's own check runs against a real server in test/pre-traffic-hook.test.ts.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { PreTrafficHook, type PreTrafficHookProps } from '../../lib/constructs/pre-traffic-hook';
import { ACCOUNT, REGION, expectConcurrencyReservation, stackWithVpc } from './fixtures';
import { Permissions } from './permissions';

const ENDPOINT = 'http://app-dev-123.eu-west-1.elb.amazonaws.com:9000';

function build(overrides: Partial<PreTrafficHookProps> = {}) {
  const { stack, vpc, key } = stackWithVpc();
  const hook = new PreTrafficHook(stack, 'Hook', {
    vpc,
    subnets: { subnetGroupName: 'private' },
    testEndpoint: ENDPOINT,
    testPort: 9000,
    path: '/health/ready',
    timeout: Duration.seconds(5),
    logsKey: key,
    logRetentionDays: 30,
    ...overrides,
  });
  return { stack, vpc, key, hook, template: () => Template.fromStack(stack) };
}

describe('PreTrafficHook', () => {
  test('a small ARM function in the private subnets that requests the path through the test listener, with 10 s to spare', () => {
    // GIVEN / WHEN
    const { stack, vpc, hook, template } = build();
    // THEN
    const privateSubnets = vpc.selectSubnets({ subnetGroupName: 'private' }).subnetIds.map((id) => stack.resolve(id));
    template().hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 128,
      Timeout: 15,
      ReservedConcurrentExecutions: 2,
      Environment: { Variables: { HOOK_URL: `${ENDPOINT}/health/ready`, HOOK_HOST: '', HOOK_TIMEOUT_MS: '5000' } },
      VpcConfig: {
        SubnetIds: privateSubnets,
        SecurityGroupIds: [stack.resolve(hook.securityGroup.securityGroupId)],
      },
    });
  });

  test('sends the Host header it is given, for a service routed by host', () => {
    const { template } = build({ host: 'api.example.com' });
    template().hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { HOOK_HOST: 'api.example.com' } } });
  });

  test('its security group admits nothing and lets out only TCP to the test port', () => {
    const { hook, template } = build();
    const [group] = Object.values(template().findResources('AWS::EC2::SecurityGroup'));
    expect(group.Properties.SecurityGroupIngress).toBeUndefined();
    expect(group.Properties.SecurityGroupEgress).toEqual([
      { CidrIp: '0.0.0.0/0', Description: 'Load balancer test listener', FromPort: 9000, IpProtocol: 'tcp', ToPort: 9000 },
    ]);
    expect(hook.securityGroup.allowAllOutbound).toBe(false);
  });

  test('its log group is encrypted with the key, kept as long as told, and retained by default', () => {
    const { stack, key, template } = build();
    template().hasResource('AWS::Logs::LogGroup', {
      Properties: { KmsKeyId: stack.resolve(key.keyArn), RetentionInDays: 30 },
      DeletionPolicy: 'Retain',
    });
  });

  test('its log group leaves with the stack where the policy says so', () => {
    const { template } = build({ logGroupPolicy: { removalPolicy: RemovalPolicy.DESTROY } });
    template().hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
  });

  test("the function's role: Lambda only; its own log group and the VPC's network interfaces, nothing else", async () => {
    // GIVEN / WHEN
    const { stack, hook } = build();
    // THEN
    const p = new Permissions(stack);
    const role = hook.function.role!;
    const logGroup = p.attr(hook.node.findChild('Logs'), 'Arn').replace(/:\*$/, '');
    const ec2 = (resource: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:${resource}`;
    expect(
      await p.failuresOfTrust(role, [
        { service: 'lambda.amazonaws.com', expected: 'allow' },
        { service: 'ecs.amazonaws.com', expected: 'deny' },
      ]),
    ).toEqual([]);
    expect(
      await p.failuresOf(role, 'pre-traffic hook function role', [
        { action: 'logs:CreateLogStream', on: 'its log group', resource: `${logGroup}:log-stream:a`, expected: 'allow' },
        { action: 'logs:PutLogEvents', on: 'its log group', resource: `${logGroup}:log-stream:a`, expected: 'allow' },
        {
          action: 'logs:PutLogEvents',
          on: 'another log group',
          resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:other:log-stream:a`,
          expected: 'deny',
        },
        { action: 'ec2:CreateNetworkInterface', on: 'a network interface', resource: ec2('network-interface/eni-1'), expected: 'allow' },
        { action: 'ec2:DescribeNetworkInterfaces', on: 'any (no resource-level permissions)', resource: '*', expected: 'allow' },
        { action: 'ec2:TerminateInstances', on: 'an instance', resource: ec2('instance/i-1'), expected: 'deny' },
        { action: 'lambda:InvokeFunction', on: 'itself', resource: p.attr(hook.function, 'Arn'), expected: 'deny' },
        { action: 'ssm:GetParameter', on: 'a parameter', resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/x`, expected: 'deny' },
      ]),
    ).toEqual([]);
  });

  test('the invoke role: ECS only; invoking this function (and its versions), no other', async () => {
    // GIVEN / WHEN
    const { stack, hook } = build();
    // THEN
    const p = new Permissions(stack);
    const fn = p.attr(hook.function, 'Arn');
    expect(
      await p.failuresOfTrust(hook.invokeRole, [
        { service: 'ecs.amazonaws.com', expected: 'allow' },
        { service: 'lambda.amazonaws.com', expected: 'deny' },
      ]),
    ).toEqual([]);
    expect(
      await p.failuresOf(hook.invokeRole, 'pre-traffic hook invoke role', [
        { action: 'lambda:InvokeFunction', on: 'the hook', resource: fn, expected: 'allow' },
        { action: 'lambda:InvokeFunction', on: 'a version of the hook', resource: `${fn}:3`, expected: 'allow' },
        {
          action: 'lambda:InvokeFunction',
          on: 'another function',
          resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:other`,
          expected: 'deny',
        },
        { action: 'lambda:UpdateFunctionCode', on: 'the hook', resource: fn, expected: 'deny' },
      ]),
    ).toEqual([]);
  });

  test('the target runs after test traffic reaches the new version, invoked with the invoke role', () => {
    const { stack, hook } = build();
    const config = hook.target.bind(stack);
    expect(config.lifecycleStages).toEqual([ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT]);
    expect(config.role).toBe(hook.invokeRole);
    expect(stack.resolve(config.targetArn)).toEqual(stack.resolve(hook.function.functionArn));
  });

  test('fails on a port out of range, a path without a leading slash and a timeout Lambda cannot hold, naming each', () => {
    expect(() => build({ testPort: 70000, path: 'health', timeout: Duration.minutes(15) })).toThrow(
      'PreTrafficHook Test/Hook: expected testPort between 1 and 65535, got 70000; expected a path starting with /, got "health"; ' +
        'expected a timeout of 1 to 890 seconds, got 900 s',
    );
  });

  test('fails on a timeout under a second', () => {
    expect(() => build({ timeout: Duration.millis(500) })).toThrow(
      'PreTrafficHook Test/Hook: expected a timeout of 1 to 890 seconds, got 0.5 s',
    );
  });
});

test("PreTrafficHook reserves 2 concurrent executions by default; with reserveConcurrency false (an account whose quota leaves no room) none, and the packs' LambdaConcurrency rule is acknowledged on the function", () => {
  expectConcurrencyReservation((reserveConcurrency) => build({ reserveConcurrency }).hook.function, 2);
});

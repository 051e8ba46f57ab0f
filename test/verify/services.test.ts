import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { checkServices, type ServicesInput } from '../../scripts/verify/services';
import { accessDenied, mockAws, throttling } from './support';

const input: ServicesInput = {
  clusterName: 'cluster',
  services: [
    { name: 'Api', serviceName: 'api-svc', targetGroupArn: 'arn:tg/api' },
    { name: 'Worker', serviceName: 'worker-svc' },
  ],
};

const steady = (serviceName: string, running = 2, desired = 2, rolloutState: 'COMPLETED' | 'IN_PROGRESS' | 'FAILED' = 'COMPLETED') => ({
  serviceName,
  status: 'ACTIVE',
  runningCount: running,
  desiredCount: desired,
  deployments: [{ status: 'PRIMARY', rolloutState }],
});
const healthy = (...ids: string[]) => ({
  TargetHealthDescriptions: ids.map((Id) => ({ Target: { Id, Port: 8080 }, TargetHealth: { State: 'healthy' as const } })),
});

describe('ECS services check', () => {
  test('passes when every service is steady and its targets are healthy', async () => {
    const { aws, mocks } = mockAws();
    mocks.ecs.on(DescribeServicesCommand).resolves({ services: [steady('api-svc'), steady('worker-svc', 1, 1)] });
    mocks.elbv2.on(DescribeTargetHealthCommand, { TargetGroupArn: 'arn:tg/api' }).resolves(healthy('10.0.1.5', '10.0.2.7'));
    expect(await checkServices(aws, input)).toEqual([
      { name: 'service Api steady', ok: true, detail: '2/2 running, PRIMARY deployment COMPLETED' },
      { name: 'service Api targets', ok: true, detail: '2/2 healthy' },
      { name: 'service Worker steady', ok: true, detail: '1/1 running, PRIMARY deployment COMPLETED' },
      { name: 'service Worker targets', ok: true, detail: 'no target group published (service behind no load balancer)' },
    ]);
  });

  test('fails when tasks are missing or the rollout has not completed', async () => {
    const { aws, mocks } = mockAws();
    mocks.ecs.on(DescribeServicesCommand).resolves({
      services: [
        steady('api-svc', 1, 3),
        {
          ...steady('worker-svc', 1, 1, 'FAILED'),
          deployments: [{ status: 'PRIMARY', rolloutState: 'FAILED', rolloutStateReason: 'circuit breaker triggered' }],
        },
      ],
    });
    mocks.elbv2.on(DescribeTargetHealthCommand).resolves(healthy('10.0.1.5'));
    const results = await checkServices(aws, input);
    expect(results[0]).toEqual({ name: 'service Api steady', ok: false, detail: '1 running, 3 desired' });
    expect(results[2]).toEqual({
      name: 'service Worker steady',
      ok: false,
      detail: 'PRIMARY deployment FAILED (circuit breaker triggered)',
    });
  });

  test('fails when a target is unhealthy, naming it and the reason', async () => {
    const { aws, mocks } = mockAws();
    mocks.ecs.on(DescribeServicesCommand).resolves({ services: [steady('api-svc'), steady('worker-svc')] });
    mocks.elbv2.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: '10.0.1.5', Port: 8080 }, TargetHealth: { State: 'healthy' } },
        { Target: { Id: '10.0.2.7', Port: 8080 }, TargetHealth: { State: 'unhealthy', Reason: 'Target.FailedHealthChecks' } },
      ],
    });
    const results = await checkServices(aws, input);
    expect(results[1]).toEqual({
      name: 'service Api targets',
      ok: false,
      detail: '1 of 2 not healthy: 10.0.2.7:8080 unhealthy (Target.FailedHealthChecks)',
    });
  });

  test('fails when the target group is empty', async () => {
    const { aws, mocks } = mockAws();
    mocks.ecs.on(DescribeServicesCommand).resolves({ services: [steady('api-svc'), steady('worker-svc')] });
    mocks.elbv2.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });
    expect((await checkServices(aws, input))[1]).toMatchObject({ ok: false, detail: 'no target registered in the target group' });
  });

  test('fails for a service the cluster does not have', async () => {
    const { aws, mocks } = mockAws();
    mocks.ecs.on(DescribeServicesCommand).resolves({
      services: [steady('api-svc')],
      failures: [{ arn: 'arn:aws:ecs:eu-west-1:333333333333:service/cluster/worker-svc', reason: 'MISSING' }],
    });
    mocks.elbv2.on(DescribeTargetHealthCommand).resolves(healthy('10.0.1.5'));
    expect((await checkServices(aws, input))[2]).toEqual({
      name: 'service Worker steady',
      ok: false,
      detail: 'worker-svc does not exist in the cluster',
    });
  });

  test('describes services ten at a time (the API limit)', async () => {
    const { aws, mocks } = mockAws();
    const many = Array.from({ length: 12 }, (_, i) => ({ name: `S${i}`, serviceName: `s${i}` }));
    mocks.ecs
      .on(DescribeServicesCommand)
      .callsFake((request: { services: string[] }) => ({ services: request.services.map((s) => steady(s)) }));
    const results = await checkServices(aws, { clusterName: 'cluster', services: many });
    expect(mocks.ecs.commandCalls(DescribeServicesCommand).map((call) => call.args[0].input.services?.length)).toEqual([10, 2]);
    expect(results.filter((result) => result.name.endsWith('steady')).every((result) => result.ok)).toBe(true);
  });

  test('passes after DescribeServices throttles twice', async () => {
    const { aws, mocks } = mockAws();
    mocks.ecs
      .on(DescribeServicesCommand)
      .rejectsOnce(throttling())
      .rejectsOnce(throttling())
      .resolves({ services: [steady('api-svc'), steady('worker-svc')] });
    mocks.elbv2.on(DescribeTargetHealthCommand).resolves(healthy('10.0.1.5'));
    expect((await checkServices(aws, input)).every((result) => result.ok)).toBe(true);
  });

  test('a denied DescribeTargetHealth fails the targets line with the action; the steady lines stand', async () => {
    const { aws, mocks } = mockAws();
    mocks.ecs.on(DescribeServicesCommand).resolves({ services: [steady('api-svc'), steady('worker-svc')] });
    mocks.elbv2.on(DescribeTargetHealthCommand).rejects(accessDenied());
    const results = await checkServices(aws, input);
    expect(results[0].ok).toBe(true);
    expect(results[1]).toEqual({
      name: 'service Api targets',
      ok: false,
      detail: 'access denied: elasticloadbalancing:DescribeTargetHealth is not allowed for these credentials (AccessDenied)',
    });
  });

  test('a denied DescribeServices gives one failed line naming the action', async () => {
    const { aws, mocks } = mockAws();
    mocks.ecs.on(DescribeServicesCommand).rejects(Object.assign(accessDenied(), { name: 'AccessDeniedException' }));
    mocks.elbv2.on(DescribeTargetHealthCommand).resolves(healthy('10.0.1.5'));
    const results = await checkServices(aws, input);
    expect(results[0]).toEqual({
      name: 'services steady',
      ok: false,
      detail: 'access denied: ecs:DescribeServices is not allowed for these credentials (AccessDeniedException)',
    });
  });

  test('fails when no service is published', async () => {
    const { aws } = mockAws();
    expect(await checkServices(aws, { clusterName: 'cluster', services: [] })).toEqual([
      { name: 'services', ok: false, detail: 'no service published (no Service<Name>ServiceName output)' },
    ]);
  });
});

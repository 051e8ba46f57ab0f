import { DescribeDBProxyEndpointsCommand, DescribeDBProxyTargetsCommand } from '@aws-sdk/client-rds';
import { CredentialsError } from '../../scripts/verify/aws';
import { checkProxy } from '../../scripts/verify/proxy';
import { accessDenied, mockAws, noCredentials, throttling } from './support';

const aurora = { proxyName: 'scaledapp-prod-proxy', engine: 'aurora-postgresql' } as const;

const healthyTargets = {
  Targets: [
    { Type: 'TRACKED_CLUSTER' as const, TrackedClusterId: 'scaledapp-prod-db' },
    { Type: 'RDS_INSTANCE' as const, RdsResourceId: 'writer', Role: 'READ_WRITE' as const, TargetHealth: { State: 'AVAILABLE' as const } },
    { Type: 'RDS_INSTANCE' as const, RdsResourceId: 'reader1', Role: 'READ_ONLY' as const, TargetHealth: { State: 'AVAILABLE' as const } },
  ],
};
const endpoints = {
  DBProxyEndpoints: [
    { DBProxyEndpointName: 'default', TargetRole: 'READ_WRITE' as const, Status: 'available' as const, IsDefault: true },
    { DBProxyEndpointName: 'read-only', TargetRole: 'READ_ONLY' as const, Status: 'available' as const, Endpoint: 'ro.example' },
  ],
};

describe('database proxy check', () => {
  test('passes when every instance target is AVAILABLE and the read-only endpoint is available', async () => {
    const { aws, mocks } = mockAws();
    mocks.rds.on(DescribeDBProxyTargetsCommand).resolves(healthyTargets);
    mocks.rds.on(DescribeDBProxyEndpointsCommand).resolves(endpoints);
    const results = await checkProxy(aws, aurora);
    expect(results).toEqual([
      { name: 'database proxy targets', ok: true, detail: '2 of 2 AVAILABLE (writer, reader1)' },
      { name: 'database proxy read-only endpoint', ok: true, detail: 'read-only available (ro.example)' },
    ]);
  });

  test('fails when a target is UNAVAILABLE, naming it and the reason', async () => {
    const { aws, mocks } = mockAws();
    mocks.rds.on(DescribeDBProxyTargetsCommand).resolves({
      Targets: [
        healthyTargets.Targets[1],
        {
          Type: 'RDS_INSTANCE',
          RdsResourceId: 'reader1',
          TargetHealth: { State: 'UNAVAILABLE', Reason: 'AUTH_FAILURE', Description: 'bad secret' },
        },
      ],
    });
    mocks.rds.on(DescribeDBProxyEndpointsCommand).resolves(endpoints);
    const [targets] = await checkProxy(aws, aurora);
    expect(targets).toEqual({
      name: 'database proxy targets',
      ok: false,
      detail: '1 of 2 not AVAILABLE: reader1 UNAVAILABLE (AUTH_FAILURE: bad secret)',
    });
  });

  test('fails when the proxy has no instance target at all', async () => {
    const { aws, mocks } = mockAws();
    mocks.rds.on(DescribeDBProxyTargetsCommand).resolves({ Targets: [healthyTargets.Targets[0]] });
    mocks.rds.on(DescribeDBProxyEndpointsCommand).resolves(endpoints);
    const [targets] = await checkProxy(aws, aurora);
    expect(targets.ok).toBe(false);
    expect(targets.detail).toBe('proxy scaledapp-prod-proxy has no database targets registered');
  });

  test('reads every page of targets', async () => {
    const { aws, mocks } = mockAws();
    mocks.rds
      .on(DescribeDBProxyTargetsCommand)
      .resolvesOnce({ Targets: [healthyTargets.Targets[1]], Marker: 'page2' })
      .resolvesOnce({ Targets: [{ Type: 'RDS_INSTANCE', RdsResourceId: 'reader9', TargetHealth: { State: 'REGISTERING' } }] });
    mocks.rds.on(DescribeDBProxyEndpointsCommand).resolves(endpoints);
    const [targets] = await checkProxy(aws, aurora);
    expect(targets.detail).toBe('1 of 2 not AVAILABLE: reader9 REGISTERING');
    expect(mocks.rds.commandCalls(DescribeDBProxyTargetsCommand).map((call) => call.args[0].input.Marker)).toEqual([undefined, 'page2']);
  });

  test('fails when the Aurora proxy has no READ_ONLY endpoint', async () => {
    const { aws, mocks } = mockAws();
    mocks.rds.on(DescribeDBProxyTargetsCommand).resolves(healthyTargets);
    mocks.rds.on(DescribeDBProxyEndpointsCommand).resolves({ DBProxyEndpoints: [endpoints.DBProxyEndpoints[0]] });
    const [, endpoint] = await checkProxy(aws, aurora);
    expect(endpoint).toEqual({
      name: 'database proxy read-only endpoint',
      ok: false,
      detail: 'proxy scaledapp-prod-proxy has no endpoint with TargetRole READ_ONLY',
    });
  });

  test('fails when the READ_ONLY endpoint is not available yet', async () => {
    const { aws, mocks } = mockAws();
    mocks.rds.on(DescribeDBProxyTargetsCommand).resolves(healthyTargets);
    mocks.rds.on(DescribeDBProxyEndpointsCommand).resolves({
      DBProxyEndpoints: [{ DBProxyEndpointName: 'read-only', TargetRole: 'READ_ONLY', Status: 'creating' }],
    });
    const [, endpoint] = await checkProxy(aws, aurora);
    expect(endpoint).toMatchObject({ ok: false, detail: 'read-only is creating' });
  });

  test('does not look for a read-only endpoint in front of RDS for PostgreSQL, which cannot have one', async () => {
    const { aws, mocks } = mockAws();
    mocks.rds.on(DescribeDBProxyTargetsCommand).resolves(healthyTargets);
    const results = await checkProxy(aws, { ...aurora, engine: 'postgres' });
    expect(results.map((result) => result.name)).toEqual(['database proxy targets']);
    expect(mocks.rds.commandCalls(DescribeDBProxyEndpointsCommand)).toHaveLength(0);
  });

  test('passes when the API throttles twice, then answers (the standard retry strategy retries)', async () => {
    const { aws, mocks } = mockAws();
    mocks.rds.on(DescribeDBProxyTargetsCommand).rejectsOnce(throttling()).rejectsOnce(throttling()).resolves(healthyTargets);
    mocks.rds.on(DescribeDBProxyEndpointsCommand).resolves(endpoints);
    const results = await checkProxy(aws, aurora);
    expect(results.every((result) => result.ok)).toBe(true);
    expect(mocks.rds.commandCalls(DescribeDBProxyTargetsCommand)).toHaveLength(3);
  });

  test('fails the check, without crashing, when the API always throttles', async () => {
    const { aws, mocks } = mockAws({ maxAttempts: 3 });
    mocks.rds.on(DescribeDBProxyTargetsCommand).rejects(throttling());
    mocks.rds.on(DescribeDBProxyEndpointsCommand).resolves(endpoints);
    const [targets, endpoint] = await checkProxy(aws, aurora);
    expect(targets).toEqual({
      name: 'database proxy targets',
      ok: false,
      detail: 'rds:DescribeDBProxyTargets still throttled after 3 attempts (ThrottlingException)',
    });
    expect(endpoint.ok).toBe(true);
  });

  test('fails the check with the denied action when permission is missing, and goes on', async () => {
    const { aws, mocks } = mockAws();
    mocks.rds.on(DescribeDBProxyTargetsCommand).resolves(healthyTargets);
    mocks.rds.on(DescribeDBProxyEndpointsCommand).rejects(accessDenied());
    const [targets, endpoint] = await checkProxy(aws, aurora);
    expect(targets.ok).toBe(true);
    expect(endpoint).toEqual({
      name: 'database proxy read-only endpoint',
      ok: false,
      detail: 'access denied: rds:DescribeDBProxyEndpoints is not allowed for these credentials (AccessDenied)',
    });
    // A denial is not retried: it will not change.
    expect(mocks.rds.commandCalls(DescribeDBProxyEndpointsCommand)).toHaveLength(1);
  });

  test('stops with a CredentialsError when credentials are missing', async () => {
    const { aws, mocks } = mockAws();
    mocks.rds.on(DescribeDBProxyTargetsCommand).rejects(noCredentials());
    await expect(checkProxy(aws, aurora)).rejects.toBeInstanceOf(CredentialsError);
  });
});

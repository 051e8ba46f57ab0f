import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { CacheTierEndpoints, DatabaseEndpoints } from '../../lib/handles';
import { WebService, type WebServiceProps, type WebServiceSettings } from '../../lib/constructs/web-service';
import { stackWithVpc } from './fixtures';
import { WEB_SERVICE_SETTINGS as SETTINGS } from './settings';

function build(overrides: Partial<WebServiceProps> = {}, settings: Partial<WebServiceSettings> = {}) {
  const { stack, vpc, key } = stackWithVpc();
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true });
  const listener = alb.addListener('Http', { port: 80, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
  const database: DatabaseEndpoints = {
    writerEndpoint: 'writer.example',
    readerEndpoint: 'reader.example',
    readerEndpointType: 'endpoint',
    port: 5432,
    databaseName: 'app',
    allowFrom: () => undefined,
    grantConnect: () => undefined,
  };
  const tier: CacheTierEndpoints = {
    name: 'critical',
    evictionPolicy: 'noeviction',
    primaryEndpoint: 'primary.cache.example',
    readerEndpoint: 'reader.cache.example',
    port: 6379,
    authSecret: new secretsmanager.Secret(stack, 'Token'),
    allowFrom: () => undefined,
  };
  const service = new WebService(stack, 'ApiService', {
    name: 'api',
    settings: { ...SETTINGS, ...settings },
    cluster,
    subnets: { subnetGroupName: 'private' },
    listener,
    loadBalancerIdleTimeout: Duration.seconds(60),
    database,
    databasePoolSize: 10,
    cacheTiers: [tier],
    logsKey: key,
    alarmNamePrefix: 'App-dev',
    ...overrides,
  });
  return { service, template: () => Template.fromStack(stack) };
}

function container(template: Template): { Environment: { Name: string; Value: unknown }[]; Secrets: { Name: string }[] } {
  const [taskDefinition] = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
  return taskDefinition.Properties.ContainerDefinitions[0];
}

describe('WebService', () => {
  test('never drops below the desired count by default, and rolls', () => {
    // GIVEN / WHEN
    const { service, template } = build();
    // THEN
    template().hasResourceProperties('AWS::ECS::Service', { DeploymentConfiguration: { MinimumHealthyPercent: 100 } });
    expect(service.deploymentStrategy).toBe('rolling');
  });

  test('the cache variables come from lib/cache-env.ts: endpoints, port, TLS, and the AUTH token as a secret', () => {
    const { template } = build();
    const c = container(template());
    const names = c.Environment.map((e) => e.Name);
    expect(names).toEqual(
      expect.arrayContaining([
        'CACHE_CRITICAL_PRIMARY_ENDPOINT',
        'CACHE_CRITICAL_READER_ENDPOINT',
        'CACHE_CRITICAL_PORT',
        'CACHE_CRITICAL_TLS',
      ]),
    );
    expect(c.Secrets.map((s) => s.Name)).toEqual(['CACHE_CRITICAL_AUTH_TOKEN']);
    // No database login: no database settings.
    expect(names).not.toContain('DATABASE_WRITER_ENDPOINT');
  });

  test('takes the minimum healthy percent it is given', () => {
    const { template } = build({ minHealthyPercent: 50 });
    template().hasResourceProperties('AWS::ECS::Service', { DeploymentConfiguration: { MinimumHealthyPercent: 50 } });
  });

  test('fails on a minimum healthy percent above 100', () => {
    expect(() => build({ minHealthyPercent: 150 })).toThrow(
      'WebService Test/ApiService: expected minHealthyPercent between 0 and 100, got 150',
    );
  });

  test('fails on task bounds that do not hold the desired count', () => {
    expect(() => build({}, { tasks: { desired: 5, min: 2, max: 4 } })).toThrow(
      'WebService Test/ApiService: expected tasks.min <= tasks.desired <= tasks.max, got 2, 5, 4',
    );
  });

  test('fails on a pre-traffic hook of a traffic-shifting deployment without a test listener', () => {
    expect(() =>
      build(
        { deploymentStrategy: 'canary' },
        { deployment: { ...SETTINGS.deployment, preTrafficHook: { path: '/health/ready', timeoutSeconds: 10 } } },
      ),
    ).toThrow('WebService Test/ApiService: expected a testListener for the pre-traffic hook of a traffic-shifting deployment, got none');
  });
});

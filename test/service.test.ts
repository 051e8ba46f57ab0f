/**
 * Specifications of the service tier: the Fargate services, the load balancer in front of them, and the
 * failed-deployment rule in the Monitoring stack.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { TLS_POLICY, WAF_MANAGED_RULE_GROUPS } from '../lib/constructs/load-balancer';
import { configOf, synth } from './support/synth';
import { WORKER_SERVICE } from './support/fixtures';

interface ContainerDefinition {
  Name: string;
  Environment: { Name: string; Value: unknown }[];
  Secrets: { Name: string; ValueFrom: unknown }[];
  [key: string]: unknown;
}

/** The container definitions of every task definition in a template. */
function containers(template: Template): ContainerDefinition[] {
  return Object.values(template.findResources('AWS::ECS::TaskDefinition')).flatMap(
    (td) => (td.Properties as { ContainerDefinitions: ContainerDefinition[] }).ContainerDefinitions,
  );
}

function onlyContainer(template: Template): ContainerDefinition {
  const all = containers(template);
  expect(all).toHaveLength(1);
  return all[0];
}

function logicalId(template: Template, type: string, props: Record<string, unknown> = {}): string {
  const ids = Object.keys(template.findResources(type, { Properties: props }));
  expect(ids).toHaveLength(1);
  return ids[0];
}

const attribute = (Key: string, Value: string) => Match.arrayWith([{ Key, Value }]);

describe('health checks: a dead task leaves rotation in seconds, not minutes', () => {
  test('the container has a health check, with the timing from config', () => {
    expect(onlyContainer(synth('prod').template('service')).HealthCheck).toEqual({
      Command: ['CMD', 'node', 'dist/healthcheck.js'],
      Interval: 10,
      Timeout: 5,
      Retries: 3,
      StartPeriod: 30,
    });
  });

  test('the target group probes the dedicated liveness path every 10 s and drops a task after 2 failures', () => {
    synth('prod')
      .template('service')
      .hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
        TargetType: 'ip',
        Port: 8080,
        HealthCheckPath: '/health/live',
        HealthCheckIntervalSeconds: 10,
        HealthCheckTimeoutSeconds: 5,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 2,
        Matcher: { HttpCode: '200' },
      });
  });

  test('a stopping task is drained in 30 s, well under the 300 s default', () => {
    synth('prod')
      .template('service')
      .hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
        TargetGroupAttributes: attribute('deregistration_delay.timeout_seconds', '30'),
      });
  });

  test('a starting task has a grace period before failed probes count', () => {
    synth('prod').template('service').hasResourceProperties('AWS::ECS::Service', { HealthCheckGracePeriodSeconds: 60 });
  });
});

describe('deploy safety: a bad deploy rolls back', () => {
  test('the deployment circuit breaker is on, with rollback', () => {
    synth('prod')
      .template('service')
      .hasResourceProperties('AWS::ECS::Service', {
        DeploymentConfiguration: Match.objectLike({ DeploymentCircuitBreaker: { Enable: true, Rollback: true } }),
      });
  });

  test('deployment alarms on 5xx rate and p99 latency roll back a deployment whose tasks start but misbehave', () => {
    const service = synth('prod').template('service');
    service.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        Alarms: {
          AlarmNames: ['ScaledApp-prod-api-deployment-5xx-rate', 'ScaledApp-prod-api-deployment-p99-latency'],
          Enable: true,
          Rollback: true,
        },
      }),
    });
    service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'ScaledApp-prod-api-deployment-5xx-rate',
      Threshold: 5,
      Metrics: Match.arrayWith([
        // The worse of the two target groups: a canary's errors are not diluted by the old version's traffic.
        Match.objectLike({
          Expression:
            'MAX([IF(primaryRequests >= 10, 100 * FILL(primaryErrors, 0) / primaryRequests, 0), IF(alternateRequests >= 10, 100 * FILL(alternateErrors, 0) / alternateRequests, 0)])',
        }),
        Match.objectLike({
          Id: 'alternateErrors',
          MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'HTTPCode_Target_5XX_Count' }) }),
        }),
      ]),
    });
    service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'ScaledApp-prod-api-deployment-p99-latency',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'MAX([primaryP99, alternateP99])' }),
        Match.objectLike({
          Id: 'primaryP99',
          MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'TargetResponseTime' }), Stat: 'p99' }),
        }),
      ]),
      Threshold: 2,
    });
  });

  test('the service is created after its deployment alarms, which it names literally', () => {
    const service = synth('prod').template('service');
    const [svc] = Object.values(service.findResources('AWS::ECS::Service'));
    const alarms = Object.keys(service.findResources('AWS::CloudWatch::Alarm'));
    expect(svc.DependsOn).toEqual(expect.arrayContaining(alarms));
  });

  test('prod keeps 100% of the desired tasks healthy during a deploy; dev may drop to 50%', () => {
    synth('prod')
      .template('service')
      .hasResourceProperties('AWS::ECS::Service', {
        DeploymentConfiguration: Match.objectLike({ MinimumHealthyPercent: 100, MaximumPercent: 200 }),
      });
    synth('dev')
      .template('service')
      .hasResourceProperties('AWS::ECS::Service', { DeploymentConfiguration: Match.objectLike({ MinimumHealthyPercent: 50 }) });
  });
});

describe('scaling', () => {
  test('task counts come from config: prod runs at least 3 and at most 12', () => {
    const service = synth('prod').template('service');
    service.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 3 });
    service.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 3, MaxCapacity: 12 });
  });

  test('auto scaling tracks CPU, memory and (a rolling service) requests per task', () => {
    const service = synth('dev').template('service');
    for (const [type, target] of [
      ['ECSServiceAverageCPUUtilization', 60],
      ['ECSServiceAverageMemoryUtilization', 75],
      ['ALBRequestCountPerTarget', 1000],
    ] as const) {
      service.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({
          PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: type }),
          TargetValue: target,
        }),
      });
    }
  });

  test('a traffic-shifting service (prod canary) does not scale on the requests of one target group', () => {
    synth('prod')
      .template('service')
      .resourcePropertiesCountIs(
        'AWS::ApplicationAutoScaling::ScalingPolicy',
        {
          TargetTrackingScalingPolicyConfiguration: Match.objectLike({
            PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget' },
          }),
        },
        0,
      );
  });

  test('scheduled scaling comes from config, in its time zone', () => {
    synth('prod')
      .template('service')
      .hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
        ScheduledActions: Match.arrayWith([
          Match.objectLike({
            Schedule: 'cron(30 6 ? * MON-FRI *)',
            Timezone: 'Europe/Dublin',
            ScalableTargetAction: { MinCapacity: 6, MaxCapacity: 12 },
          }),
        ]),
      });
  });
});

describe('logs', () => {
  test('each service logs to its own KMS-encrypted log group, with the retention from config', () => {
    const prod = synth('prod').template('service');
    // Its own, beside the pre-traffic hook's log group (which has the same shape).
    const serviceLogGroups = Object.keys(
      prod.findResources('AWS::Logs::LogGroup', {
        Properties: { RetentionInDays: 365, KmsKeyId: Match.anyValue(), LogGroupName: Match.absent() },
      }),
    ).filter((id) => id.startsWith('ApiServiceLogs'));
    expect(serviceLogGroups).toHaveLength(1);
    const logGroup = serviceLogGroups[0];
    expect(onlyContainer(prod).LogConfiguration).toMatchObject({
      LogDriver: 'awslogs',
      Options: { 'awslogs-group': { Ref: logGroup }, mode: 'non-blocking' },
    });
    synth('dev').template('service').hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7, KmsKeyId: Match.anyValue() });
  });

  test('prod keeps the service logs and their key when they leave the template', () => {
    const prod = synth('prod').template('service');
    prod.allResources('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
    prod.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ EnableKeyRotation: true }) });
  });
});

describe('the container is locked down', () => {
  test('read-only root filesystem, with /tmp as the one writable volume', () => {
    const service = synth('prod').template('service');
    expect(onlyContainer(service)).toMatchObject({
      ReadonlyRootFilesystem: true,
      MountPoints: [{ ContainerPath: '/tmp', SourceVolume: 'tmp', ReadOnly: false }],
    });
    service.hasResourceProperties('AWS::ECS::TaskDefinition', { Volumes: [{ Name: 'tmp' }] });
  });

  test('runs as a non-root user, unprivileged, with every Linux capability dropped', () => {
    expect(onlyContainer(synth('prod').template('service'))).toMatchObject({
      User: '1000:1000',
      Privileged: false,
      LinuxParameters: { Capabilities: { Drop: ['ALL'] }, InitProcessEnabled: true },
    });
  });

  test('the task size is the pair from config', () => {
    synth('prod').template('service').hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '512', Memory: '1024' });
  });
});

describe('endpoints and secrets', () => {
  test('endpoints, ports and names of the database and every cache tier are plain environment', () => {
    const names = onlyContainer(synth('prod').template('service')).Environment.map((e) => e.Name);
    expect(names).toEqual(
      expect.arrayContaining([
        'DATABASE_WRITER_ENDPOINT',
        'DATABASE_READER_ENDPOINT',
        'DATABASE_PORT',
        'DATABASE_NAME',
        'CACHE_CRITICAL_PRIMARY_ENDPOINT',
        'CACHE_CRITICAL_READER_ENDPOINT',
        'CACHE_CRITICAL_PORT',
        'CACHE_HOT_PRIMARY_ENDPOINT',
        'CACHE_HOT_READER_ENDPOINT',
        'CACHE_HOT_PORT',
      ]),
    );
  });

  test('credentials arrive as ECS secrets, never as environment values', () => {
    const container = onlyContainer(synth('prod').template('service'));
    // No DATABASE_SECRET: the service signs IAM tokens for its own user; the master secret is no service's.
    expect(container.Secrets.map((s) => s.Name).sort()).toEqual(['CACHE_CRITICAL_AUTH_TOKEN', 'CACHE_HOT_AUTH_TOKEN']);
    const environment = container.Environment.map((e) => e.Name);
    for (const secret of container.Secrets) expect(environment).not.toContain(secret.Name);
    expect(JSON.stringify(container.Environment)).not.toMatch(/secretsmanager|AuthToken|Secret/);
  });

  test('the service is told its database users, the region to sign tokens for and its pool size from the capacity model', () => {
    const env = synth('prod');
    expect(onlyContainer(env.template('service')).Environment).toEqual(
      expect.arrayContaining([
        { Name: 'DATABASE_USER', Value: 'api' },
        { Name: 'DATABASE_READER_USER', Value: 'api_reader' },
        { Name: 'DATABASE_REGION', Value: 'eu-west-1' },
        { Name: 'DATABASE_POOL_SIZE', Value: String(env.config.capacity.connectionPoolPerTask) },
      ]),
    );
  });

  test("the service keeps HTTP connections open longer than the load balancer's idle timeout", () => {
    expect(onlyContainer(synth('prod').template('service')).Environment).toContainEqual({
      Name: 'HTTP_KEEP_ALIVE_TIMEOUT_MS',
      Value: '65000',
    });
  });

  test('the execution role may read the data secrets and decrypt them only through Secrets Manager', () => {
    synth('prod')
      .template('service')
      .hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: 'kms:Decrypt',
              Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
            }),
            Match.objectLike({ Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'] }),
          ]),
        },
      });
  });
});

describe('network: tasks in private subnets, reachable only from the load balancer', () => {
  test('tasks run in the private subnets without public addresses', () => {
    const [svc] = Object.values(synth('prod').template('service').findResources('AWS::ECS::Service'));
    const vpc = svc.Properties.NetworkConfiguration.AwsvpcConfiguration;
    expect(vpc.AssignPublicIp).toBe('DISABLED');
    expect(vpc.Subnets).toHaveLength(3);
    expect(JSON.stringify(vpc.Subnets).match(/privateSubnet\d/g)).toHaveLength(3);
  });

  test('the service accepts traffic only from the load balancer, on its port', () => {
    const service = synth('prod').template('service');
    const serviceSg = logicalId(service, 'AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('^Tasks of service api') });
    const lbSg = logicalId(service, 'AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('^Internet-facing') });
    const ingress = Object.values(service.findResources('AWS::EC2::SecurityGroupIngress'))
      .map((r) => r.Properties)
      .filter((p) => JSON.stringify(p.GroupId) === JSON.stringify({ 'Fn::GetAtt': [serviceSg, 'GroupId'] }));
    expect(ingress).toEqual([
      expect.objectContaining({ SourceSecurityGroupId: { 'Fn::GetAtt': [lbSg, 'GroupId'] }, FromPort: 8080, ToPort: 8080 }),
    ]);
    service.resourcePropertiesCountIs(
      'AWS::EC2::SecurityGroup',
      { SecurityGroupIngress: Match.anyValue(), GroupDescription: Match.stringLikeRegexp('^Tasks') },
      0,
    );
  });

  test('the service reaches out only to AWS APIs on 443 from its own group, and to the data layer through the data-clients group', () => {
    const { template } = synth('prod');
    const service = template('service');
    const data = template('data');
    const serviceSg = logicalId(service, 'AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('^Tasks of service api') });
    const clients = logicalId(data, 'AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('^Worn by every service task') });
    service.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Tasks of service api'),
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 })],
    });
    const ownEgress = Object.values(service.findResources('AWS::EC2::SecurityGroupEgress')).filter((r) =>
      JSON.stringify(r.Properties.GroupId).includes(serviceSg),
    );
    expect(ownEgress).toEqual([]);
    const [svc] = Object.values(service.findResources('AWS::ECS::Service'));
    expect(svc.Properties.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups).toEqual([
      { 'Fn::GetAtt': [serviceSg, 'GroupId'] },
      { 'Fn::GetStackOutput': expect.objectContaining({ StackName: 'ScaledApp-prod-Data', OutputName: expect.stringContaining(clients) }) },
    ]);
    const egress = Object.values(data.findResources('AWS::EC2::SecurityGroupEgress'))
      .map((r) => r.Properties)
      .filter((p) => JSON.stringify(p.GroupId).includes(clients));
    expect(egress.map((p) => [p.FromPort, p.Description]).sort()).toEqual([
      [5432, 'Service to the RDS Proxy'],
      [6379, 'to the critical cache tier'],
      [6379, 'to the hot cache tier'],
    ]);
  });

  test('the data endpoints admit the data-clients group, and every rule that names a data group lives in the Data stack', () => {
    const { template } = synth('prod');
    const data = template('data');
    const clients = logicalId(data, 'AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('^Worn by every service task') });
    const admitted = Object.values(data.findResources('AWS::EC2::SecurityGroupIngress'))
      .map((r) => r.Properties)
      .filter((p) => JSON.stringify(p.SourceSecurityGroupId).includes(clients));
    expect(admitted.map((p) => p.FromPort).sort()).toEqual([5432, 6379, 6379]);
    // Removing a tier deletes its group with every rule that names it, in one stack's update: the Service stack,
    // deployed after, holds no rule on a data group (it would block the deletion: DependencyViolation).
    const serviceRules = ['AWS::EC2::SecurityGroupIngress', 'AWS::EC2::SecurityGroupEgress'].flatMap((type) =>
      Object.values(template('service').findResources(type)),
    );
    expect(serviceRules.filter((r) => JSON.stringify(r).includes('ScaledApp-prod-Data'))).toEqual([]);
    // The Data stack never names the Service stack, which depends on it: that would be a dependency cycle.
    expect(JSON.stringify(data.toJSON())).not.toContain('ScaledApp-prod-Service');
  });
});

describe('load balancer', () => {
  test('prod serves HTTPS with the modern TLS policy and its certificate', () => {
    const service = synth('prod').template('service');
    service.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'HTTPS',
      Port: 443,
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09',
      Certificates: [{ CertificateArn: { Ref: Match.stringLikeRegexp('^LoadBalancerCertificate') } }],
    });
    expect(TLS_POLICY).toBe('ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09');
  });

  test('prod redirects HTTP to HTTPS, permanently', () => {
    synth('prod')
      .template('service')
      .hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [
          { Type: 'redirect', RedirectConfig: Match.objectLike({ Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' }) },
        ],
      });
  });

  test('a certificate from a hosted zone given in config is validated through DNS, without a lookup', () => {
    synth('prod')
      .template('service')
      .hasResourceProperties('AWS::CertificateManager::Certificate', {
        DomainName: 'app.example.com',
        ValidationMethod: 'DNS',
        DomainValidationOptions: [{ DomainName: 'app.example.com', HostedZoneId: 'Z0123456789EXAMPLEABC' }],
      });
  });

  test('an imported certificate is used by its ARN', () => {
    const staging = synth('staging').template('service');
    staging.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    staging.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: 'arn:aws:acm:eu-west-1:222222222222:certificate/00000000-0000-4000-8000-000000000000' }],
    });
  });

  test('drops invalid headers, mitigates desync strictly, logs access, and is protected from deletion in prod', () => {
    synth('prod')
      .template('service')
      .hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        Scheme: 'internet-facing',
        LoadBalancerAttributes: Match.arrayWith([
          { Key: 'deletion_protection.enabled', Value: 'true' },
          { Key: 'idle_timeout.timeout_seconds', Value: '60' },
          { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
          { Key: 'routing.http.desync_mitigation_mode', Value: 'strictest' },
          { Key: 'access_logs.s3.enabled', Value: 'true' },
        ]),
      });
  });

  test('access logs go to an encrypted, TLS-only bucket that expires them and has its own access logs', () => {
    const service = synth('prod').template('service');
    const audit = logicalId(service, 'AWS::S3::Bucket', { LoggingConfiguration: Match.absent() });
    service.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 365, Status: 'Enabled' })]) },
        LoggingConfiguration: { DestinationBucketName: { Ref: audit } },
        PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true, RestrictPublicBuckets: true }),
      }),
    });
    const policies = Object.values(service.findResources('AWS::S3::BucketPolicy'));
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  test('prod has a WAF web ACL with AWS managed rule groups and a rate limit, attached and logging', () => {
    const service = synth('prod').template('service');
    service.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      Rules: Match.arrayWith([
        Match.objectLike({ Name: 'RateLimitPerIp', Statement: { RateBasedStatement: { Limit: 2000, AggregateKeyType: 'IP' } } }),
        ...WAF_MANAGED_RULE_GROUPS.map((Name) =>
          Match.objectLike({ Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name } }, OverrideAction: { None: {} } }),
        ),
      ]),
    });
    service.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    const logs = logicalId(service, 'AWS::Logs::LogGroup', { LogGroupName: 'aws-waf-logs-ScaledApp-prod', KmsKeyId: Match.anyValue() });
    // WAF refuses the log group's `...:*` attribute ARN: the destination is the bare log-group ARN.
    service.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      LogDestinationConfigs: [{ 'Fn::Join': ['', ['arn:aws:logs:eu-west-1:333333333333:log-group:', { Ref: logs }]] }],
      RedactedFields: Match.arrayWith([{ SingleHeader: { Name: 'authorization' } }]),
    });
  });

  test('routes to the service by the path patterns and priority from config; anything else gets 404', () => {
    const service = synth('prod').template('service');
    service.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 100,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
    });
    service.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'HTTPS',
      DefaultActions: [Match.objectLike({ Type: 'fixed-response', FixedResponseConfig: Match.objectLike({ StatusCode: '404' }) })],
    });
  });
});

describe('dev: no certificate, so plain HTTP (documented, and acknowledged in compliance)', () => {
  test('serves the services on an HTTP listener and has no HTTPS listener', () => {
    const dev = synth('dev').template('service');
    dev.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    dev.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [Match.objectLike({ Type: 'fixed-response' })],
    });
  });

  test('the plain-HTTP listener carries the compliance acknowledgement, with a reason', () => {
    const [listener] = Object.values(synth('dev').template('service').findResources('AWS::ElasticLoadBalancingV2::Listener'));
    const acknowledged = JSON.stringify(listener.Metadata);
    expect(acknowledged).toContain('NIST.800.53.R5-ALBHttpToHttpsRedirection');
    expect(acknowledged).toContain('no certificate');
  });

  test('has no WAF and may delete its load balancer', () => {
    const dev = synth('dev').template('service');
    dev.resourceCountIs('AWS::WAFv2::WebACL', 0);
    dev.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'false' }]),
    });
  });
});

describe('outputs for monitoring and tools', () => {
  test('publishes the cluster, the load balancer, and each service with its target group', () => {
    const service = synth('prod').template('service');
    for (const key of ['ClusterName', 'LoadBalancerDnsName', 'ServiceApiServiceName', 'ServiceApiTargetGroupArn']) {
      service.hasOutput(key, {});
      service.hasResourceProperties('AWS::SSM::Parameter', { Name: Match.stringLikeRegexp(`^/ScaledApp/prod/`) });
    }
    service.hasResourceProperties('AWS::SSM::Parameter', { Name: '/ScaledApp/prod/service-api-target-group-arn' });
  });

  test('exposes each service, its target group and the load balancer as typed handles', () => {
    const { service } = synth('prod').stacks;
    expect(service.service('api').targetGroup.targetGroupArn).toBeDefined();
    expect(service.service('api').service.serviceArn).toBeDefined();
    expect(service.loadBalancer.loadBalancer.loadBalancerFullName).toBeDefined();
    expect(() => service.service('web')).toThrow('no service "web"; the services are api');
  });
});

describe('failed deployments reach the alarm topic', () => {
  test('an EventBridge rule in the Monitoring stack sends SERVICE_DEPLOYMENT_FAILED of the services to the topic', () => {
    const monitoring = synth('prod').template('monitoring');
    const topic = logicalId(monitoring, 'AWS::SNS::Topic');
    monitoring.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecs'],
        'detail-type': ['ECS Deployment State Change'],
        resources: [Match.anyValue()],
        detail: { eventName: ['SERVICE_DEPLOYMENT_FAILED'] },
      },
      Targets: [Match.objectLike({ Arn: { Ref: topic }, InputTransformer: Match.anyValue() })],
    });
  });
});

describe('a new service is config alone', () => {
  const config = configOf('dev', {
    // The capacity model must count the new service's tasks too (validation says so when it does not).
    capacity: { maxTasks: 8 },
    services: {
      worker: {
        ...WORKER_SERVICE,
        routing: { ...WORKER_SERVICE.routing, hosts: ['jobs.example.com'] },
        containerHealthCheck: { command: ['CMD', '/bin/worker', 'healthcheck'] },
        environment: { LOG_LEVEL: 'debug' },
        secrets: {
          API_KEY: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:worker/api-key-AbCdEf',
          FEATURE_FLAGS: 'arn:aws:ssm:eu-west-1:111111111111:parameter/worker/flags',
        },
      },
    },
  });
  const env = synth(config);

  test('adds a second service, with its own target group, routing rule, scaling and outputs', () => {
    const service = env.template('service');
    service.resourceCountIs('AWS::ECS::Service', 2);
    service.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 9000, HealthCheckPath: '/health/live' });
    service.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 10,
      Conditions: Match.arrayWith([
        { Field: 'path-pattern', PathPatternConfig: { Values: ['/jobs/*'] } },
        { Field: 'host-header', HostHeaderConfig: { Values: ['jobs.example.com'] } },
      ]),
    });
    service.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 1, MaxCapacity: 3 });
    service.hasOutput('ServiceWorkerServiceName', {});
    service.hasOutput('ServiceWorkerTargetGroupArn', {});
  });

  test('pulls a registry image and runs the health-check command from config', () => {
    const worker = containers(env.template('service')).find((c) => c.Image === WORKER_SERVICE.image.reference);
    expect(worker).toMatchObject({ HealthCheck: { Command: ['CMD', '/bin/worker', 'healthcheck'] }, User: '1000:1000' });
    expect(worker?.Environment).toContainEqual({ Name: 'LOG_LEVEL', Value: 'debug' });
  });

  test('its secrets from config are ECS secrets by ARN, readable by its execution role only', () => {
    const service = env.template('service');
    const worker = containers(service).find((c) => c.Image === WORKER_SERVICE.image.reference);
    expect(worker?.Secrets).toEqual(
      expect.arrayContaining([
        { Name: 'API_KEY', ValueFrom: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:worker/api-key-AbCdEf' },
        { Name: 'FEATURE_FLAGS', ValueFrom: 'arn:aws:ssm:eu-west-1:111111111111:parameter/worker/flags' },
      ]),
    );
    for (const statement of [
      { Action: 'ssm:GetParameters', Resource: 'arn:aws:ssm:eu-west-1:111111111111:parameter/worker/flags' },
      {
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        Resource: Match.arrayWith(['arn:aws:secretsmanager:eu-west-1:111111111111:secret:worker/api-key-AbCdEf']),
      },
    ]) {
      service.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike(statement)]) } });
    }
    const apiPolicy = Object.entries(service.findResources('AWS::IAM::Policy')).find(([id]) => id.startsWith('ApiService'));
    expect(JSON.stringify(apiPolicy?.[1])).not.toContain('worker/');
  });

  test('gets its database users, their rds_iam grant and its IAM permission to log in as them, with no other code', () => {
    const [identities] = Object.values(env.template('data').findResources('Custom::DatabaseIdentities'));
    const statements = identities.Properties.Statements as string[];
    for (const user of ['worker', 'worker_reader']) {
      expect(statements).toContain(`GRANT "rds_iam" TO "${user}"`);
    }
    // What the task role may do is proved by the permission matrix (test/iam); here, that the grant names it.
    const workerPolicy = Object.entries(env.template('service').findResources('AWS::IAM::Policy')).find(([id]) =>
      id.startsWith('WorkerServiceTaskDefinitionTaskRole'),
    );
    expect(JSON.stringify(workerPolicy?.[1])).toMatch(/rds-db:connect.*\/worker"/);
  });

  test('is reachable from the load balancer on its port, and its failed deployments notify too', () => {
    env
      .template('service')
      .hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 9000, Description: 'Load balancer to target' });
    const [rule] = Object.values(env.template('monitoring').findResources('AWS::Events::Rule'));
    expect(rule.Properties.EventPattern.resources).toHaveLength(2);
  });
});

describe('what a service may use is config', () => {
  const config = configOf('dev', {
    capacity: { maxTasks: 8 },
    services: { worker: { ...WORKER_SERVICE, database: { access: 'none' }, cacheTiers: ['hot'] } },
  });
  const env = synth(config);
  const worker = () => containers(env.template('service')).find((c) => c.Image === WORKER_SERVICE.image.reference)!;

  test('a service with cacheTiers gets those tiers only: endpoints, AUTH secret and route', () => {
    expect(worker().Secrets.map((s) => s.Name)).toEqual(['CACHE_HOT_AUTH_TOKEN']);
    const names = worker().Environment.map((e) => e.Name);
    expect(names).toContain('CACHE_HOT_PRIMARY_ENDPOINT');
    expect(names.some((n) => n.startsWith('CACHE_CRITICAL'))).toBe(false);
  });

  test('a service with database access none gets no database settings, user or permission', () => {
    expect(
      worker()
        .Environment.map((e) => e.Name)
        .filter((n) => n.startsWith('DATABASE_')),
    ).toEqual([]);
    const [identities] = Object.values(env.template('data').findResources('Custom::DatabaseIdentities'));
    expect(JSON.stringify(identities.Properties.Statements)).not.toContain('worker');
    // The network route is the shared data-clients group (docs/architecture.md); what decides is IAM: no
    // rds-db:connect in the worker's task-role policy, while the api's has it.
    const policies = Object.values(env.template('service').findResources('AWS::IAM::Policy'));
    const ofRole = (role: string) =>
      policies.filter((p) => JSON.stringify(p.Properties.Roles).includes(role)).map((p) => JSON.stringify(p));
    expect(ofRole('ApiServiceTaskDefinitionTaskRole').join()).toContain('rds-db:connect');
    expect(ofRole('WorkerServiceTaskDefinitionTaskRole').join()).not.toContain('rds-db:connect');
  });
});

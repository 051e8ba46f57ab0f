import { Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import type { AppConfig } from '../../config/schema';
import { chaosEnabled } from '../../config/schema/chaos-rules';
import { resolveStrategy } from '../../config/schema/rollout';
import { PROJECT_ROOT } from '../../config/project-root';
import type { EncryptionKey } from '../constructs/encryption';
import type { CacheTierEndpoints, DatabaseEndpoints, DatabaseLogin } from '../handles';
import { PublicLoadBalancer } from '../constructs/load-balancer';
import { SchemaMigration } from '../constructs/schema-migration';
import { TaskFaultInjection } from '../constructs/task-fault-injection';
import type { Network } from '../constructs/network';
import { WebService } from '../constructs/web-service';
import { serviceDatabaseUsers } from '../database/identity-sql';
import { Outputs, pascal } from '../outputs';
import { EnvironmentStack } from './environment-stack';

export interface ServiceStackProps {
  readonly config: AppConfig;
  readonly network: Network;
  /** The group the data layer admits to the database and every cache tier: every service task wears it. */
  readonly dataClients: ec2.ISecurityGroup;
  /** The database the services connect to (through the proxy). */
  readonly database: DatabaseEndpoints;
  /** The cache tiers the services connect to. */
  readonly cacheTiers: readonly CacheTierEndpoints[];
}

/** The stateless layer: the ECS cluster, the load balancer and the services behind it. */
export class ServiceStack extends EnvironmentStack {
  readonly cluster: ecs.Cluster;
  /** Encrypts the services' logs and the WAF logs (stateful: its construct ID is pinned). */
  readonly logsKey: EncryptionKey;
  readonly loadBalancer: PublicLoadBalancer;
  /** The services of `services` in config, in config order. */
  readonly services: readonly WebService[];
  /** The schema migrations, by service name: one per service with `read-write` database access. */
  readonly schemaMigrations: Readonly<Record<string, SchemaMigration>>;

  constructor(scope: Construct, props: ServiceStackProps) {
    const { config } = props;
    super(scope, 'Service', {
      config,
      description: `${config.app.name} ${config.environment.name}: ECS Fargate services behind an Application Load Balancer`,
    });
    // The data layer is deployed first: the tasks connect to it, and wear its clients' group.
    this.addStackDependency(Stack.of(props.dataClients));
    const production = config.environment.production;
    const namePrefix = this.namePrefix;
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.network.vpc,
      // Per-task CPU, memory and network metrics: what tells a slow task from a starved one.
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    this.logsKey = this.newLogsKey('LogsKey', 'Encrypts the service logs and the WAF logs');
    this.loadBalancer = new PublicLoadBalancer(this, 'LoadBalancer', {
      settings: config.loadBalancer,
      vpc: props.network.vpc,
      subnets: props.network.publicSubnets,
      logsKey: this.logsKey,
      logGroupPolicy: this.logGroupPolicy,
      namePrefix,
    });
    const strategies = Object.fromEntries(
      Object.entries(config.services).map(([name, s]) => [name, resolveStrategy(s.deployment.strategy, production)]),
    );
    const needsTestListener = Object.entries(config.services).some(
      ([name, s]) => s.deployment.preTrafficHook !== undefined && strategies[name] !== 'rolling',
    );
    const testPort = config.loadBalancer.testListenerPort;
    const testListener = needsTestListener
      ? {
          listener: this.loadBalancer.addTestListener(testPort, props.network.natPublicIps),
          endpoint: `http://${this.loadBalancer.loadBalancer.loadBalancerDnsName}:${testPort}`,
          port: testPort,
        }
      : undefined;
    // Construct IDs derive from the service names in config: renaming a service replaces it (and its log group).
    this.services = Object.entries(config.services).map(
      ([name, service]) =>
        new WebService(this, `${pascal(name)}Service`, {
          name,
          settings: service,
          assetRoot: PROJECT_ROOT,
          cluster: this.cluster,
          subnets: props.network.serviceSubnets,
          listener: this.loadBalancer.listener,
          loadBalancerIdleTimeout: this.loadBalancer.idleTimeout,
          database: props.database,
          databaseLogin: databaseLogin(name, service.database.access),
          databasePoolSize: config.capacity.connectionPoolPerTask,
          // Only the tiers the service uses (all when config does not say): an unused tier's AUTH secret is not its to read.
          cacheTiers: service.cacheTiers ? props.cacheTiers.filter((tier) => service.cacheTiers!.includes(tier.name)) : props.cacheTiers,
          dataClientsSecurityGroup: props.dataClients,
          logsKey: this.logsKey,
          logGroupPolicy: this.logGroupPolicy,
          // Production never drops below the desired count during a deployment.
          minHealthyPercent: production ? 100 : 50,
          alarmNamePrefix: namePrefix,
          deploymentStrategy: strategies[name],
          testListener,
          reserveFunctionConcurrency: config.environment.reserveLambdaConcurrency,
        }),
    );

    // A service that owns its schema (read-write access) migrates it before CloudFormation updates the service:
    // the migration task runs the new task definition revision, and the service waits for it.
    const migrations: Record<string, SchemaMigration> = {};
    for (const s of this.services) {
      if (config.services[s.name].database.access !== 'read-write') continue;
      const migration = (migrations[s.name] = new SchemaMigration(s, 'SchemaMigration', {
        cluster: this.cluster,
        container: s.container,
        subnetIds: s.taskNetwork.subnetIds,
        securityGroupIds: s.taskNetwork.securityGroupIds,
        logsKey: this.logsKey,
        logRetentionDays: config.services[s.name].logRetentionDays,
        logGroupPolicy: this.logGroupPolicy,
        reserveConcurrency: config.environment.reserveLambdaConcurrency,
      }));
      migration.gate(s.service);
    }
    this.schemaMigrations = migrations;

    // Only where experiments are enabled: elsewhere (production, by default) the task definitions stay as they are.
    if (chaosEnabled(config)) {
      const faultInjection = new TaskFaultInjection(this, 'FaultInjection', {
        agentImage: config.chaos.ssmAgentImage,
        instanceTags: { Application: config.app.name, Environment: config.environment.name },
      });
      for (const s of this.services) faultInjection.addTo(s.taskDefinition, s.logGroup);
    }

    const out = this.publish.bind(this);
    out(Outputs.clusterName, this.cluster.clusterName, 'ECS cluster of the services');
    out(
      Outputs.loadBalancerDnsName,
      this.loadBalancer.loadBalancer.loadBalancerDnsName,
      'DNS name of the load balancer (point the domain here)',
    );
    for (const s of this.services) {
      out(Outputs.service(s.name, 'ServiceName'), s.service.serviceName, `ECS service name of ${s.name}`);
      out(Outputs.service(s.name, 'TargetGroupArn'), s.targetGroup.targetGroupArn, `Target group of ${s.name}`);
      out(
        Outputs.service(s.name, 'AlternateTargetGroupArn'),
        s.alternateTargetGroup.targetGroupArn,
        `Second target group of ${s.name} (traffic-shifting deployments alternate between the two)`,
      );
    }
  }

  /** The service named `name` in config. */
  service(name: string): WebService {
    const found = this.services.find((s) => s.name === name);
    if (!found) throw new Error(`no service "${name}"; the services are ${this.services.map((s) => s.name).join(', ')}`);
    return found;
  }
}

function databaseLogin(service: string, access: 'read-write' | 'read-only' | 'none'): DatabaseLogin | undefined {
  if (access === 'none') return undefined;
  const users = serviceDatabaseUsers(service);
  return access === 'read-write' ? users : { reader: users.reader };
}

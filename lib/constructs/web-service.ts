/**
 * One ECS Fargate service behind the load balancer, with everything the failure-mode table asks of it:
 * container and target-group health checks, a short deregistration delay, a deployment circuit breaker and
 * deployment alarms that roll back, auto scaling, encrypted logs, and a locked-down container.
 */
import * as path from 'path';
import { Duration, Size, Stack, TimeZone } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance';
import { cacheContainerEnvironment } from '../cache-env';
import { EncryptedLogGroup, type LogGroupPolicy } from './encryption';
import type { CacheTierEndpoints, DatabaseEndpoints, DatabaseLogin } from '../handles';
import { PreTrafficHook } from './pre-traffic-hook';
import { errorRateExpression } from '../monitoring/request-metrics';
import type { DeploymentStrategyName, TrafficShiftSettings } from '../rollout/strategies';
import { deploymentStrategyProps, LoadBalancerInfrastructureRole } from './traffic-shift';
/** The load balancer's test listener: where a pre-traffic hook reaches the new version before production does. */
export interface TestListener {
  readonly listener: elbv2.ApplicationListener;
  /** `http://<load balancer DNS name>:<port>` */
  readonly endpoint: string;
  readonly port: number;
}

/** Where the container image comes from: a directory built at synth (a Docker asset), or an image in a registry. */
export type ServiceImage =
  { readonly source: 'directory'; readonly directory: string } | { readonly source: 'registry'; readonly reference: string };

/** What the service runs and how it is checked, scaled, routed and deployed (the shape of `services.<name>` in config). */
export interface WebServiceSettings {
  readonly image: ServiceImage;
  /** Fargate CPU units and memory (MiB) of the task. */
  readonly cpu: number;
  readonly memory: number;
  /** The port the container listens on. */
  readonly port: number;
  /** The (non-root) user the container runs as. */
  readonly user: string;
  readonly tasks: { readonly desired: number; readonly min: number; readonly max: number };
  readonly routing: { readonly priority: number; readonly pathPatterns: readonly string[]; readonly hosts: readonly string[] };
  readonly healthCheck: {
    readonly path: string;
    readonly intervalSeconds: number;
    readonly timeoutSeconds: number;
    readonly healthyThresholdCount: number;
    readonly unhealthyThresholdCount: number;
    readonly gracePeriodSeconds: number;
  };
  readonly containerHealthCheck: {
    readonly command: readonly string[];
    readonly intervalSeconds: number;
    readonly timeoutSeconds: number;
    readonly retries: number;
    readonly startPeriodSeconds: number;
  };
  readonly deregistrationDelaySeconds: number;
  readonly scaling: {
    readonly cpuPercent: number;
    readonly memoryPercent: number;
    readonly requestsPerTarget: number;
    readonly scaleInCooldownSeconds: number;
    readonly scaleOutCooldownSeconds: number;
  };
  readonly scheduledScaling: readonly {
    readonly name: string;
    readonly schedule: string;
    readonly minTasks: number;
    readonly maxTasks: number;
    readonly timeZone?: string;
  }[];
  readonly deploymentAlarms: { readonly max5xxPercent: number; readonly maxP99LatencyMs: number };
  readonly deployment: TrafficShiftSettings & { readonly preTrafficHook?: { readonly path: string; readonly timeoutSeconds: number } };
  readonly loadBalancing: {
    readonly algorithm: 'weighted-random' | 'round-robin' | 'least-outstanding-requests';
    readonly anomalyMitigation: boolean;
    readonly slowStartSeconds: number;
  };
  /** Days to keep the service's logs. */
  readonly logRetentionDays: number;
  /** Plain environment variables of the container. */
  readonly environment: Readonly<Record<string, string>>;
  /** Environment variables filled from secrets: name to a Secrets Manager secret or SSM parameter ARN. */
  readonly secrets: Readonly<Record<string, string>>;
}

export interface WebServiceProps {
  /** The service's name in config (`services.<name>`). */
  readonly name: string;
  readonly settings: WebServiceSettings;
  /**
   * The directory a `directory` image's path is relative to (the project root).
   * @default - the current working directory
   */
  readonly assetRoot?: string;
  readonly cluster: ecs.ICluster;
  /** Where tasks run: the private subnets. */
  readonly subnets: ec2.SubnetSelection;
  /** The load-balancer listener that routes to the service. */
  readonly listener: elbv2.ApplicationListener;
  /**
   * How long the load balancer keeps an idle client connection; the service's keep-alive is set longer, so
   * that the load balancer never reuses a connection the service has just closed (a 502).
   */
  readonly loadBalancerIdleTimeout: Duration;
  readonly database: DatabaseEndpoints;
  /**
   * The database users the service logs in as, with an IAM token: its task role may connect as these and no
   * other. Absent, the service gets no database settings and no route to the database.
   * @default - no database access
   */
  readonly databaseLogin?: DatabaseLogin;
  /** Connections each task's pool may hold (`DATABASE_POOL_SIZE`), from the capacity model. */
  readonly databasePoolSize: number;
  /** The cache tiers the service uses: it gets their endpoints, AUTH secrets and a route to them, nothing of others. */
  readonly cacheTiers: readonly CacheTierEndpoints[];
  /**
   * A group the data layer already admits to the database and every cache tier; the tasks wear it instead of
   * getting rules of their own, so that no rule of this stack names a group of the data layer.
   * @default - the service's own group is admitted to the database and to each tier
   */
  readonly dataClientsSecurityGroup?: ec2.ISecurityGroup;
  /** Encrypts the service's log group. */
  readonly logsKey: kms.IKey;
  /**
   * Removal of the service's log groups, and whether a retention under a year is acknowledged (outside production).
   * @default - retained; short retention not acknowledged
   */
  readonly logGroupPolicy?: LogGroupPolicy;
  /**
   * Minimum healthy percent during a deployment (100: never below the desired count).
   * @default 100
   */
  readonly minHealthyPercent?: number;
  /** Prefix of the deployment alarms' names (`<App>-<env>`). */
  readonly alarmNamePrefix: string;
  /**
   * How a new version reaches traffic. Every strategy but `rolling` is an ECS native traffic shift between the
   * two target groups, watched by the deployment alarms while traffic moves and during the bake time.
   * @default 'rolling'
   */
  readonly deploymentStrategy?: DeploymentStrategyName;
  /** The test listener, required by a pre-traffic hook (`config.deployment.preTrafficHook`). @default - no test listener rule */
  readonly testListener?: TestListener;
  /**
   * Whether the pre-traffic hook's function reserves its concurrency (`PreTrafficHook`'s `reserveConcurrency`).
   * @default true
   */
  readonly reserveFunctionConcurrency?: boolean;
}

/** A secret held in an SSM parameter, referenced by its ARN as given in config (any account or region). */
class ParameterSecret extends ecs.Secret {
  readonly hasField = false;
  constructor(readonly arn: string) {
    super();
  }
  grantRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['ssm:GetParameters'], resourceArns: [this.arn] });
  }
}

export class WebService extends Construct {
  readonly name: string;
  readonly service: ecs.FargateService;
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  /** The target group the service was created with; during and after a traffic-shifting deployment, either one serves. */
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The second target group, where a traffic-shifting deployment starts the new version. */
  readonly alternateTargetGroup: elbv2.ApplicationTargetGroup;
  /** The production listener rule, forwarding to both target groups with the weights ECS moves. */
  readonly listenerRule: elbv2.ApplicationListenerRule;
  readonly deploymentStrategy: DeploymentStrategyName;
  /** The routing algorithm of both target groups, and whether anomaly mitigation is on. */
  readonly loadBalancing: WebServiceSettings['loadBalancing'];
  readonly preTrafficHook?: PreTrafficHook;
  readonly securityGroup: ec2.SecurityGroup;
  /** Where the tasks run and what they wear (also what a one-off task of this service needs, e.g. its migrations). */
  readonly taskNetwork: { readonly subnetIds: readonly string[]; readonly securityGroupIds: readonly string[] };
  /** The service's logs (stateful: its construct ID is pinned). */
  readonly logGroup: EncryptedLogGroup;
  readonly scaling: ecs.ScalableTaskCount;
  /** Alarms ECS watches during a deployment: in alarm, the deployment rolls back. */
  readonly deploymentAlarms: { readonly errorRate: cloudwatch.Alarm; readonly latencyP99: cloudwatch.Alarm };
  /** Their names, as literals (the service must not reference the alarms it waits for). */
  readonly deploymentAlarmNames: readonly string[];

  constructor(scope: Construct, id: string, props: WebServiceProps) {
    super(scope, id);
    const { settings: config, name } = props;
    const minHealthy = props.minHealthyPercent ?? 100;
    if (!(minHealthy >= 0 && minHealthy <= 100)) {
      throw new Error(`WebService ${this.node.path}: expected minHealthyPercent between 0 and 100, got ${minHealthy}`);
    }
    if (!(config.tasks.min <= config.tasks.desired && config.tasks.desired <= config.tasks.max)) {
      throw new Error(
        `WebService ${this.node.path}: expected tasks.min <= tasks.desired <= tasks.max, got ${config.tasks.min}, ${config.tasks.desired}, ${config.tasks.max}`,
      );
    }
    if (config.deployment.preTrafficHook && (props.deploymentStrategy ?? 'rolling') !== 'rolling' && !props.testListener) {
      throw new Error(
        `WebService ${this.node.path}: expected a testListener for the pre-traffic hook of a traffic-shifting deployment, got none`,
      );
    }
    this.name = name;
    this.deploymentStrategy = props.deploymentStrategy ?? 'rolling';
    this.loadBalancing = config.loadBalancing;
    const shifting = this.deploymentStrategy !== 'rolling';

    this.logGroup = new EncryptedLogGroup(this, 'Logs', {
      encryptionKey: props.logsKey,
      retentionDays: config.logRetentionDays,
      ...props.logGroupPolicy,
    });

    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu: config.cpu,
      memoryLimitMiB: config.memory,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      // The root filesystem is read-only; /tmp is the one writable place, on the task's ephemeral storage.
      volumes: [{ name: 'tmp' }],
    });

    const linuxParameters = new ecs.LinuxParameters(this, 'LinuxParameters', {
      // PID 1 that reaps zombies and forwards SIGTERM, so draining works whatever the image's entry point.
      initProcessEnabled: true,
    });
    linuxParameters.dropCapabilities(ecs.Capability.ALL);

    const hc = config.containerHealthCheck;
    this.container = this.taskDefinition.addContainer('App', {
      image: this.image(config, props.assetRoot ?? process.cwd()),
      essential: true,
      // A hard limit (Control Tower's CT.ECS.PR.7): the task's whole memory, as the one container in the task.
      memoryLimitMiB: config.memory,
      portMappings: [{ containerPort: config.port, name: 'http' }],
      user: config.user,
      privileged: false,
      readonlyRootFilesystem: true,
      linuxParameters,
      environment: this.environment(props),
      secrets: this.secrets(props),
      healthCheck: {
        command: [...hc.command],
        interval: Duration.seconds(hc.intervalSeconds),
        timeout: Duration.seconds(hc.timeoutSeconds),
        retries: hc.retries,
        startPeriod: Duration.seconds(hc.startPeriodSeconds),
      },
      logging: ecs.LogDrivers.awsLogs({
        logGroup: this.logGroup,
        streamPrefix: name,
        // A slow CloudWatch Logs must not stall request handling: buffer, and drop if the buffer fills.
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
        maxBufferSize: Size.mebibytes(25),
      }),
    });
    this.container.addMountPoints({ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false });
    acknowledge(
      this.taskDefinition,
      'Environment variables hold only endpoints, ports, user names and settings, never credentials: the database is reached with IAM tokens the service signs itself, cache AUTH tokens and the secrets of config are ECS secrets, injected from Secrets Manager or SSM at start (validation refuses a secret ARN among plain values).',
      'AwsSolutions-ECS2',
      '*-ECSTaskDefinitionNoEnvironmentVariables',
    );

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.cluster.vpc,
      description: `Tasks of service ${name}: in from the load balancer, out to the database proxy and cache tiers`,
      allowAllOutbound: false,
    });
    // Without VPC endpoints, image pulls, Secrets Manager, SSM and CloudWatch Logs are reached through NAT on 443.
    this.securityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'AWS APIs (ECR, Secrets Manager, SSM, CloudWatch Logs) through NAT',
    );

    this.service = new ecs.FargateService(this, 'Resource', {
      cluster: props.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: config.tasks.desired,
      vpcSubnets: props.subnets,
      securityGroups: [this.securityGroup],
      assignPublicIp: false,
      minHealthyPercent: minHealthy,
      maxHealthyPercent: 200,
      healthCheckGracePeriod: Duration.seconds(config.healthCheck.gracePeriodSeconds),
      // Tasks that never become healthy stop the deployment and bring back the last good task definition.
      circuitBreaker: { enable: true, rollback: true },
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      enableExecuteCommand: false,
      ...deploymentStrategyProps(this.deploymentStrategy, config.deployment),
    });

    this.taskNetwork = {
      subnetIds: props.cluster.vpc.selectSubnets(props.subnets).subnetIds,
      securityGroupIds: [
        this.securityGroup.securityGroupId,
        ...(props.dataClientsSecurityGroup ? [props.dataClientsSecurityGroup.securityGroupId] : []),
      ],
    };
    if (props.dataClientsSecurityGroup) {
      // Worn by the tasks but kept out of `service.connections`: the load balancer's rules go to the service's
      // own group, and no rule of this stack lands on a group of the data layer (which would be a cycle).
      (this.service.node.defaultChild as ecs.CfnService).addPropertyOverride('NetworkConfiguration.AwsvpcConfiguration.SecurityGroups', [
        ...this.taskNetwork.securityGroupIds,
      ]);
    } else {
      if (props.databaseLogin) props.database.allowFrom(this.service);
      for (const tier of props.cacheTiers) tier.allowFrom(this.service);
    }
    if (props.databaseLogin) {
      // The task role logs in as the service's own users, nobody else's: IAM evaluates rds-db:connect per user.
      props.database.grantConnect(this.taskDefinition.taskRole, props.databaseLogin);
    }

    this.targetGroup = this.createTargetGroup('TargetGroup', props);
    this.alternateTargetGroup = this.createTargetGroup('AlternateTargetGroup', props);

    const conditions: elbv2.ListenerCondition[] = [];
    if (config.routing.pathPatterns.length > 0) conditions.push(elbv2.ListenerCondition.pathPatterns([...config.routing.pathPatterns]));
    if (config.routing.hosts.length > 0) conditions.push(elbv2.ListenerCondition.hostHeaders([...config.routing.hosts]));
    // Both target groups in every strategy, so that switching strategy never rewrites the rule (see traffic-shift.ts).
    const forward = elbv2.ListenerAction.weightedForward([
      { targetGroup: this.targetGroup, weight: 100 },
      { targetGroup: this.alternateTargetGroup, weight: 0 },
    ]);
    this.listenerRule = new elbv2.ApplicationListenerRule(this, 'ListenerRule', {
      listener: props.listener,
      priority: config.routing.priority,
      conditions,
      action: forward,
    });
    const hook = config.deployment.preTrafficHook;
    const testRule =
      shifting && hook && props.testListener
        ? new elbv2.ApplicationListenerRule(this, 'TestListenerRule', {
            listener: props.testListener.listener,
            priority: config.routing.priority,
            conditions,
            action: forward,
          })
        : undefined;
    const alternateTarget = shifting
      ? new ecs.AlternateTarget('AlternateTarget', {
          alternateTargetGroup: this.alternateTargetGroup,
          productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(this.listenerRule),
          testListener: testRule ? ecs.ListenerRuleConfiguration.applicationListenerRule(testRule) : undefined,
          role: new LoadBalancerInfrastructureRole(this, 'LoadBalancerRole', {
            targetGroups: [this.targetGroup, this.alternateTargetGroup],
            rules: testRule ? [this.listenerRule, testRule] : [this.listenerRule],
          }),
        })
      : undefined;
    this.targetGroup.addTarget(
      this.service.loadBalancerTarget({ containerName: this.container.containerName, containerPort: config.port, alternateTarget }),
    );
    if (testRule && hook && props.testListener) {
      this.preTrafficHook = new PreTrafficHook(this, 'PreTrafficHook', {
        vpc: props.cluster.vpc,
        subnets: props.subnets,
        testEndpoint: props.testListener.endpoint,
        testPort: props.testListener.port,
        path: hook.path,
        host: config.routing.hosts[0],
        timeout: Duration.seconds(hook.timeoutSeconds),
        logsKey: props.logsKey,
        logRetentionDays: config.logRetentionDays,
        logGroupPolicy: props.logGroupPolicy,
        reserveConcurrency: props.reserveFunctionConcurrency,
      });
      this.service.addLifecycleHook(this.preTrafficHook.target);
    }

    const alarmName = (kind: string) => `${props.alarmNamePrefix}-${name}-deployment-${kind}`;
    this.deploymentAlarmNames = [alarmName('5xx-rate'), alarmName('p99-latency')];
    this.deploymentAlarms = this.createDeploymentAlarms(props, this.deploymentAlarmNames);
    // Alarms on the service's own target group: tasks that start and pass health checks but answer badly still
    // roll the deployment back (the circuit breaker alone only catches tasks that never get healthy).
    // By literal name: `alarm.alarmName` is a reference, and ECS would then see an alarm created after the service.
    this.service.enableDeploymentAlarms([...this.deploymentAlarmNames], { behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM });
    for (const alarm of Object.values(this.deploymentAlarms)) this.service.node.addDependency(alarm);

    this.scaling = this.service.autoScaleTaskCount({ minCapacity: config.tasks.min, maxCapacity: config.tasks.max });
    const cooldowns = {
      scaleInCooldown: Duration.seconds(config.scaling.scaleInCooldownSeconds),
      scaleOutCooldown: Duration.seconds(config.scaling.scaleOutCooldownSeconds),
    };
    this.scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: config.scaling.cpuPercent, ...cooldowns });
    this.scaling.scaleOnMemoryUtilization('Memory', { targetUtilizationPercent: config.scaling.memoryPercent, ...cooldowns });
    // ALBRequestCountPerTarget follows one target group, and a traffic-shifting deployment leaves the tasks in either
    // one (target tracking cannot use metric math over both): such a service scales on CPU and memory only.
    if (!shifting) {
      this.scaling.scaleOnRequestCount('Requests', {
        requestsPerTarget: config.scaling.requestsPerTarget,
        targetGroup: this.targetGroup,
        ...cooldowns,
      });
    }
    for (const action of config.scheduledScaling) {
      this.scaling.scaleOnSchedule(`Schedule-${action.name}`, {
        schedule: appscaling.Schedule.expression(action.schedule),
        timeZone: action.timeZone ? TimeZone.of(action.timeZone) : undefined,
        minCapacity: action.minTasks,
        maxCapacity: action.maxTasks,
      });
    }

    if (props.databaseLogin) {
      acknowledge(
        this.taskDefinition.taskRole,
        'The task-role policy is generated by CDK from grantConnect: rds-db:connect as this service’s own database users only, and lives and dies with this one role.',
        '*-IAMNoInlinePolicy',
      );
    }
    const executionRole = this.taskDefinition.obtainExecutionRole();
    acknowledge(
      executionRole,
      'The execution-role policy is generated by CDK from grants (image pull, log delivery, reading this service’s secrets) and lives and dies with this one role. ecr:GetAuthorizationToken has no resource-level permissions, hence its `*`.',
      '*-IAMNoInlinePolicy',
      'AwsSolutions-IAM5[Resource::*]',
    );
  }

  private image(config: WebServiceSettings, assetRoot: string): ecs.ContainerImage {
    if (config.image.source === 'registry') return ecs.ContainerImage.fromRegistry(config.image.reference);
    // Staged into the cloud assembly at synth; built and pushed by `cdk deploy`, for the architecture Fargate runs.
    return ecs.ContainerImage.fromAsset(path.resolve(assetRoot, config.image.directory), { platform: Platform.LINUX_AMD64 });
  }

  private environment(props: WebServiceProps): Record<string, string> {
    const { settings: config, database, databaseLogin } = props;
    const env: Record<string, string> = {
      SERVICE_NAME: props.name,
      PORT: String(config.port),
      HTTP_KEEP_ALIVE_TIMEOUT_MS: String((props.loadBalancerIdleTimeout.toSeconds() + 5) * 1000),
    };
    if (databaseLogin) {
      Object.assign(env, {
        DATABASE_WRITER_ENDPOINT: database.writerEndpoint,
        DATABASE_READER_ENDPOINT: database.readerEndpoint,
        DATABASE_READER_ENDPOINT_TYPE: database.readerEndpointType,
        DATABASE_PORT: String(database.port),
        DATABASE_NAME: database.databaseName,
        // A read-only service logs in as its reader user at both endpoints.
        DATABASE_USER: databaseLogin.writer ?? databaseLogin.reader,
        DATABASE_READER_USER: databaseLogin.reader,
        // The region the IAM token is signed for.
        DATABASE_REGION: Stack.of(this).region,
        DATABASE_POOL_SIZE: String(props.databasePoolSize),
      });
    }
    Object.assign(env, cacheContainerEnvironment(props.cacheTiers).environment);
    return { ...config.environment, ...env };
  }

  private secrets(props: WebServiceProps): Record<string, ecs.Secret> {
    // No database secret: the service signs IAM tokens with its task role (docs/database.md).
    const secrets: Record<string, ecs.Secret> = {};
    for (const [envName, secret] of Object.entries(cacheContainerEnvironment(props.cacheTiers).secrets)) {
      secrets[envName] = ecs.Secret.fromSecretsManager(this.dataSecret(`Secret-${envName}`, secret));
    }
    for (const [envName, arn] of Object.entries(props.settings.secrets)) {
      if (arn.split(':')[2] === 'ssm') {
        secrets[envName] = new ParameterSecret(arn);
      } else {
        // A complete ARN ends with the 6-character suffix Secrets Manager adds; a partial one is matched with a wildcard.
        const secret = /-[A-Za-z0-9]{6}$/.test(arn)
          ? secretsmanager.Secret.fromSecretCompleteArn(this, `Secret-${envName}`, arn)
          : secretsmanager.Secret.fromSecretPartialArn(this, `Secret-${envName}`, arn);
        secrets[envName] = ecs.Secret.fromSecretsManager(secret);
      }
    }
    return secrets;
  }

  /**
   * A secret of the data layer, as this stack may use it. Granting a role read on a secret encrypted with a key
   * of the Data stack makes CDK add the role to the key policy, so the Data stack would reference this one (a
   * dependency cycle). The secret is re-imported by ARN instead, and the role may decrypt with the key only
   * through Secrets Manager; the key policy already trusts the account's IAM policies.
   */
  private dataSecret(id: string, secret: secretsmanager.ISecret): secretsmanager.ISecret {
    if (Stack.of(secret) === Stack.of(this)) return secret;
    const imported = secretsmanager.Secret.fromSecretAttributes(this, id, { secretCompleteArn: secret.secretArn });
    if (secret.encryptionKey) {
      this.taskDefinition.addToExecutionRolePolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [secret.encryptionKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` } },
        }),
      );
    }
    return imported;
  }

  private createTargetGroup(id: string, props: WebServiceProps): elbv2.ApplicationTargetGroup {
    const { settings: config } = props;
    const routing = config.loadBalancing;
    return new elbv2.ApplicationTargetGroup(this, id, {
      vpc: props.cluster.vpc,
      targetType: elbv2.TargetType.IP,
      protocol: elbv2.ApplicationProtocol.HTTP,
      port: config.port,
      healthCheck: {
        path: config.healthCheck.path,
        healthyHttpCodes: '200',
        interval: Duration.seconds(config.healthCheck.intervalSeconds),
        timeout: Duration.seconds(config.healthCheck.timeoutSeconds),
        healthyThresholdCount: config.healthCheck.healthyThresholdCount,
        unhealthyThresholdCount: config.healthCheck.unhealthyThresholdCount,
      },
      // The AWS default of 300 s kept a dead service listed for 5 minutes; the service drains in-flight requests faster.
      deregistrationDelay: Duration.seconds(config.deregistrationDelaySeconds),
      // Weighted random with anomaly mitigation routes away from a task that passes health checks but answers badly
      // (gray failure); validation refuses the combinations the load balancer does not support (slow start).
      loadBalancingAlgorithmType: {
        'round-robin': elbv2.TargetGroupLoadBalancingAlgorithmType.ROUND_ROBIN,
        'least-outstanding-requests': elbv2.TargetGroupLoadBalancingAlgorithmType.LEAST_OUTSTANDING_REQUESTS,
        'weighted-random': elbv2.TargetGroupLoadBalancingAlgorithmType.WEIGHTED_RANDOM,
      }[routing.algorithm],
      enableAnomalyMitigation: routing.algorithm === 'weighted-random' ? routing.anomalyMitigation : undefined,
      slowStart: routing.slowStartSeconds > 0 ? Duration.seconds(routing.slowStartSeconds) : undefined,
    });
  }

  private createDeploymentAlarms(props: WebServiceProps, [errorRateName, latencyName]: readonly string[]): WebService['deploymentAlarms'] {
    const period = Duration.minutes(1);
    const { max5xxPercent, maxP99LatencyMs } = props.settings.deploymentAlarms;
    // Both target groups, each on its own: during a canary the new version is alone in one of them, and its error
    // rate must not be diluted by the old version's traffic. The worse of the two rolls the deployment back.
    const tgs = { primary: this.targetGroup, alternate: this.alternateTargetGroup };
    const usingMetrics: Record<string, cloudwatch.IMetric> = {};
    for (const [key, tg] of Object.entries(tgs)) {
      usingMetrics[`${key}Requests`] = tg.metrics.requestCount({ period, statistic: 'Sum' });
      usingMetrics[`${key}Errors`] = tg.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period, statistic: 'Sum' });
    }
    const rateOf = (key: string) => errorRateExpression(`${key}Requests`, `${key}Errors`);
    const rate = new cloudwatch.MathExpression({
      expression: `MAX([${rateOf('primary')}, ${rateOf('alternate')}])`,
      usingMetrics,
      period,
      label: `${props.name} target 5xx (% of requests), worse target group`,
    });
    const latency = new cloudwatch.MathExpression({
      expression: 'MAX([primaryP99, alternateP99])',
      usingMetrics: {
        primaryP99: tgs.primary.metrics.targetResponseTime({ period, statistic: 'p99' }),
        alternateP99: tgs.alternate.metrics.targetResponseTime({ period, statistic: 'p99' }),
      },
      period,
      label: `${props.name} p99 target response time (s), worse target group`,
    });
    const common = {
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    };
    const alarms = {
      errorRate: new cloudwatch.Alarm(this, 'Deployment5xxAlarm', {
        alarmName: errorRateName,
        alarmDescription: `Rolls back a deployment of ${props.name} when more than ${max5xxPercent}% of requests get a 5xx from the tasks.`,
        metric: rate,
        threshold: max5xxPercent,
        ...common,
      }),
      latencyP99: new cloudwatch.Alarm(this, 'DeploymentLatencyAlarm', {
        alarmName: latencyName,
        alarmDescription: `Rolls back a deployment of ${props.name} when the p99 target response time exceeds ${maxP99LatencyMs} ms.`,
        metric: latency,
        threshold: maxP99LatencyMs / 1000,
        ...common,
      }),
    };
    for (const alarm of Object.values(alarms)) {
      acknowledge(
        alarm,
        'A deployment alarm: ECS acts on it by rolling the deployment back. Failed deployments reach the alarm topic through the EventBridge rule in the Monitoring stack; the notifying alarms live there too.',
        '*-CloudWatchAlarmAction',
        'CT.CLOUDWATCH.PR.1',
      );
    }
    return alarms;
  }
}

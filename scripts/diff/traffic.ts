/**
 * What an in-place update does to running traffic. "Updated in place" hides the difference between a tag
 * and a writer failover; this table tells them apart, per resource type and property, for the resources that
 * serve requests: the database, its proxy, the cache tiers, the load balancer and the services.
 *
 * One row per (type, property): the effect, a modelled duration (what a reviewer plans around, not a
 * guarantee), and the AWS documentation that says so. `*` is the row for every property of the type that has
 * no row of its own, used only where the type's own API applies every change the same way. A property with
 * no row is reported as "not modelled"; test/deploy-plan.test.ts fails when a property the templates set
 * has no row.
 */

/** `none`: no connection is dropped. `brief`: a failover or reconnect, seconds. `restart`: processes restart. */
export type TrafficEffect = 'none' | 'brief' | 'restart';

export interface TrafficRow {
  readonly effect: TrafficEffect;
  /** The modelled duration of the disturbance (or of the change, when there is none). */
  readonly duration: string;
  readonly why: string;
  readonly link: string;
}

const DOCS = {
  auroraModify: 'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.Modifying.html#Aurora.Modifying.Settings',
  auroraFailover: 'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.AuroraHighAvailability.html',
  auroraUpgrade: 'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_UpgradeDBInstance.PostgreSQL.MinorUpgrade.html',
  rdsModify: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ModifyInstance.Settings.html',
  rdsParams: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithParamGroups.Modifying.html',
  proxy: 'https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-managing.html#rds-proxy-modifying-proxy',
  cacheScale: 'https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/scaling-redis-cluster-mode-enabled.html',
  cacheReplicas: 'https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/increase-decrease-replica-count.html',
  cacheParams: 'https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ParameterGroups.Modifying.html',
  cacheModify: 'https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Modify.html',
  albAttributes:
    'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-attributes',
  listener: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-update-rules.html',
  targetGroup: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html',
  ecsDeploy: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html',
  ecsUpdate: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/update-service-parameters.html',
  scaling: 'https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking.html',
} as const;

const none = (why: string, link: string, duration = 'seconds'): TrafficRow => ({ effect: 'none', duration, why, link });

const ROLLING: TrafficRow = {
  effect: 'none',
  duration:
    'one rolling deployment: about (health-check grace + healthy threshold x interval + deregistration delay) per batch, 5 to 15 minutes',
  why: 'ECS starts tasks of the new revision, waits until the target group finds them healthy, then drains the old ones (100% minimum healthy in production)',
  link: DOCS.ecsDeploy,
};

export const TRAFFIC_TABLE: Readonly<Record<string, Readonly<Record<string, TrafficRow>>>> = {
  'AWS::RDS::DBCluster': {
    EngineVersion: {
      effect: 'restart',
      duration:
        'minor: about 30 to 60 s of refused connections (zero-downtime patching keeps most); major: the whole upgrade, 10 to 30 minutes',
      why: 'the engine restarts on the new version on every instance at once',
      link: DOCS.auroraUpgrade,
    },
    DBClusterParameterGroupName: {
      effect: 'restart',
      duration: 'none until the next reboot; a reboot refuses connections for about 30 s',
      why: 'static parameters wait for a reboot (pending-reboot)',
      link: DOCS.rdsParams,
    },
    Port: { effect: 'restart', duration: 'about 1 minute', why: 'every instance restarts on the new port', link: DOCS.auroraModify },
    BackupRetentionPeriod: none('backup settings are applied without touching the instances', DOCS.auroraModify),
    PreferredBackupWindow: none('backup settings are applied without touching the instances', DOCS.auroraModify),
    PreferredMaintenanceWindow: none('only the schedule changes', DOCS.auroraModify),
    DeletionProtection: none('a control-plane setting', DOCS.auroraModify),
    CopyTagsToSnapshot: none('a control-plane setting', DOCS.auroraModify),
    EnableCloudwatchLogsExports: none('log export starts or stops without a restart', DOCS.auroraModify),
    EnableIAMDatabaseAuthentication: none('applied without an outage', DOCS.auroraModify),
    PerformanceInsightsEnabled: none('applied without an outage', DOCS.auroraModify),
    PerformanceInsightsKmsKeyId: none('applied without an outage', DOCS.auroraModify),
    PerformanceInsightsRetentionPeriod: none('applied without an outage', DOCS.auroraModify),
    DatabaseInsightsMode: none('applied without an outage', DOCS.auroraModify),
    ServerlessV2ScalingConfiguration: none('capacity bounds move without a restart', DOCS.auroraModify),
    VpcSecurityGroupIds: none('security groups are swapped on the network interfaces', DOCS.auroraModify),
    MasterUserPassword: none('existing sessions stay; new logins use the new password', DOCS.auroraModify),
    Tags: none('metadata only', DOCS.auroraModify),
  },
  'AWS::RDS::DBInstance': {
    DBInstanceClass: {
      effect: 'brief',
      duration:
        'Aurora writer: a failover, about 30 s of refused connections; reader: that reader leaves the reader endpoint for about 10 minutes. postgres: Multi-AZ failover, 60 to 120 s',
      why: 'the instance is rebuilt on the new class; Aurora or Multi-AZ fails over to keep serving',
      link: DOCS.rdsModify,
    },
    EngineVersion: {
      effect: 'restart',
      duration: 'minor: 1 to 5 minutes on the primary; major: 10 to 30 minutes',
      why: 'postgres: the primary and its standby restart on the new version',
      link: DOCS.rdsModify,
    },
    AllowMajorVersionUpgrade: none('a permission for the next engine change, no change by itself', DOCS.rdsModify),
    AutoMinorVersionUpgrade: none('only the schedule of future upgrades changes', DOCS.rdsModify),
    MultiAZ: {
      effect: 'none',
      duration: 'the standby is built from a snapshot in 20 to 60 minutes, with higher write latency while it syncs',
      why: 'adding a standby does not restart the primary',
      link: DOCS.rdsModify,
    },
    AllocatedStorage: none('storage grows online (storage-optimization afterwards, hours)', DOCS.rdsModify, 'minutes to hours'),
    MaxAllocatedStorage: none('only the autoscaling bound changes', DOCS.rdsModify),
    DBParameterGroupName: {
      effect: 'restart',
      duration: 'none until the next reboot; a reboot refuses connections for 1 to 2 minutes',
      why: 'a new parameter group is associated as pending-reboot',
      link: DOCS.rdsParams,
    },
    PromotionTier: none('only the failover order changes', DOCS.auroraFailover),
    AvailabilityZone: {
      effect: 'brief',
      duration: 'the replica is rebuilt in the new zone, out of the reader name for 10 to 30 minutes',
      why: 'a single-zone instance moves by being rebuilt',
      link: DOCS.rdsModify,
    },
    BackupRetentionPeriod: none(
      '0 to non-zero (or back) restarts the instance; this app never turns backups off in production',
      DOCS.rdsModify,
    ),
    PreferredBackupWindow: none('only the schedule changes', DOCS.rdsModify),
    PreferredMaintenanceWindow: none('only the schedule changes', DOCS.rdsModify),
    DeletionProtection: none('a control-plane setting', DOCS.rdsModify),
    CopyTagsToSnapshot: none('a control-plane setting', DOCS.rdsModify),
    MonitoringInterval: none('enhanced monitoring changes without a restart', DOCS.rdsModify),
    MonitoringRoleArn: none('enhanced monitoring changes without a restart', DOCS.rdsModify),
    EnablePerformanceInsights: none('applied without an outage', DOCS.rdsModify),
    PerformanceInsightsKMSKeyId: none('applied without an outage', DOCS.rdsModify),
    PerformanceInsightsRetentionPeriod: none('applied without an outage', DOCS.rdsModify),
    EnableCloudwatchLogsExports: none('log export starts or stops without a restart', DOCS.rdsModify),
    EnableIAMDatabaseAuthentication: none('applied without an outage', DOCS.rdsModify),
    VPCSecurityGroups: none('security groups are swapped on the network interface', DOCS.rdsModify),
    StorageType: none('storage is converted online', DOCS.rdsModify, 'hours'),
    PubliclyAccessible: none('a DNS and routing setting', DOCS.rdsModify),
    Tags: none('metadata only', DOCS.rdsModify),
  },
  'AWS::RDS::DBProxy': {
    IdleClientTimeout: none('applies to connections from now on', DOCS.proxy),
    RequireTLS: {
      effect: 'brief',
      duration: 'clients that do not speak TLS are refused from the change on',
      why: 'existing connections stay; new ones must follow the new rule',
      link: DOCS.proxy,
    },
    Auth: none('applies to new logins', DOCS.proxy),
    RoleArn: none('the proxy reads the secret with the new role from now on', DOCS.proxy),
    VpcSecurityGroupIds: none('security groups are swapped on the proxy endpoints', DOCS.proxy),
    DebugLogging: none('logging only', DOCS.proxy),
    Tags: none('metadata only', DOCS.proxy),
  },
  'AWS::RDS::DBProxyEndpoint': {
    VpcSecurityGroupIds: none('security groups are swapped on the endpoint', DOCS.proxy),
    Tags: none('metadata only', DOCS.proxy),
  },
  'AWS::RDS::DBProxyTargetGroup': {
    ConnectionPoolConfigurationInfo: none(
      'pool limits apply to connections from now on; the pool shrinks as connections return',
      DOCS.proxy,
    ),
    DBClusterIdentifiers: {
      effect: 'brief',
      duration: 'every connection through the proxy is re-established, seconds',
      why: 'the proxy is pointed at another database',
      link: DOCS.proxy,
    },
    DBInstanceIdentifiers: {
      effect: 'brief',
      duration: 'every connection through the proxy is re-established, seconds',
      why: 'the proxy is pointed at another database',
      link: DOCS.proxy,
    },
  },
  'AWS::RDS::DBClusterParameterGroup': {
    Parameters: {
      effect: 'none',
      duration:
        'dynamic parameters (log_min_duration_statement): seconds; static ones (shared_preload_libraries): wait for a reboot, about 30 s of refused connections',
      why: 'RDS applies dynamic parameters immediately and marks static ones pending-reboot',
      link: DOCS.rdsParams,
    },
    Tags: none('metadata only', DOCS.rdsParams),
  },
  'AWS::RDS::DBParameterGroup': {
    Parameters: {
      effect: 'none',
      duration: 'dynamic parameters: seconds; static ones wait for a reboot, 1 to 2 minutes of refused connections',
      why: 'RDS applies dynamic parameters immediately and marks static ones pending-reboot',
      link: DOCS.rdsParams,
    },
    Tags: none('metadata only', DOCS.rdsParams),
  },
  'AWS::ElastiCache::ReplicationGroup': {
    CacheNodeType: {
      effect: 'brief',
      duration: 'online scaling, 10 to 60 minutes per shard, then a DNS switch of a few seconds during which writes may fail',
      why: 'ElastiCache builds nodes of the new type, syncs them, and fails over at the end',
      link: DOCS.cacheScale,
    },
    NumCacheClusters: none(
      'replicas are added or removed online; reads spread over them when ready',
      DOCS.cacheReplicas,
      '10 to 20 minutes',
    ),
    NumNodeGroups: {
      effect: 'brief',
      duration: 'online resharding, minutes to hours; keys that move are briefly redirected (MOVED) to clients',
      why: 'slots migrate between shards while serving',
      link: DOCS.cacheScale,
    },
    EngineVersion: {
      effect: 'brief',
      duration: 'a failover per shard, a few seconds of refused writes each',
      why: 'nodes are upgraded one at a time, replicas first',
      link: DOCS.cacheModify,
    },
    CacheParameterGroupName: none('a new parameter group applies to running nodes', DOCS.cacheParams),
    ClusterMode: {
      effect: 'brief',
      duration: 'minutes in the compatible mode, then every client must reconnect to the configuration endpoint',
      why: 'ElastiCache migrates to cluster mode through a compatible mode that takes both kinds of client',
      link: DOCS.cacheModify,
    },
    MultiAZEnabled: none('a control-plane setting', DOCS.cacheModify),
    AutomaticFailoverEnabled: none('a control-plane setting', DOCS.cacheModify),
    AutoMinorVersionUpgrade: none('only the schedule of future upgrades changes', DOCS.cacheModify),
    SnapshotRetentionLimit: none('only the schedule changes', DOCS.cacheModify),
    SnapshotWindow: none('only the schedule changes', DOCS.cacheModify),
    PreferredMaintenanceWindow: none('only the schedule changes', DOCS.cacheModify),
    SecurityGroupIds: none('security groups are swapped on the nodes', DOCS.cacheModify),
    LogDeliveryConfigurations: none('log delivery changes without touching the engine', DOCS.cacheModify),
    AuthToken: {
      effect: 'brief',
      duration: 'clients still using the old token are refused once it is set (ROTATE keeps both until SET)',
      why: 'the token is changed in place',
      link: DOCS.cacheModify,
    },
    ReplicationGroupDescription: none('metadata only', DOCS.cacheModify),
    Tags: none('metadata only', DOCS.cacheModify),
  },
  'AWS::ElastiCache::ParameterGroup': {
    Properties: {
      effect: 'none',
      duration: 'seconds: maxmemory-policy and reserved-memory-percent are dynamic',
      why: 'ElastiCache applies modifiable parameters to running nodes',
      link: DOCS.cacheParams,
    },
    Tags: none('metadata only', DOCS.cacheParams),
  },
  'AWS::ElasticLoadBalancingV2::LoadBalancer': {
    LoadBalancerAttributes: none(
      'attributes (idle timeout, access logs, deletion protection) apply without dropping connections',
      DOCS.albAttributes,
    ),
    SecurityGroups: none('security groups are swapped on the load balancer nodes', DOCS.albAttributes),
    Subnets: none('nodes are added in new zones; removed zones drain', DOCS.albAttributes, 'minutes'),
    Tags: none('metadata only', DOCS.albAttributes),
  },
  'AWS::ElasticLoadBalancingV2::Listener': {
    Certificates: none('new connections get the new certificate; open ones keep theirs', DOCS.listener),
    SslPolicy: none('applies to new TLS handshakes', DOCS.listener),
    DefaultActions: none('routing changes for new requests', DOCS.listener),
    Tags: none('metadata only', DOCS.listener),
  },
  'AWS::ElasticLoadBalancingV2::ListenerRule': {
    Conditions: none('routing changes for new requests', DOCS.listener),
    Actions: none('routing changes for new requests', DOCS.listener),
    Priority: none('routing changes for new requests', DOCS.listener),
    Tags: none('metadata only', DOCS.listener),
  },
  'AWS::ElasticLoadBalancingV2::TargetGroup': {
    HealthCheckPath: {
      effect: 'none',
      duration: 'targets are re-checked on the next intervals; if the new path fails, they leave after unhealthy threshold x interval',
      why: 'the health check changes in place',
      link: DOCS.targetGroup,
    },
    HealthCheckIntervalSeconds: none('the health check changes in place', DOCS.targetGroup),
    HealthCheckTimeoutSeconds: none('the health check changes in place', DOCS.targetGroup),
    HealthyThresholdCount: none('the health check changes in place', DOCS.targetGroup),
    UnhealthyThresholdCount: none('the health check changes in place', DOCS.targetGroup),
    Matcher: none('the health check changes in place', DOCS.targetGroup),
    TargetGroupAttributes: none('deregistration delay and other attributes apply to the next deregistration', DOCS.targetGroup),
    Tags: none('metadata only', DOCS.targetGroup),
  },
  'AWS::ECS::Service': {
    TaskDefinition: ROLLING,
    NetworkConfiguration: ROLLING,
    LoadBalancers: ROLLING,
    DeploymentConfiguration: none('applies to the next deployment', DOCS.ecsUpdate),
    DesiredCount: none('tasks are added or drained; auto scaling may move it again', DOCS.ecsUpdate, 'a minute per task'),
    HealthCheckGracePeriodSeconds: none('applies to tasks started from now on', DOCS.ecsUpdate),
    EnableExecuteCommand: ROLLING,
    PropagateTags: none('applies to tasks started from now on', DOCS.ecsUpdate),
    EnableECSManagedTags: none('applies to tasks started from now on', DOCS.ecsUpdate),
    Tags: none('metadata only', DOCS.ecsUpdate),
  },
  // A task definition revision is immutable: every change is a new revision (CloudFormation replaces it) and
  // the service rolls to it: the ECS::Service TaskDefinition row above says what traffic sees.
  'AWS::ECS::TaskDefinition': {
    '*': ROLLING,
  },
  'AWS::ApplicationAutoScaling::ScalableTarget': {
    MinCapacity: none('tasks are added or removed to meet the bound', DOCS.scaling, 'a minute per task'),
    MaxCapacity: none('tasks are added or removed to meet the bound', DOCS.scaling, 'a minute per task'),
    ScheduledActions: none('applies at the next scheduled time', DOCS.scaling),
    Tags: none('metadata only', DOCS.scaling),
  },
  'AWS::ApplicationAutoScaling::ScalingPolicy': {
    TargetTrackingScalingPolicyConfiguration: none('the target applies to the next evaluation', DOCS.scaling),
  },
};

/** The row for one property of one type, or undefined when it is not modelled. */
export function trafficRow(type: string, property: string): TrafficRow | undefined {
  const rows = TRAFFIC_TABLE[type];
  return rows?.[property] ?? rows?.['*'];
}

/** True when the table models the resource type (the database, proxy, cache, load balancer and service layers). */
export function servesTraffic(type: string): boolean {
  return type in TRAFFIC_TABLE;
}

export interface TrafficImpact {
  readonly logicalId: string;
  readonly type: string;
  /** The worst effect of the changed properties; `unknown` when one has no row. */
  readonly effect: TrafficEffect | 'unknown';
  readonly properties: readonly { readonly property: string; readonly row?: TrafficRow }[];
}

const SEVERITY: Record<TrafficEffect | 'unknown', number> = { none: 0, brief: 1, restart: 2, unknown: 3 };

/** The traffic impact of an in-place update of `type` changing `properties`. */
export function trafficImpact(logicalId: string, type: string, properties: readonly string[]): TrafficImpact {
  const rows = properties.map((property) => ({ property, row: trafficRow(type, property) }));
  const effect = rows.reduce<TrafficEffect | 'unknown'>((worst, { row }) => {
    const e = row?.effect ?? 'unknown';
    return SEVERITY[e] > SEVERITY[worst] ? e : worst;
  }, 'none');
  return { logicalId, type, effect, properties: rows };
}

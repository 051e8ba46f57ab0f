import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { type CacheCapacity, type CacheNodeType, type EvictionPolicy, PRODUCTION_SNAPSHOT_DAYS } from '../capacity';
import { acknowledge } from '../compliance';
import { EncryptedLogGroup, type LogGroupPolicy } from './encryption';
import type { CacheTierEndpoints } from '../handles';

/** The non-alphanumeric characters ElastiCache accepts in an AUTH token (CreateReplicationGroup, AuthToken). */
export const AUTH_TOKEN_PUNCTUATION = '!&#$^<>-';
/** What Secrets Manager draws punctuation from when it generates a password. */
const SECRETS_MANAGER_PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
/** Everything Secrets Manager could generate that ElastiCache would refuse at deploy time. */
export const AUTH_TOKEN_EXCLUDED_CHARACTERS = [...SECRETS_MANAGER_PUNCTUATION].filter((c) => !AUTH_TOKEN_PUNCTUATION.includes(c)).join('');

export interface CacheTierProps {
  /** Tier name from config (`critical`, `hot`, ...): names the outputs and the environment variables. */
  readonly name: string;
  /** What the tier holds, in a sentence: the replication group's description. */
  readonly purpose: string;
  readonly evictionPolicy: EvictionPolicy;
  /** Valkey version (`8.0`) and the parameter group family it belongs to (`valkey8`). */
  readonly engineVersion: string;
  readonly parameterGroupFamily: string;
  readonly nodeType: CacheNodeType;
  /**
   * Cluster mode: keys sharded over `shards` node groups.
   * @default false
   */
  readonly clusterMode?: boolean;
  /**
   * Node groups in cluster mode (ignored without it).
   * @default 1
   */
  readonly shards?: number;
  /** Replicas of each shard (of the one node group without cluster mode). */
  readonly replicas: number;
  /** Replicas in other zones than the primary, promoted when its zone fails; needs a replica. */
  readonly multiAz: boolean;
  /**
   * @default 6379
   */
  readonly port?: number;
  /**
   * `reserved-memory-percent`: memory the engine keeps for itself.
   * @default 25
   */
  readonly reservedMemoryPercent?: number;
  /** Keys the tier is sized for: with `capacity`, what the memory alarms are set from. */
  readonly expectedKeys: number;
  /** What the tier's nodes hold at the stated load, from the capacity model (`cacheCapacity`). */
  readonly capacity: CacheCapacity;
  /** Days of automatic snapshots (0: none). */
  readonly snapshotRetentionDays: number;
  /** Daily `hh:mm-hh:mm` (UTC) snapshot window and weekly `ddd:hh:mm-ddd:hh:mm` maintenance window. */
  readonly snapshotWindow: string;
  readonly maintenanceWindow: string;
  /**
   * Why fewer than PRODUCTION_SNAPSHOT_DAYS days of snapshots are acceptable here, for the compliance
   * acknowledgement. Required for a `noeviction` tier that keeps fewer; an evicting tier's keys are recomputed.
   * @default - an evicting tier whose keys the application recomputes
   */
  readonly shortSnapshotRetentionReason?: string;
  readonly vpc: ec2.IVpc;
  /** Where the nodes live: the isolated subnets, with no route out. */
  readonly subnets: ec2.SubnetSelection;
  /** Customer-managed key for data at rest, the AUTH secret and the logs; CloudWatch Logs must be allowed to use it. */
  readonly encryptionKey: kms.IKey;
  /** Days to keep the slow and engine logs. */
  readonly logRetentionDays: number;
  /**
   * Removal of the AUTH secret and the log groups, and whether a log retention under a year is acknowledged.
   * @default - retained; short retention not acknowledged
   */
  readonly logGroupPolicy?: LogGroupPolicy;
  /**
   * Take a final snapshot when CloudFormation deletes or replaces the replication group (for a tier holding what
   * cannot be rebuilt); otherwise it is deleted with its data.
   * @default false
   */
  readonly finalSnapshot?: boolean;
  /**
   * Prefix of the log group names.
   * @default '/aws/vendedlogs/elasticache/' followed by the stack name
   */
  readonly logGroupNamePrefix?: string;
}

/**
 * One cache tier: a Valkey replication group with its own parameter group (where the eviction policy lives),
 * subnet group, security group, AUTH token and logs. There is no L2 for replication groups, so this wraps
 * the L1s behind typed props.
 *
 * Its construct ID and its children's are API: a renamed one replaces the replication group and loses its data.
 */
export class CacheTier extends Construct implements CacheTierEndpoints, ec2.IConnectable {
  readonly name: string;
  readonly evictionPolicy: EvictionPolicy;
  /** Writes (and reads that must see them). The configuration endpoint in cluster mode. */
  readonly primaryEndpoint: string;
  /** Reads spread over the replicas. The configuration endpoint in cluster mode (clients route reads themselves). */
  readonly readerEndpoint: string;
  readonly port: number;
  readonly authSecret: secretsmanager.ISecret;
  readonly connections: ec2.Connections;
  readonly clusterMode: boolean;

  /** ID of the replication group: the `ReplicationGroupId` dimension of its CloudWatch metrics. */
  readonly replicationGroupId: string;
  /** Name of the tier's own parameter group. */
  readonly parameterGroupName: string;
  /**
   * IDs of the nodes as ElastiCache names them at creation (`<group>-001`, or `<group>-0001-001` in cluster
   * mode): the `CacheClusterId` dimension of per-node metrics such as memory use and evictions.
   */
  readonly nodeIds: readonly string[];
  /** The load the tier is sized for and what its nodes hold, from the capacity model (memory alarm thresholds). */
  readonly capacity: CacheCapacity;
  readonly expectedKeys: number;
  /** Replicas of each shard (0: no replication, so no replication-lag metric). */
  readonly replicasPerShard: number;

  readonly replicationGroup: elasticache.CfnReplicationGroup;
  readonly parameterGroup: elasticache.CfnParameterGroup;
  readonly subnetGroup: elasticache.CfnSubnetGroup;
  readonly securityGroup: ec2.SecurityGroup;
  readonly slowLog: EncryptedLogGroup;
  readonly engineLog: EncryptedLogGroup;

  constructor(scope: Construct, id: string, props: CacheTierProps) {
    super(scope, id);
    const { name } = props;
    const config = {
      ...props,
      clusterMode: props.clusterMode ?? false,
      shards: props.shards ?? 1,
      port: props.port ?? 6379,
      reservedMemoryPercent: props.reservedMemoryPercent ?? 25,
    };
    const where = `CacheTier ${this.node.path}`;
    if (!Number.isInteger(config.shards) || config.shards < 1) throw new Error(`${where}: expected at least 1 shard, got ${config.shards}`);
    if (!Number.isInteger(config.replicas) || config.replicas < 0 || config.replicas > 5) {
      throw new Error(`${where}: expected 0 to 5 replicas per shard, got ${config.replicas}`);
    }
    if (config.multiAz && config.replicas === 0) {
      throw new Error(`${where}: expected at least 1 replica with multiAz (ElastiCache fails over to a replica in another zone), got 0`);
    }
    if (
      config.evictionPolicy === 'noeviction' &&
      config.snapshotRetentionDays < PRODUCTION_SNAPSHOT_DAYS &&
      props.shortSnapshotRetentionReason === undefined
    ) {
      throw new Error(
        `${where}: expected at least ${PRODUCTION_SNAPSHOT_DAYS} days of snapshots for a noeviction tier, or a shortSnapshotRetentionReason, got ${config.snapshotRetentionDays}`,
      );
    }
    const logGroupPolicy = props.logGroupPolicy ?? {};
    this.name = name;
    this.evictionPolicy = config.evictionPolicy;
    this.port = config.port;
    this.clusterMode = config.clusterMode;
    this.expectedKeys = config.expectedKeys;
    this.replicasPerShard = config.replicas;
    this.capacity = props.capacity;

    this.authSecret = new secretsmanager.Secret(this, 'AuthToken', {
      description: `AUTH token of the ${name} cache tier`,
      encryptionKey: props.encryptionKey,
      // The SecretString is the token itself; only characters ElastiCache accepts, or the deploy fails.
      generateSecretString: { passwordLength: 64, excludeCharacters: AUTH_TOKEN_EXCLUDED_CHARACTERS, includeSpace: false },
      removalPolicy: logGroupPolicy.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.authSecret,
      'An ElastiCache AUTH token is rotated with ModifyReplicationGroup (AuthTokenUpdateStrategy ROTATE, then SET), which the generic Secrets Manager rotation functions do not do; rotation is a runbook step until a rotation function for it exists. The token is 64 characters and reachable only inside the VPC.',
      'AwsSolutions-SMG4',
      '*-SecretsManagerRotationEnabled',
    );

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${name} cache tier: admits only the services granted access`,
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(config.port) });

    this.subnetGroup = new elasticache.CfnSubnetGroup(this, 'SubnetGroup', {
      description: `Isolated subnets of the ${name} cache tier`,
      subnetIds: props.vpc.selectSubnets(props.subnets).subnetIds,
    });

    this.parameterGroup = new elasticache.CfnParameterGroup(this, 'Parameters', {
      cacheParameterGroupFamily: config.parameterGroupFamily,
      // Changing the description replaces the parameter group: keep it free of anything configurable.
      description: `Parameters of the ${name} cache tier`,
      // Parameters update in place: changing the eviction policy never replaces the replication group.
      properties: {
        'maxmemory-policy': config.evictionPolicy,
        'reserved-memory-percent': String(config.reservedMemoryPercent),
        'cluster-enabled': config.clusterMode ? 'yes' : 'no',
      },
    });
    this.parameterGroupName = this.parameterGroup.ref;

    const logGroupNamePrefix = props.logGroupNamePrefix ?? `/aws/vendedlogs/elasticache/${Stack.of(this).stackName}/`;
    // Under /aws/vendedlogs/ so that log delivery does not grow the account's CloudWatch Logs resource policy,
    // whose size limit otherwise breaks delivery for the next log group.
    const logGroup = (logId: string, logName: string) =>
      new EncryptedLogGroup(this, logId, {
        logGroupName: `${logGroupNamePrefix}${name}/${logName}`,
        encryptionKey: props.encryptionKey,
        retentionDays: props.logRetentionDays,
        ...logGroupPolicy,
      });
    this.slowLog = logGroup('SlowLog', 'slow-log');
    this.engineLog = logGroup('EngineLog', 'engine-log');
    const delivery = (logType: string, group: EncryptedLogGroup) => ({
      logType,
      logFormat: 'json',
      destinationType: 'cloudwatch-logs',
      destinationDetails: { cloudWatchLogsDetails: { logGroup: group.logGroupName } },
    });

    const replicas = config.replicas;
    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'Resource', {
      replicationGroupDescription: config.purpose,
      engine: 'valkey',
      engineVersion: config.engineVersion,
      cacheNodeType: config.nodeType,
      cacheParameterGroupName: this.parameterGroup.ref,
      cacheSubnetGroupName: this.subnetGroup.ref,
      securityGroupIds: [this.securityGroup.securityGroupId],
      port: config.port,
      ...(config.clusterMode
        ? { clusterMode: 'enabled', numNodeGroups: config.shards, replicasPerNodeGroup: replicas }
        : { clusterMode: 'disabled', numCacheClusters: 1 + replicas }),
      // A replica is promoted when the primary fails; cluster mode requires it.
      automaticFailoverEnabled: config.clusterMode || replicas > 0,
      multiAzEnabled: config.multiAz,
      atRestEncryptionEnabled: true,
      kmsKeyId: props.encryptionKey.keyArn,
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      authToken: this.authSecret.secretValue.unsafeUnwrap(),
      autoMinorVersionUpgrade: true,
      snapshotRetentionLimit: config.snapshotRetentionDays,
      snapshotWindow: config.snapshotWindow,
      preferredMaintenanceWindow: config.maintenanceWindow,
      logDeliveryConfigurations: [delivery('slow-log', this.slowLog), delivery('engine-log', this.engineLog)],
    });
    this.replicationGroup.node.addDependency(this.slowLog, this.engineLog);
    // A noeviction tier holds what cannot be rebuilt (sessions, tokens): in production, a final snapshot is taken
    // before CloudFormation deletes or replaces it. An evicting tier holds only what the application recomputes.
    this.replicationGroup.applyRemovalPolicy(props.finalSnapshot ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY);

    this.replicationGroupId = this.replicationGroup.ref;
    if (config.clusterMode) {
      this.primaryEndpoint = this.replicationGroup.attrConfigurationEndPointAddress;
      this.readerEndpoint = this.replicationGroup.attrConfigurationEndPointAddress;
    } else {
      this.primaryEndpoint = this.replicationGroup.attrPrimaryEndPointAddress;
      this.readerEndpoint = this.replicationGroup.attrReaderEndPointAddress;
    }
    this.nodeIds = nodeIds(this.replicationGroupId, config.clusterMode ? config.shards : 0, replicas);

    if (!config.multiAz) {
      acknowledge(
        this.replicationGroup,
        `Single-AZ by configuration (cache.tiers.${name}.multiAz: false) in a non-production environment; production requires Multi-AZ (a schema guard rail).`,
        'AwsSolutions-AEC4',
      );
    }
    if (config.snapshotRetentionDays < PRODUCTION_SNAPSHOT_DAYS) {
      const why =
        props.shortSnapshotRetentionReason ??
        'an evicting tier whose keys the application recomputes, where a restored snapshot would only serve stale entries';
      acknowledge(
        this.replicationGroup,
        `Snapshots kept ${config.snapshotRetentionDays} days (cache.tiers.${name}.snapshotRetentionDays) in ${why}; a production noeviction tier must keep ${PRODUCTION_SNAPSHOT_DAYS} (a schema guard rail).`,
        '*-ElastiCacheRedisClusterAutomaticBackup',
      );
    }
  }

  /** Admit a client (a service) on the tier's port, and let it out to the tier if its own egress is restricted. */
  allowFrom(client: ec2.IConnectable): void {
    const port = ec2.Port.tcp(this.port);
    const description = `to the ${this.name} cache tier`;
    for (const sg of client.connections.securityGroups) {
      // A remote rule: when the client lives in another stack (the service stack, which depends on this one),
      // the ingress rule is created there. Here, naming the client's group, it would make a dependency cycle.
      this.securityGroup.addIngressRule(sg, port, description, true);
      if (!sg.allowAllOutbound) sg.addEgressRule(this.securityGroup, port, description);
    }
  }
}

/** Node IDs as ElastiCache assigns them: `<group>-00N`, or `<group>-000S-00N` per shard S in cluster mode. */
function nodeIds(groupId: string, shards: number, replicas: number): string[] {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  const members = Array.from({ length: 1 + replicas }, (_, i) => pad(i + 1, 3));
  if (shards === 0) return members.map((m) => `${groupId}-${m}`);
  return Array.from({ length: shards }, (_, s) => members.map((m) => `${groupId}-${pad(s + 1, 4)}-${m}`)).flat();
}

/**
 * The PostgreSQL layer: a writer and its readers behind an RDS Proxy, one class per engine behind one interface.
 *
 * - `AuroraDatabase` (`aurora-postgresql`): an Aurora cluster (provisioned or Serverless v2) with `readReplicas`
 *   readers whose count Application Auto Scaling moves between the configured bounds; the proxy's default
 *   endpoint leads to the writer and its read-only endpoint to the readers.
 * - `InstanceDatabase` (`postgres`): an RDS for PostgreSQL primary (Multi-AZ standby) and `readReplicas` read
 *   replicas. RDS Proxy cannot target read replicas, so the readers get one stable name instead: a weighted
 *   record over the replicas in a private hosted zone.
 *
 * Consumers hold a `Database` (the abstract base): endpoints, grants, outputs' wording, the backup target and the
 * metrics of the writer, the readers and the proxy, with no engine-specific optional field to branch on. Alarms
 * are monitoring's (database-alarms.ts).
 *
 * Construct IDs below are API: they name stateful resources (tests pin them). Both classes are created with the
 * same ID by the Data stack, and build their common children (security groups, subnet group, secret,
 * parameters, proxy, identities) under the same IDs.
 */
import { ArnFormat, type CfnResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { type CapacityPlan, type InstanceClassName, SERVERLESS } from '../capacity';
import { acknowledge } from '../compliance';
import { clusterEngine, type DatabaseEngine, instanceEngine } from '../database/engines';
import { databaseIdentifiers, type DatabaseIdentifiers } from '../database/identifiers';
import { type DatabaseIdentity, MASTER_USERNAME } from '../database/identity-sql';
import { ALLOW_MAJOR_UPGRADE_METADATA } from '../template-metadata';
import { metric } from '../monitoring/alarm-kit';
import { DatabaseIdentities } from './database-identities';
import { EncryptedLogGroup, type LogGroupPolicy } from './encryption';
import type { DatabaseEndpoints, DatabaseLogin } from '../handles';

/** What both engines are configured with (the shape of `database` in config, less the engine-specific fields). */
export interface DatabaseSettings {
  /** Readers deployed: Aurora readers, or RDS read replicas. */
  readonly readReplicas: number;
  /** The major version (`17`). */
  readonly engineVersion: string;
  /** Set only in the change that raises the major version. */
  readonly allowMajorVersionUpgrade: boolean;
  readonly databaseName: string;
  /** Statements slower than this are logged with their text. */
  readonly slowQueryLogMs: number;
  /** Days to keep the exported PostgreSQL logs. */
  readonly logRetentionDays: number;
  readonly proxy: { readonly idleClientTimeoutSeconds: number; readonly borrowTimeoutSeconds: number };
  /** A standby in another zone (Aurora: read from its instances; acknowledged where off). */
  readonly multiAz: boolean;
  readonly storageEncrypted: boolean;
  readonly deletionProtection: boolean;
  /** What CloudFormation does with the cluster or primary when it leaves the template. */
  readonly removalPolicy: 'snapshot' | 'retain' | 'destroy';
  readonly backup: { readonly retentionDays: number; readonly preferredWindow: string };
  readonly preferredMaintenanceWindow: string;
}

/** An Aurora cluster's settings: its instance class (or Serverless v2) and reader auto scaling. */
export interface AuroraDatabaseSettings extends DatabaseSettings {
  readonly instanceClass: InstanceClassName;
  /** Aurora Serverless v2 bounds in ACU, for `instanceClass: serverless`. */
  readonly serverlessV2Capacity: { readonly min: number; readonly max: number };
  /** The bounds and CPU target of reader auto scaling. */
  readonly readerAutoScaling: { readonly min: number; readonly max: number; readonly targetCpuPercent: number };
}

/** An RDS for PostgreSQL primary's settings: a provisioned instance class (RDS for PostgreSQL has no Serverless v2). */
export interface InstanceDatabaseSettings extends DatabaseSettings {
  readonly instanceClass: InstanceClassName;
}

export interface DatabaseProps<S extends DatabaseSettings = DatabaseSettings> {
  readonly settings: S;
  /** The capacity model's plan for this database (`planCapacity`): the proxy's pool settings, and the figures monitoring reads. */
  readonly capacityPlan: CapacityPlan;
  readonly vpc: ec2.IVpc;
  /** Isolated subnets for the database, its replicas and the proxy. */
  readonly subnets: ec2.SubnetSelection;
  /** Subnets with a route to Secrets Manager, for the secret-rotation and identity-bootstrap functions. */
  readonly rotationSubnets: ec2.SubnetSelection;
  /**
   * The services' database users: created at deploy time by a custom resource, and the proxy may log in as each
   * (end-to-end IAM).
   * @default - no application users
   */
  readonly identities?: readonly DatabaseIdentity[];
  /** Customer-managed key for storage, the secret, Performance Insights and the exported logs. */
  readonly encryptionKey: kms.IKey;
  /**
   * Prefix of the physical names (`scaledapp-prod`): cluster, instances, proxy, zone (lib/database/identifiers.ts).
   * Lowercase, as RDS stores identifiers (`identifierPrefix` of lib/names.ts).
   */
  readonly namePrefix: string;
  /**
   * What CloudFormation does with the master secret when it leaves the template.
   * @default RemovalPolicy.RETAIN
   */
  readonly secretRemovalPolicy?: RemovalPolicy;
  /**
   * Removal of the log groups, and whether a log retention under a year is acknowledged (outside production).
   * @default - retained; short retention not acknowledged
   */
  readonly logGroupPolicy?: LogGroupPolicy;
  /**
   * Whether the identity bootstrap function reserves its concurrency (`DatabaseIdentities`' `reserveConcurrency`).
   * @default true
   */
  readonly reserveFunctionConcurrency?: boolean;
}

export type AuroraDatabaseProps = DatabaseProps<AuroraDatabaseSettings>;

export interface InstanceDatabaseProps extends DatabaseProps<InstanceDatabaseSettings> {
  /** Zones the read replicas are spread over, in order. */
  readonly availabilityZones: readonly string[];
}

/** PostgreSQL's port; the proxy listens on it too. */
const PORT = 5432;
/** The logs PostgreSQL exports to CloudWatch Logs (`upgrade` exists for RDS for PostgreSQL only). */
const LOG_TYPES = { 'aurora-postgresql': ['postgresql'], postgres: ['postgresql', 'upgrade'] } as const;
/** RDS for PostgreSQL storage: gp3 from 100 GiB, growing on its own up to 1 TiB before anyone has to act. */
const ALLOCATED_STORAGE_GIB = 100;
const MAX_ALLOCATED_STORAGE_GIB = 1_000;
/** Enhanced monitoring: OS metrics (per-process CPU, memory, I/O) every minute. */
const MONITORING_INTERVAL = Duration.seconds(60);
const ROTATION_INTERVAL = Duration.days(30);
/** The reader endpoint output's description when there is no reader: reads go to the writer. */
const NO_READER_DESCRIPTION = 'The RDS Proxy endpoint of the writer: this environment has no reader';
/** Short, so that a replica that is replaced or removed drops out of the reader name within a minute. */
const READER_RECORD_TTL = Duration.seconds(30);
/** Every RDS metric lives here. */
const NS = 'AWS/RDS';

/** What AWS Backup selects to protect the database. */
export interface BackupTarget {
  readonly kind: 'cluster' | 'instance';
  readonly arn: string;
}

/** A reader metric with the name monitoring gives its alarm and the words its description uses. */
export interface ReaderMetric {
  /** `readers` (all of them, by role) or `reader-<n>`. */
  readonly key: string;
  /** `The readers’ average`, `Reader <identifier>`. */
  readonly who: string;
  readonly metric: cloudwatch.Metric;
}

/** The writer's free-storage metric and what the storage holds. */
export interface FreeStorageMetric {
  readonly metric: cloudwatch.Metric;
  readonly metricName: string;
  readonly what: string;
}

/** The clusters and instances the monitoring library draws (its own dashboards). */
export interface MonitoredResources {
  readonly clusters: readonly rds.IDatabaseCluster[];
  readonly instances: readonly rds.IDatabaseInstance[];
}

const REMOVAL_POLICIES = { snapshot: RemovalPolicy.SNAPSHOT, retain: RemovalPolicy.RETAIN, destroy: RemovalPolicy.DESTROY } as const;

/**
 * The database of one environment, whichever the engine: writer, readers, proxy, secret, parameters and logs,
 * handed to the service layer as `DatabaseEndpoints` and to monitoring through its metrics.
 */
export abstract class Database extends Construct implements DatabaseEndpoints {
  abstract readonly engine: DatabaseEngine;
  /** Proxy endpoint: writes, and reads that must see the latest commit. */
  abstract readonly writerEndpoint: string;
  /** Aurora: the proxy's read-only endpoint. `postgres`: the private DNS name over the replicas. */
  abstract readonly readerEndpoint: string;
  /** `cname` on `postgres` with replicas, whose reader name is a weighted alias over the replicas' own endpoints. */
  abstract readonly readerEndpointType: 'endpoint' | 'cname';
  /** How the published reader endpoint is described. */
  abstract readonly readerEndpointDescription: string;
  readonly port = PORT;
  readonly databaseName: string;
  /**
   * Master credentials (`username`, `password`, `host`, `port`, `dbname`), rotated every 30 days. Read by secret
   * rotation and the identity bootstrap only: no service, and not the proxy (end-to-end IAM).
   */
  abstract readonly secret: secretsmanager.ISecret;
  /** The custom resource that creates the services' users. */
  abstract readonly identities: DatabaseIdentities;
  /**
   * What `rds-db:connect` names for a login to the database itself (not the proxy): the Aurora cluster's
   * resource ID, or the `postgres` primary's.
   */
  abstract readonly databaseResourceId: string;
  abstract readonly proxy: rds.DatabaseProxy;
  /** Aurora cluster identifier, or the `postgres` primary's instance identifier. */
  abstract readonly identifier: string;
  /** How the published identifier is described. */
  abstract readonly identifierDescription: string;
  abstract readonly writerInstanceIdentifier: string;
  /** Identifiers of the readers this template deploys (Aurora auto scaling may add more, named by RDS). */
  readonly readerInstanceIdentifiers: readonly string[];
  /** What AWS Backup selects: the cluster, or the primary instance. */
  abstract readonly backupTarget: BackupTarget;
  /** The pool sizes derived from the capacity model, and the figures behind them. */
  readonly capacityPlan: CapacityPlan;
  /** Admits the proxy (and secret rotation) to the database. */
  readonly databaseSecurityGroup: ec2.SecurityGroup;
  /** Admits the services to the proxy. */
  readonly proxySecurityGroup: ec2.SecurityGroup;
  readonly parameterGroup: rds.ParameterGroup;
  readonly subnetGroup: rds.SubnetGroup;

  /** The physical names of the cluster, the instances, the proxy and the reader zone, derived once from `namePrefix`. */
  protected readonly names: DatabaseIdentifiers;
  /** The master user's secret, which the writer is created with. */
  protected readonly masterCredentials: rds.DatabaseSecret;
  /** What CloudFormation does with the cluster or primary when it leaves the template (`settings.removalPolicy`). */
  protected readonly writerRemovalPolicy: RemovalPolicy;

  /** `engine`: the CDK engine of the subclass, which the parameter group is created for and the writer runs. */
  protected constructor(scope: Construct, id: string, props: DatabaseProps, engine: rds.IEngine) {
    super(scope, id);
    const { settings: config, vpc, subnets, encryptionKey, namePrefix } = props;
    const where = `${new.target.name} ${this.node.path}`;
    if (!Number.isInteger(config.readReplicas) || config.readReplicas < 0 || config.readReplicas > 15) {
      throw new Error(`${where}: expected 0 to 15 readReplicas, got ${config.readReplicas}`);
    }
    if (namePrefix !== namePrefix.toLowerCase()) {
      throw new Error(`${where}: expected a lowercase namePrefix (RDS stores identifiers in lowercase), got ${JSON.stringify(namePrefix)}`);
    }
    this.databaseName = config.databaseName;
    this.capacityPlan = props.capacityPlan;
    this.names = databaseIdentifiers(namePrefix, config.readReplicas);
    this.readerInstanceIdentifiers = this.names.readers;
    this.writerRemovalPolicy = REMOVAL_POLICIES[config.removalPolicy];

    this.databaseSecurityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: 'PostgreSQL writer: admits the RDS Proxy and secret rotation only',
      allowAllOutbound: false,
    });
    this.proxySecurityGroup = new ec2.SecurityGroup(this, 'ProxySecurityGroup', {
      vpc,
      description: 'RDS Proxy: admits the services that are granted the database',
      allowAllOutbound: false,
    });

    this.subnetGroup = new rds.SubnetGroup(this, 'SubnetGroup', {
      vpc,
      vpcSubnets: subnets,
      description: 'Isolated subnets of the PostgreSQL database',
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.masterCredentials = new rds.DatabaseSecret(this, 'Secret', {
      username: MASTER_USERNAME,
      encryptionKey,
      dbname: config.databaseName,
    });
    this.masterCredentials.applyRemovalPolicy(props.secretRemovalPolicy ?? RemovalPolicy.RETAIN);

    this.parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: 'Slow-query logging, pg_stat_statements and TLS-only connections',
      parameters: {
        // The missing-index outage: a statement that suddenly takes seconds is logged with its text.
        log_min_duration_statement: String(config.slowQueryLogMs),
        shared_preload_libraries: 'pg_stat_statements',
        'pg_stat_statements.track': 'top',
        track_io_timing: '1',
        log_lock_waits: '1',
        // Replicas of `postgres` are reached without the proxy: TLS is enforced by the server as well.
        'rds.force_ssl': '1',
      },
    });
  }

  /**
   * What both engines do with their writer once it exists: rotate the master secret every 30 days, and put the
   * RDS Proxy in front of it, with end-to-end IAM for the application users.
   */
  protected frontWriter(
    props: DatabaseProps,
    writer: rds.DatabaseCluster | rds.DatabaseInstance,
    proxyTarget: rds.ProxyTarget,
    databaseResourceId: string,
  ): rds.DatabaseProxy {
    writer.addRotationSingleUser({ automaticallyAfter: ROTATION_INTERVAL, vpcSubnets: props.rotationSubnets });
    const { settings: config, vpc, subnets } = props;
    const proxy = new rds.DatabaseProxy(this, 'Proxy', {
      proxyTarget,
      vpc,
      vpcSubnets: subnets,
      securityGroups: [this.proxySecurityGroup],
      dbProxyName: this.names.proxy,
      requireTLS: true,
      // End-to-end IAM: a service logs in to the proxy with an IAM token for its own user, and the proxy logs in
      // to PostgreSQL as that same user with a token of its own role. No per-user secret exists to rotate, and
      // the master user (not a member of rds_iam) cannot come in this way at all. See docs/database.md.
      defaultAuthScheme: rds.DefaultAuthScheme.IAM_AUTH,
      idleClientTimeout: Duration.seconds(config.proxy.idleClientTimeoutSeconds),
      borrowTimeout: Duration.seconds(config.proxy.borrowTimeoutSeconds),
      maxConnectionsPercent: this.capacityPlan.maxConnectionsPercent,
      maxIdleConnectionsPercent: this.capacityPlan.maxIdleConnectionsPercent,
    });
    const identities = props.identities ?? [];
    const proxyRole = proxy.node.findChild('IAMRole') as iam.Role;
    if (identities.length > 0) {
      // The proxy connects to the database as each application user: rds-db:connect on the database's own
      // resource ID (cluster-… or db-…), for those users only (never the master user).
      proxyRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['rds-db:connect'],
          resources: identities.map((identity) => dbUserArn(this, databaseResourceId, identity.user)),
        }),
      );
    }
    acknowledge(
      proxyRole,
      'The proxy role policy allows rds-db:connect as each application user on this database only, and lives and dies with this one role.',
      '*-IAMNoInlinePolicy',
    );
    return proxy;
  }

  /** The custom resource that creates the services' users, once every instance of the writer exists. */
  protected createIdentities(props: DatabaseProps, writerHost: string, writer: Construct): DatabaseIdentities {
    this.pinRulePorts();
    const identities = new DatabaseIdentities(this, 'Identities', {
      identities: props.identities ?? [],
      databaseName: props.settings.databaseName,
      writerHost,
      port: PORT,
      masterSecret: this.secret,
      vpc: props.vpc,
      subnets: props.rotationSubnets,
      databaseSecurityGroup: this.databaseSecurityGroup,
      logsKey: props.encryptionKey,
      logRetentionDays: props.settings.logRetentionDays,
      logGroupPolicy: props.logGroupPolicy,
      reserveConcurrency: props.reserveFunctionConcurrency,
    });
    // After every instance of the writer exists (an Aurora cluster is "created" before its writer instance).
    identities.resource.node.addDependency(writer);
    return identities;
  }

  /**
   * The log group RDS exports log `logType` of a cluster or instance to, under the name RDS writes to. Created
   * before the cluster or instance, so that RDS writes into a group with our key and retention.
   */
  protected exportedLogGroup(
    id: string,
    source: { readonly kind: 'cluster' | 'instance'; readonly identifier: string },
    logType: string,
    props: DatabaseProps,
  ): EncryptedLogGroup {
    return new EncryptedLogGroup(this, id, {
      logGroupName: `/aws/rds/${source.kind}/${source.identifier}/${logType}`,
      encryptionKey: props.encryptionKey,
      retentionDays: props.settings.logRetentionDays,
      ...props.logGroupPolicy,
    });
  }

  /**
   * CDK opens the database to the proxy and to secret rotation on the port the cluster or instance reports
   * (a deploy-time attribute). The port is fixed here, so the rules name it: a reviewer reads 5432 in the
   * template, and the compliance rules can check it.
   */
  private pinRulePorts(): void {
    const groups = [this.databaseSecurityGroup, this.proxySecurityGroup];
    for (const child of groups.flatMap((g) => g.node.children)) {
      if (child instanceof ec2.CfnSecurityGroupIngress || child instanceof ec2.CfnSecurityGroupEgress) {
        child.fromPort = PORT;
        child.toPort = PORT;
      }
    }
  }

  allowFrom(client: ec2.IConnectable): void {
    // Written from the client's side, so that the rule lives in the client's stack: the data stack must not
    // depend on the stacks that depend on it.
    client.connections.allowTo(this.proxySecurityGroup, ec2.Port.tcp(PORT), 'Service to the RDS Proxy');
  }

  grantConnect(grantee: iam.IGrantable, login: DatabaseLogin): void {
    if (login.writer) this.proxy.grantConnect(grantee, login.writer);
    this.grantReaderConnect(grantee, login.reader);
  }

  /** Let `grantee` log in as `reader` at the reader endpoint. */
  protected abstract grantReaderConnect(grantee: iam.IGrantable, reader: string): void;

  /** A metric of the writer instance, whichever instance is the writer. */
  abstract metricWriter(metricName: string, statistic: string, label: string): cloudwatch.Metric;

  /** The writer's free storage: what runs out first and stops PostgreSQL. */
  metricWriterFreeStorage(): FreeStorageMetric {
    const { metricName, what } = this.freeStorage;
    return { metricName, what, metric: this.metricWriter(metricName, 'Minimum', `Writer ${metricName}`) };
  }

  /** The writer's free-storage metric and what that storage holds, for `metricWriterFreeStorage`. */
  protected abstract readonly freeStorage: Omit<FreeStorageMetric, 'metric'>;

  /** Replica lag of reader `index` (0-based, of `readerInstanceIdentifiers`), in seconds. */
  abstract metricReplicaLag(index: number): cloudwatch.Metric | cloudwatch.MathExpression;

  /** The readers' CPU: one metric over all of them, or one per reader (empty without readers). */
  abstract metricReadersCpu(): readonly ReaderMetric[];

  /** A metric of the RDS Proxy; `writerPool` narrows it to the writer's pool (default target group, READ_WRITE). */
  metricProxy(metricName: string, statistic: string, label: string, writerPool = false): cloudwatch.Metric {
    const proxy: Record<string, string> = { ProxyName: this.proxy.dbProxyName };
    const dims = writerPool ? { ...proxy, TargetGroup: 'default', TargetRole: 'READ_WRITE' } : proxy;
    return metric(NS, metricName, dims, statistic, label);
  }

  /** The clusters and instances the monitoring library draws (its own dashboards). */
  abstract readonly monitoredResources: MonitoredResources;

  /**
   * In the change that raises the major version, the writer's template says that configuration allowed it, for
   * `npm run diff` to tell a deliberate major upgrade (Aurora's CloudFormation handler sends
   * AllowMajorVersionUpgrade itself with any change of EngineVersion, so the property alone cannot say it).
   */
  protected markMajorUpgrade(writer: Construct, config: DatabaseSettings): void {
    if (config.allowMajorVersionUpgrade) (writer.node.defaultChild as CfnResource).addMetadata(ALLOW_MAJOR_UPGRADE_METADATA, true);
  }

  protected acknowledgeMonitoringRole(scope: Construct): void {
    const role = scope.node.tryFindChild('MonitoringRole');
    if (role) {
      acknowledge(
        role,
        'Enhanced monitoring needs the AWS managed policy AmazonRDSEnhancedMonitoringRole, the one RDS documents for this role; it grants writing to the RDSOSMetrics log group only.',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
      );
    }
  }

  /** What a non-production environment turns down by configuration (the schema refuses it in production). */
  protected acknowledgeTurnedDown(scope: Construct, config: DatabaseSettings): void {
    if (!config.deletionProtection) {
      acknowledge(
        scope,
        'database.deletionProtection is false in this non-production environment, so that it can be torn down; the schema requires it in production.',
        'AwsSolutions-RDS10',
        '*-RDSInstanceDeletionProtectionEnabled',
        // Control Tower has one control for clusters and one for instances.
        scope.node.defaultChild instanceof rds.CfnDBCluster ? 'CT.RDS.PR.3' : 'CT.RDS.PR.13',
      );
    }
    if (!config.multiAz) {
      acknowledge(
        scope,
        'database.multiAz is false in this non-production environment to halve its cost; the schema requires Multi-AZ in production.',
        'AwsSolutions-RDS3',
        '*-RDSMultiAZSupport',
        // Control Tower's Multi-AZ control reads instances only (an Aurora cluster's zones are its instances').
        ...(scope.node.defaultChild instanceof rds.CfnDBInstance ? ['CT.RDS.PR.1'] : []),
      );
    }
    if (config.backup.retentionDays < 7 && scope.node.defaultChild instanceof rds.CfnDBInstance) {
      acknowledge(
        scope,
        `database.backup.retentionDays is ${config.backup.retentionDays} in this non-production environment, whose data is disposable; the schema requires at least 7 days in production.`,
        'CT.RDS.PR.8',
      );
    }
  }
}

/**
 * `aurora-postgresql`: an Aurora cluster with its writer and readers, reader auto scaling, and the proxy's
 * read-only endpoint over the readers.
 */
export class AuroraDatabase extends Database {
  readonly engine = 'aurora-postgresql';
  readonly writerEndpoint: string;
  readonly readerEndpoint: string;
  readonly readerEndpointType = 'endpoint';
  readonly readerEndpointDescription: string;
  readonly secret: secretsmanager.ISecret;
  readonly identities: DatabaseIdentities;
  readonly databaseResourceId: string;
  readonly proxy: rds.DatabaseProxy;
  readonly identifier: string;
  readonly identifierDescription = 'Aurora cluster identifier';
  /** Aurora storage grows on its own: what runs out is the instance's local storage. */
  protected readonly freeStorage = { metricName: 'FreeLocalStorage', what: 'local storage (temporary tables, sorts and logs)' };
  readonly writerInstanceIdentifier: string;
  readonly backupTarget: BackupTarget;
  readonly monitoredResources: MonitoredResources;
  readonly cluster: rds.DatabaseCluster;
  /** The proxy's read-only endpoint over the readers; without readers, reads go to the writer endpoint. */
  readonly readOnlyProxyEndpoint: rds.IDatabaseProxyEndpoint | undefined;
  readonly readerScaling: appscaling.ScalableTarget;

  constructor(scope: Construct, id: string, props: AuroraDatabaseProps) {
    const engine = clusterEngine(props.settings.engineVersion);
    super(scope, id, props, engine);
    const config = props.settings;
    const { vpc, subnets } = props;
    const where = `AuroraDatabase ${this.node.path}`;
    const scaling = config.readerAutoScaling;
    if (!(scaling.min <= scaling.max)) {
      throw new Error(`${where}: expected readerAutoScaling.min (${scaling.min}) at most readerAutoScaling.max (${scaling.max})`);
    }
    if (config.instanceClass === SERVERLESS && !(config.serverlessV2Capacity.min <= config.serverlessV2Capacity.max)) {
      throw new Error(
        `${where}: expected serverlessV2Capacity.min (${config.serverlessV2Capacity.min}) at most serverlessV2Capacity.max (${config.serverlessV2Capacity.max})`,
      );
    }
    const cluster = this.buildCluster(config, props, engine);
    this.cluster = cluster;
    this.secret = cluster.secret!;
    this.identifier = cluster.clusterIdentifier;
    this.writerInstanceIdentifier = this.names.writer;
    this.databaseResourceId = cluster.clusterResourceIdentifier;
    this.backupTarget = { kind: 'cluster', arn: cluster.clusterArn };
    this.monitoredResources = { clusters: [cluster], instances: [] };
    this.proxy = this.frontWriter(props, cluster, rds.ProxyTarget.fromCluster(cluster), this.databaseResourceId);
    this.writerEndpoint = this.proxy.endpoint;
    this.readOnlyProxyEndpoint =
      config.readReplicas > 0
        ? this.proxy.addEndpoint('ReadOnlyEndpoint', {
            vpc,
            vpcSubnets: subnets,
            securityGroups: [this.proxySecurityGroup],
            targetRole: rds.ProxyEndpointTargetRole.READ_ONLY,
            dbProxyEndpointName: this.names.readOnlyEndpoint,
          })
        : undefined;
    // Without a reader, reads go to the writer: the name still says "reader" so that code need not change.
    this.readerEndpoint = this.readOnlyProxyEndpoint?.endpoint ?? this.writerEndpoint;
    this.readerEndpointDescription = this.readOnlyProxyEndpoint
      ? 'Read-only RDS Proxy endpoint over the Aurora readers: replica lag applies'
      : NO_READER_DESCRIPTION;
    this.readerScaling = this.addReaderScaling(cluster, config);
    this.identities = this.createIdentities(props, cluster.clusterEndpoint.hostname, cluster);

    // cdk-nag asks each Aurora instance to be in a plan; the data is the cluster volume's, which the plan backs up.
    for (const instance of cluster.node.children.filter((c) => c instanceof Construct && /^(Writer|Reader\d+)$/.test(c.node.id))) {
      acknowledge(
        instance,
        'An Aurora instance holds no data of its own: the cluster volume is, and the AWS Backup plan of this stack selects the cluster (Backup/Plan/Database).',
        '*-RDSInBackupPlan',
      );
    }
  }

  protected grantReaderConnect(grantee: iam.IGrantable, reader: string): void {
    // The read-only proxy endpoint is the proxy's too; without readers the reader endpoint is the writer's.
    this.proxy.grantConnect(grantee, reader);
  }

  /** By `Role=WRITER`: it follows the writer across a failover. */
  metricWriter(metricName: string, statistic: string, label: string): cloudwatch.Metric {
    return metric(NS, metricName, { DBClusterIdentifier: this.identifier, Role: 'WRITER' }, statistic, label);
  }

  /** AuroraReplicaLag is in milliseconds; this is in seconds. */
  metricReplicaLag(index: number): cloudwatch.Metric | cloudwatch.MathExpression {
    const id = this.readerInstanceIdentifiers[index];
    return new cloudwatch.MathExpression({
      expression: `lag${index} / 1000`,
      usingMetrics: { [`lag${index}`]: metric(NS, 'AuroraReplicaLag', { DBInstanceIdentifier: id }, 'Maximum', `${id} lag (ms)`) },
      label: `${id} replica lag (s)`,
      period: Duration.minutes(1),
    });
  }

  /** By role, so that readers auto scaling adds are counted too. */
  metricReadersCpu(): readonly ReaderMetric[] {
    if (this.readerInstanceIdentifiers.length === 0) return [];
    const who = 'The readers’ average';
    return [
      {
        key: 'readers',
        who,
        metric: metric(NS, 'CPUUtilization', { DBClusterIdentifier: this.identifier, Role: 'READER' }, 'Average', `${who} CPU %`),
      },
    ];
  }

  private buildCluster(config: AuroraDatabaseSettings, props: AuroraDatabaseProps, engine: rds.IClusterEngine): rds.DatabaseCluster {
    const serverless = config.instanceClass === SERVERLESS;
    const instanceProps = {
      autoMinorVersionUpgrade: true,
      publiclyAccessible: false,
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: props.encryptionKey,
    };
    const instance = (id: string, instanceIdentifier: string, reader: boolean): rds.IClusterInstance =>
      serverless
        ? rds.ClusterInstance.serverlessV2(id, { ...instanceProps, instanceIdentifier, scaleWithWriter: reader })
        : rds.ClusterInstance.provisioned(id, {
            ...instanceProps,
            instanceIdentifier,
            instanceType: new ec2.InstanceType(config.instanceClass),
            // Promotion tier 1: readers take over from the writer before any auto-scaled reader (tier 15).
            promotionTier: reader ? 1 : undefined,
          });

    const clusterIdentifier = this.names.cluster;
    const logGroup = this.exportedLogGroup('PostgresqlLogs', { kind: 'cluster', identifier: clusterIdentifier }, 'postgresql', props);

    const cluster = new rds.DatabaseCluster(this, 'Cluster', {
      engine,
      clusterIdentifier,
      credentials: rds.Credentials.fromSecret(this.masterCredentials),
      defaultDatabaseName: config.databaseName,
      writer: instance('Writer', this.names.writer, false),
      readers: this.names.readers.map((name, i) => instance(`Reader${i + 1}`, name, true)),
      serverlessV2MinCapacity: serverless ? config.serverlessV2Capacity.min : undefined,
      serverlessV2MaxCapacity: serverless ? config.serverlessV2Capacity.max : undefined,
      vpc: props.vpc,
      subnetGroup: this.subnetGroup,
      securityGroups: [this.databaseSecurityGroup],
      port: PORT,
      parameterGroup: this.parameterGroup,
      storageEncrypted: config.storageEncrypted,
      storageEncryptionKey: config.storageEncrypted ? props.encryptionKey : undefined,
      iamAuthentication: true,
      cloudwatchLogsExports: [...LOG_TYPES['aurora-postgresql']],
      monitoringInterval: MONITORING_INTERVAL,
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: props.encryptionKey,
      databaseInsightsMode: rds.DatabaseInsightsMode.STANDARD,
      backup: { retention: Duration.days(config.backup.retentionDays), preferredWindow: config.backup.preferredWindow },
      preferredMaintenanceWindow: config.preferredMaintenanceWindow,
      deletionProtection: config.deletionProtection,
      copyTagsToSnapshot: true,
      removalPolicy: this.writerRemovalPolicy,
    });
    cluster.node.addDependency(logGroup);
    this.markMajorUpgrade(cluster, config);
    this.acknowledgeMonitoringRole(cluster);
    this.acknowledgeTurnedDown(cluster, config);
    acknowledge(
      cluster,
      'PostgreSQL listens on its default port 5432: the RDS Proxy, the only way in, listens on 5432 whatever the database port, and the security groups admit the proxy only.',
      'AwsSolutions-RDS11',
    );
    return cluster;
  }

  /** Aurora reader auto scaling: readers are added when their average CPU stays above the target. */
  private addReaderScaling(cluster: rds.DatabaseCluster, config: AuroraDatabaseSettings): appscaling.ScalableTarget {
    const target = new appscaling.ScalableTarget(this, 'ReaderScaling', {
      serviceNamespace: appscaling.ServiceNamespace.RDS,
      scalableDimension: 'rds:cluster:ReadReplicaCount',
      resourceId: `cluster:${cluster.clusterIdentifier}`,
      minCapacity: config.readerAutoScaling.min,
      maxCapacity: config.readerAutoScaling.max,
    });
    target.scaleToTrackMetric('ReaderCpu', {
      predefinedMetric: appscaling.PredefinedMetric.RDS_READER_AVERAGE_CPU_UTILIZATION,
      targetValue: config.readerAutoScaling.targetCpuPercent,
      // An Aurora reader takes about ten minutes to join: scale out promptly, scale in slowly.
      scaleOutCooldown: Duration.minutes(5),
      scaleInCooldown: Duration.minutes(15),
    });
    return target;
  }
}

/**
 * `postgres`: an RDS for PostgreSQL primary with a Multi-AZ standby, and read replicas spread over the zones
 * under one private DNS name (RDS Proxy cannot target read replicas).
 */
export class InstanceDatabase extends Database {
  readonly engine = 'postgres';
  readonly writerEndpoint: string;
  readonly readerEndpoint: string;
  readonly readerEndpointType: 'endpoint' | 'cname';
  readonly readerEndpointDescription: string;
  readonly secret: secretsmanager.ISecret;
  readonly identities: DatabaseIdentities;
  readonly databaseResourceId: string;
  readonly proxy: rds.DatabaseProxy;
  readonly identifier: string;
  readonly identifierDescription = 'Instance identifier of the PostgreSQL primary';
  protected readonly freeStorage = { metricName: 'FreeStorageSpace', what: 'storage' };
  readonly writerInstanceIdentifier: string;
  readonly backupTarget: BackupTarget;
  readonly monitoredResources: MonitoredResources;
  readonly primary: rds.DatabaseInstance;
  /** The read replicas (none when `readReplicas` is 0). */
  readonly replicas: readonly rds.DatabaseInstanceReadReplica[];
  /** Admits the services to the replicas, which they reach without the proxy (undefined without replicas). */
  readonly replicaSecurityGroup: ec2.SecurityGroup | undefined;
  /** The private zone that names the readers (undefined without replicas: the reader name is then the proxy's). */
  readonly readerZone: route53.PrivateHostedZone | undefined;

  constructor(scope: Construct, id: string, props: InstanceDatabaseProps) {
    const engine = instanceEngine(props.settings.engineVersion);
    super(scope, id, props, engine);
    const config = props.settings;
    if (config.instanceClass === SERVERLESS) {
      throw new Error(
        `InstanceDatabase ${this.node.path}: expected a provisioned instance class (RDS for PostgreSQL has no Serverless v2), got serverless`,
      );
    }
    if (config.readReplicas > 0 && props.availabilityZones.length === 0) {
      throw new Error(
        `InstanceDatabase ${this.node.path}: expected availabilityZones to spread ${config.readReplicas} replicas over, got none`,
      );
    }
    const primary = this.buildPrimary(config, props, engine);
    this.primary = primary;
    this.secret = primary.secret!;
    this.identifier = primary.instanceIdentifier;
    this.writerInstanceIdentifier = primary.instanceIdentifier;
    this.databaseResourceId = primary.instanceResourceId!;
    this.backupTarget = { kind: 'instance', arn: primary.instanceArn };
    this.proxy = this.frontWriter(props, primary, rds.ProxyTarget.fromInstance(primary), this.databaseResourceId);
    this.writerEndpoint = this.proxy.endpoint;
    const readers = config.readReplicas === 0 ? undefined : this.buildReplicas(config, props, primary);
    this.replicas = readers?.replicas ?? [];
    this.monitoredResources = { clusters: [], instances: [primary, ...this.replicas] };
    // Without replicas the reader name is the proxy's, which its certificate carries.
    this.readerEndpoint = readers?.endpoint ?? this.writerEndpoint;
    this.readerEndpointType = readers ? 'cname' : 'endpoint';
    this.readerEndpointDescription = readers
      ? 'Private DNS name over the PostgreSQL read replicas (no proxy; resolve it per connection): replica lag applies'
      : NO_READER_DESCRIPTION;
    this.replicaSecurityGroup = readers?.securityGroup;
    this.readerZone = readers?.zone;
    this.identities = this.createIdentities(props, primary.dbInstanceEndpointAddress, primary);
  }

  override allowFrom(client: ec2.IConnectable): void {
    super.allowFrom(client);
    if (this.replicaSecurityGroup) {
      client.connections.allowTo(this.replicaSecurityGroup, ec2.Port.tcp(PORT), 'Service to the PostgreSQL read replicas');
    }
  }

  protected grantReaderConnect(grantee: iam.IGrantable, reader: string): void {
    if (this.replicas.length === 0) {
      // Without replicas the reader endpoint is the writer's.
      this.proxy.grantConnect(grantee, reader);
      return;
    }
    // `postgres` replicas are reached directly. Their resource IDs (db-…) exist only once they do, and naming
    // them from the service stack would make every reader added or removed an export lock; the grant names the
    // reader user on any instance instead, and the replica security group decides which instances it reaches.
    const anyInstance = dbUserArn(this, 'db-*', reader);
    iam.Grant.addToPrincipal({ grantee, actions: ['rds-db:connect'], resourceArns: [anyInstance] });
    if (Construct.isConstruct(grantee.grantPrincipal)) {
      acknowledge(
        grantee.grantPrincipal,
        'rds-db:connect as the service’s own read-only user on any instance (db-*): replica resource IDs exist only once the replicas do, and naming them here would turn every reader change into an export lock; the user name is what separates services, and the replica security group decides which instances are reached.',
        `AwsSolutions-IAM5[Resource::${anyInstance}]`,
      );
    }
  }

  metricWriter(metricName: string, statistic: string, label: string): cloudwatch.Metric {
    return metric(NS, metricName, { DBInstanceIdentifier: this.writerInstanceIdentifier }, statistic, label);
  }

  /** RDS's ReplicaLag, in seconds. */
  metricReplicaLag(index: number): cloudwatch.Metric | cloudwatch.MathExpression {
    const id = this.readerInstanceIdentifiers[index];
    return metric(NS, 'ReplicaLag', { DBInstanceIdentifier: id }, 'Maximum', `${id} replica lag (s)`);
  }

  /** One per replica: each takes its own share of the connections. */
  metricReadersCpu(): readonly ReaderMetric[] {
    return this.readerInstanceIdentifiers.map((id, i) => {
      const who = `Reader ${id}`;
      return { key: `reader-${i + 1}`, who, metric: metric(NS, 'CPUUtilization', { DBInstanceIdentifier: id }, 'Average', `${who} CPU %`) };
    });
  }

  private buildPrimary(config: InstanceDatabaseSettings, props: InstanceDatabaseProps, engine: rds.IInstanceEngine): rds.DatabaseInstance {
    const instanceIdentifier = this.names.writer;
    const logGroup = this.instanceLogGroups('Writer', instanceIdentifier, props);
    const primary = new rds.DatabaseInstance(this, 'Primary', {
      ...this.everyInstanceProps(config, props),
      engine,
      instanceIdentifier,
      credentials: rds.Credentials.fromSecret(this.masterCredentials),
      databaseName: config.databaseName,
      securityGroups: [this.databaseSecurityGroup],
      port: PORT,
      multiAz: config.multiAz,
      allocatedStorage: ALLOCATED_STORAGE_GIB,
      storageEncrypted: config.storageEncrypted,
      storageEncryptionKey: config.storageEncrypted ? props.encryptionKey : undefined,
      backupRetention: Duration.days(config.backup.retentionDays),
      preferredBackupWindow: config.backup.preferredWindow,
      preferredMaintenanceWindow: config.preferredMaintenanceWindow,
      // Only in the change that raises the major (a validation rule and the diff see to it); absent otherwise.
      allowMajorVersionUpgrade: config.allowMajorVersionUpgrade || undefined,
      removalPolicy: this.writerRemovalPolicy,
    });
    this.markMajorUpgrade(primary, config);
    for (const group of logGroup) primary.node.addDependency(group);
    this.acknowledgeMonitoringRole(primary);
    this.acknowledgeTurnedDown(primary, config);
    acknowledge(
      primary,
      'PostgreSQL listens on its default port 5432: the RDS Proxy listens on 5432 whatever the database port, and the security group admits the proxy and secret rotation only.',
      'AwsSolutions-RDS11',
      'CT.RDS.PR.20',
    );
    return primary;
  }

  /** The replicas, their security group and the one DNS name over them. */
  private buildReplicas(
    config: InstanceDatabaseSettings,
    props: InstanceDatabaseProps,
    primary: rds.DatabaseInstance,
  ): { endpoint: string; securityGroup: ec2.SecurityGroup; zone: route53.PrivateHostedZone; replicas: rds.DatabaseInstanceReadReplica[] } {
    const replicas: rds.DatabaseInstanceReadReplica[] = [];
    const replicaSecurityGroup = new ec2.SecurityGroup(this, 'ReplicaSecurityGroup', {
      vpc: props.vpc,
      description: 'PostgreSQL read replicas: admit the services that are granted the database',
      allowAllOutbound: false,
    });
    this.readerInstanceIdentifiers.forEach((instanceIdentifier, i) => {
      const id = `Replica${i + 1}`;
      const logGroups = this.instanceLogGroups(id, instanceIdentifier, props);
      const replica = new rds.DatabaseInstanceReadReplica(this, id, {
        ...this.everyInstanceProps(config, props),
        sourceDatabaseInstance: primary,
        instanceIdentifier,
        // One zone after another, so that losing a zone leaves readers standing.
        availabilityZone: props.availabilityZones[i % props.availabilityZones.length],
        securityGroups: [replicaSecurityGroup],
        // Encryption and its key are inherited from the primary; CloudFormation refuses them on a replica.
        // A replica holds a copy of the primary's data only: replacing it loses nothing.
        removalPolicy: RemovalPolicy.DESTROY,
      });
      for (const group of logGroups) replica.node.addDependency(group);
      this.acknowledgeMonitoringRole(replica);
      if (!config.deletionProtection) this.acknowledgeTurnedDown(replica, { ...config, multiAz: true });
      acknowledge(
        replica,
        'A read replica of RDS for PostgreSQL has no automated backups of its own; the primary is backed up (database.backup) and the replica is rebuilt from it.',
        'AwsSolutions-RDS13',
        '*-RDSInstanceBackupEnabled',
        '*-RDSInBackupPlan',
      );
      acknowledge(
        replica,
        'A read replica is single-AZ by nature; the replicas are spread over the zones and the primary has a Multi-AZ standby.',
        'AwsSolutions-RDS3',
        '*-RDSMultiAZSupport',
      );
      if (config.storageEncrypted) {
        acknowledge(
          replica,
          'A read replica inherits storage encryption and its key from the primary, which is encrypted with the database key; CloudFormation refuses StorageEncrypted on a replica (cfn-lint F3020).',
          'AwsSolutions-RDS2',
          '*-RDSStorageEncrypted',
        );
      }
      Validations.of(replica).acknowledge({
        id: 'CloudFormation-Validate::W3010',
        reason:
          'Zones are configuration (environment.availabilityZones), validated against the region; replicas are placed one per zone on purpose.',
      });
      acknowledge(
        replica,
        'Port 5432 is the port clients expect; the replica security group admits granted services only.',
        'AwsSolutions-RDS11',
      );
      replicas.push(replica);
    });

    const zone = new route53.PrivateHostedZone(this, 'ReaderZone', {
      zoneName: this.names.readerZone,
      vpc: props.vpc,
      comment: 'Stable name over the PostgreSQL read replicas (RDS Proxy cannot target read replicas)',
    });
    // Equal weights: each lookup picks one replica, spreading new connections across them.
    replicas.forEach(
      (replica, i) =>
        new route53.CnameRecord(this, `ReaderRecord${i + 1}`, {
          zone,
          recordName: 'readers',
          domainName: replica.dbInstanceEndpointAddress,
          weight: 1,
          setIdentifier: this.readerInstanceIdentifiers[i],
          ttl: READER_RECORD_TTL,
        }),
    );
    return { endpoint: `readers.${zone.zoneName}`, securityGroup: replicaSecurityGroup, zone, replicas };
  }

  /**
   * What the primary and every replica have alike: class, network, parameters, gp3 storage that grows on its own,
   * IAM logins, exported logs, enhanced monitoring, Performance Insights with the database key, minor upgrades,
   * deletion protection and tags copied to snapshots.
   */
  private everyInstanceProps(config: InstanceDatabaseSettings, props: InstanceDatabaseProps) {
    return {
      instanceType: new ec2.InstanceType(config.instanceClass),
      vpc: props.vpc,
      subnetGroup: this.subnetGroup,
      publiclyAccessible: false,
      parameterGroup: this.parameterGroup,
      storageType: rds.StorageType.GP3,
      maxAllocatedStorage: MAX_ALLOCATED_STORAGE_GIB,
      iamAuthentication: true,
      cloudwatchLogsExports: [...LOG_TYPES.postgres],
      monitoringInterval: MONITORING_INTERVAL,
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: props.encryptionKey,
      autoMinorVersionUpgrade: true,
      deletionProtection: config.deletionProtection,
      copyTagsToSnapshot: true,
    } satisfies Partial<rds.DatabaseInstanceReadReplicaProps & rds.DatabaseInstanceProps>;
  }

  private instanceLogGroups(id: string, instanceIdentifier: string, props: InstanceDatabaseProps): EncryptedLogGroup[] {
    return LOG_TYPES.postgres.map((type) =>
      this.exportedLogGroup(
        `${id}${type === 'postgresql' ? 'Postgresql' : 'Upgrade'}Logs`,
        { kind: 'instance', identifier: instanceIdentifier },
        type,
        props,
      ),
    );
  }
}

/** `arn:aws:rds-db:<region>:<account>:dbuser:<resource id>/<user>`: what an IAM database login is authorized against. */
function dbUserArn(scope: Construct, resourceId: string, user: string): string {
  return Stack.of(scope).formatArn({
    service: 'rds-db',
    resource: 'dbuser',
    resourceName: `${resourceId}/${user}`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import type { AppConfig } from '../../config/schema';
import { CacheTiers } from '../constructs/cache-tiers';
import { DataProtection } from '../constructs/data-protection';
import { AuroraDatabase, type Database, InstanceDatabase } from '../constructs/database';
import { EncryptionKey } from '../constructs/encryption';
import { serviceIdentities } from '../database/identity-sql';
import type { Network } from '../constructs/network';
import { identifierPrefix, namePrefix } from '../names';
import { Outputs } from '../outputs';
import { type CacheNodeType, cacheCapacity, planCapacity } from '../capacity';
import type { CacheTier } from '../constructs/cache-tier';
import { BackupCopyStack } from './backup-copy-stack';
import { EnvironmentStack } from './environment-stack';
import { copyDestinations, restoreTestingPlanName, snapshotRules, vaultLockOf } from './recovery-props';

export interface DataStackProps {
  readonly config: AppConfig;
  readonly network: Network;
}

/**
 * The stateful layer: the database and the cache tiers, with their keys and secrets. Kept apart from the
 * stateless layers so that a change to a service can never touch it, and protected from deletion in production.
 *
 * Construct IDs below are API: renaming one replaces the resource and loses its data (tests pin them).
 */
export class DataStack extends EnvironmentStack {
  /** Encrypts the database storage, its secret, its logs and Performance Insights. */
  readonly databaseKey: EncryptionKey;
  /** Encrypts the cache tiers at rest, their AUTH secrets and their logs. */
  readonly cacheKey: EncryptionKey;
  /** The PostgreSQL writer, its readers and the RDS Proxy: the handle services receive. */
  readonly database: Database;
  /** The cache tiers from `cache.tiers`; `cacheTiers.tier('critical')` is the handle the services use. */
  readonly cacheTiers: CacheTiers;
  /** AWS Backup of the database: vault, plan, copies, lock and restore tests (`recovery` in config). */
  readonly protection: DataProtection;

  private readonly props: DataStackProps;
  /**
   * The one group the data layer admits: every service task wears it. Its rules, and the tiers' rules that
   * name it, live in this stack, so a tier (or the replicas' group) leaves in the same update as every rule
   * that names it: no other stack holds a rule that would block the deletion (docs/architecture.md).
   */
  readonly dataClients: ec2.SecurityGroup;

  constructor(scope: Construct, props: DataStackProps) {
    const { config } = props;
    super(scope, 'Data', {
      config,
      description: `${config.app.name} ${config.environment.name}: PostgreSQL writer and readers, RDS Proxy, cache tiers (stateful)`,
      terminationProtection: config.environment.production,
    });
    this.props = props;
    const production = config.environment.production;
    // One key per data store, so that a key policy (or a compromised grant) reaches one store only.
    this.databaseKey = this.newLogsKey('DatabaseKey', 'Encrypts the PostgreSQL database, its secret and logs');
    this.cacheKey = this.newLogsKey('CacheKey', 'Encrypts the cache tiers, their AUTH secrets and logs');

    const databaseProps = {
      settings: config.database,
      capacityPlan: planCapacity({
        engine: config.database.engine,
        instanceClass: config.database.instanceClass,
        serverlessMaxCapacity: config.database.serverlessV2Capacity.max,
        readers: config.database.readReplicas,
        reservedConnections: config.database.proxy.reservedConnections,
        ...config.capacity,
      }).plan,
      vpc: props.network.vpc,
      subnets: props.network.dataSubnets,
      rotationSubnets: props.network.serviceSubnets,
      // Every service's users: a service added in config gets them with no other code.
      identities: Object.entries(config.services).flatMap(([name, service]) =>
        serviceIdentities(name, service.database.access, service.database.schema),
      ),
      encryptionKey: this.databaseKey,
      availabilityZones: config.environment.availabilityZones,
      namePrefix: identifierPrefix(config.app.name, config.environment.name),
      secretRemovalPolicy: this.statefulRemovalPolicy,
      logGroupPolicy: this.logGroupPolicy,
      reserveFunctionConcurrency: config.environment.reserveLambdaConcurrency,
    };
    // One class per engine, both under the construct ID `Database` (their children keep their IDs).
    this.database =
      config.database.engine === 'aurora-postgresql'
        ? new AuroraDatabase(this, 'Database', databaseProps)
        : new InstanceDatabase(this, 'Database', databaseProps);
    // Config's `cache.tiers`, the class `CacheTiers`, this field: one name. The construct ID stays `Cache`, the
    // first name the tiers had, because every tier's logical IDs derive from it (test/environments.test.ts pins them).
    this.cacheTiers = new CacheTiers(this, 'Cache', {
      tiers: Object.entries(config.cache.tiers).map(([name, tier]) => ({
        name,
        ...tier,
        nodeType: tier.nodeType as CacheNodeType,
        capacity: cacheCapacity({
          nodeType: tier.nodeType as CacheNodeType,
          shards: tier.clusterMode ? tier.shards : 1,
          reservedMemoryPercent: tier.reservedMemoryPercent,
          bytesPerKey: tier.bytesPerKey,
        }),
        // A noeviction tier holds what cannot be rebuilt (sessions, tokens): in production, a final snapshot is
        // taken before CloudFormation deletes or replaces it. An evicting tier holds only what the application recomputes.
        finalSnapshot: production && tier.evictionPolicy === 'noeviction',
        shortSnapshotRetentionReason: production ? undefined : 'a non-production environment',
      })),
      vpc: props.network.vpc,
      subnets: props.network.dataSubnets,
      encryptionKey: this.cacheKey,
      logRetentionDays: config.cache.logRetentionDays,
      logGroupPolicy: this.logGroupPolicy,
    });
    for (const tier of this.cacheTiers.tiers) this.publishCacheTier(tier);
    this.protection = this.protectDatabase();
    this.dataClients = new ec2.SecurityGroup(this, 'DataClientsSecurityGroup', {
      vpc: props.network.vpc,
      description: 'Worn by every service task: out to the database proxy and the cache tiers, which admit it',
      allowAllOutbound: false,
    });
    this.database.allowFrom(this.dataClients);
    for (const tier of this.cacheTiers.tiers) tier.allowFrom(this.dataClients);
    this.publishDatabase();
  }

  /** The name of the environment's vault and backup plan. */
  static vaultName(config: AppConfig): string {
    return namePrefix(config.app.name, config.environment.name);
  }

  private protectDatabase(): DataProtection {
    const { config } = this;
    const recovery = config.recovery;
    const db = this.database;
    const copyRegion = recovery.crossRegionCopy.region;
    const copies = copyDestinations(config, copyRegion ? BackupCopyStack.vaultArn(config, copyRegion) : undefined);
    if (recovery.crossAccountVaultArn) {
      // A copy into another account is made by RDS in that account from a snapshot encrypted with this key:
      // the account may see the key and grant it to an AWS service, nothing else (no Decrypt of its own).
      const destination = new iam.AccountPrincipal(recovery.crossAccountVaultArn.split(':')[4]);
      this.databaseKey.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'CrossAccountBackupCopy',
          principals: [destination],
          actions: ['kms:CreateGrant'],
          resources: ['*'],
          conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
        }),
      );
      this.databaseKey.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'CrossAccountBackupCopyDescribe',
          principals: [destination],
          actions: ['kms:DescribeKey'],
          resources: ['*'],
        }),
      );
    }
    const testing = recovery.restoreTesting;
    return new DataProtection(this, 'Backup', {
      name: DataStack.vaultName(config),
      vaultRemovalPolicy: this.statefulRemovalPolicy,
      database: {
        ...db.backupTarget,
        subnetGroupName: db.subnetGroup.subnetGroupName,
        vpc: this.props.network.vpc,
        encryptionKey: this.databaseKey,
      },
      continuousRetention: recovery.continuousBackup.enabled ? Duration.days(recovery.continuousBackup.retentionDays) : undefined,
      rules: snapshotRules(config),
      copies,
      lock: vaultLockOf(config),
      restoreTesting: testing.enabled
        ? {
            planName: restoreTestingPlanName(config),
            schedule: testing.schedule,
            scheduleTimezone: testing.scheduleTimezone,
            startWindowHours: testing.startWindowHours,
            selectionWindowDays: testing.selectionWindowDays,
          }
        : undefined,
    });
  }

  private publishCacheTier(tier: CacheTier): void {
    const out = (field: Parameters<typeof Outputs.cacheTier>[1], value: string, description: string) =>
      this.publish(Outputs.cacheTier(tier.name, field), value, `${tier.name} cache tier: ${description}`);
    out('PrimaryEndpoint', tier.primaryEndpoint, 'primary endpoint (writes), TLS and AUTH required');
    out('ReaderEndpoint', tier.readerEndpoint, 'reader endpoint (reads from replicas; may lag the primary)');
    out('Port', String(tier.port), 'port');
    out('SecretArn', tier.authSecret.secretArn, 'ARN of the secret whose SecretString is the AUTH token');
    out('ReplicationGroupId', tier.replicationGroupId, 'replication group ID');
    out('ParameterGroupName', tier.parameterGroupName, 'parameter group (eviction policy and memory settings)');
  }

  private publishDatabase(): void {
    const db = this.database;
    const out = this.publish.bind(this);
    out(Outputs.databaseWriterEndpoint, db.writerEndpoint, 'RDS Proxy endpoint: all writes, and reads that must see the latest commit');
    out(Outputs.databaseReaderEndpoint, db.readerEndpoint, db.readerEndpointDescription);
    out(Outputs.databasePort, String(db.port), 'PostgreSQL port of both endpoints');
    out(
      Outputs.databaseSecretArn,
      db.secret.secretArn,
      'Secrets Manager secret with the master credentials (rotated every 30 days): for the identity bootstrap, rotation and break-glass administration, never a service',
    );
    out(Outputs.databaseProxyName, db.proxy.dbProxyName, 'Name of the RDS Proxy in front of the writer');
    out(Outputs.databaseIdentifier, db.identifier, db.identifierDescription);
    // An SSM parameter cannot be empty: "none" when the environment has no reader.
    out(
      Outputs.databaseReaderIdentifiers,
      db.readerInstanceIdentifiers.join(',') || 'none',
      'Comma-separated instance identifiers of the readers this template deploys (Aurora auto scaling may add more)',
    );
  }
}

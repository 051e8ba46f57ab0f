import { Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { CacheConfig } from '../../config/schema';
import { Outputs, pascal, publish } from '../outputs';
import { CacheTier } from './cache-tier';

export interface CacheTiersProps {
  readonly config: CacheConfig;
  readonly vpc: ec2.IVpc;
  /** The isolated subnets (`network.dataSubnets`). */
  readonly subnets: ec2.SubnetSelection;
  /** The data stack's cache key: data at rest, AUTH secrets and logs. */
  readonly encryptionKey: kms.IKey;
  readonly production: boolean;
  /** Application and environment names, for the published outputs and SSM parameters. */
  readonly appName: string;
  readonly environmentName: string;
}

/**
 * Every cache tier of the environment, one replication group each, as config's `cache.tiers` map names them.
 * One cache with one eviction policy logged users out when memory filled; tiers keep sessions (`noeviction`)
 * apart from recomputable data (`allkeys-lru`).
 */
export class CacheTiers extends Construct {
  readonly tiers: readonly CacheTier[];

  constructor(scope: Construct, id: string, props: CacheTiersProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.tiers = Object.entries(props.config.tiers).map(([name, config]) => {
      // The construct ID is the tier name: renaming a tier in config replaces it (the pinned-ID test says so).
      const tier = new CacheTier(this, pascal(name), {
        name,
        config,
        vpc: props.vpc,
        subnets: props.subnets,
        encryptionKey: props.encryptionKey,
        logRetentionDays: props.config.logRetentionDays,
        production: props.production,
      });
      const out = (field: Parameters<typeof Outputs.cacheTier>[1], value: string, description: string) =>
        publish(stack, props.appName, props.environmentName, Outputs.cacheTier(name, field), value, `${name} cache tier: ${description}`);
      out('PrimaryEndpoint', tier.primaryEndpoint, 'primary endpoint (writes), TLS and AUTH required');
      out('ReaderEndpoint', tier.readerEndpoint, 'reader endpoint (reads from replicas; may lag the primary)');
      out('Port', String(tier.port), 'port');
      out('SecretArn', tier.authSecret.secretArn, 'ARN of the secret whose SecretString is the AUTH token');
      out('ReplicationGroupId', tier.replicationGroupId, 'replication group ID');
      out('ParameterGroupName', tier.parameterGroupName, 'parameter group (eviction policy and memory settings)');
      return tier;
    });
  }

  /** The tier named `name` in config; throws, listing the tiers, when there is none. */
  tier(name: string): CacheTier {
    const found = this.tiers.find((t) => t.name === name);
    if (!found)
      throw new Error(`No cache tier "${name}": the tiers are ${this.tiers.map((t) => t.name).join(', ')} (cache.tiers in config)`);
    return found;
  }
}

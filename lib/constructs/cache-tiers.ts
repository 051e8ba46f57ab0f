import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { pascal } from '../outputs';
import type { LogGroupPolicy } from './encryption';
import { CacheTier, type CacheTierProps } from './cache-tier';

/** One tier as `CacheTiers` builds it: everything but what all tiers share. */
export type CacheTierSpec = Omit<CacheTierProps, 'vpc' | 'subnets' | 'encryptionKey' | 'logRetentionDays' | 'logGroupPolicy'>;

export interface CacheTiersProps {
  /** The tiers, in order; each tier's construct ID is its name in PascalCase. */
  readonly tiers: readonly CacheTierSpec[];
  readonly vpc: ec2.IVpc;
  /** The isolated subnets (`network.dataSubnets`). */
  readonly subnets: ec2.SubnetSelection;
  /** The data stack's cache key: data at rest, AUTH secrets and logs. */
  readonly encryptionKey: kms.IKey;
  /** Days to keep every tier's slow and engine logs. */
  readonly logRetentionDays: number;
  /**
   * Removal of the AUTH secrets and log groups, and whether a log retention under a year is acknowledged.
   * @default - retained; short retention not acknowledged
   */
  readonly logGroupPolicy?: LogGroupPolicy;
}

/**
 * Every cache tier of the environment, one replication group each. One cache with one eviction policy logged
 * users out when memory filled; tiers keep sessions (`noeviction`) apart from recomputable data (`allkeys-lru`).
 */
export class CacheTiers extends Construct {
  readonly tiers: readonly CacheTier[];

  constructor(scope: Construct, id: string, props: CacheTiersProps) {
    super(scope, id);
    const names = props.tiers.map((t) => t.name);
    const repeated = names.filter((n, i) => names.indexOf(n) !== i);
    if (repeated.length > 0)
      throw new Error(`CacheTiers ${this.node.path}: expected unique tier names, got ${repeated.join(', ')} more than once`);
    this.tiers = props.tiers.map(
      (spec) =>
        // The construct ID is the tier name: renaming a tier in config replaces it (the pinned-ID test says so).
        new CacheTier(this, pascal(spec.name), {
          ...spec,
          vpc: props.vpc,
          subnets: props.subnets,
          encryptionKey: props.encryptionKey,
          logRetentionDays: props.logRetentionDays,
          logGroupPolicy: props.logGroupPolicy,
        }),
    );
  }

  /** The tier named `name`; throws, listing the tiers, when there is none. */
  tier(name: string): CacheTier {
    const found = this.tiers.find((t) => t.name === name);
    if (!found)
      throw new Error(`No cache tier "${name}": the tiers are ${this.tiers.map((t) => t.name).join(', ')} (cache.tiers in config)`);
    return found;
  }
}

import { Construct } from 'constructs';
import type { AppConfig } from '../../config/schema';
import { CacheTiers } from '../constructs/cache-tiers';
import { EncryptionKey } from '../constructs/encryption';
import type { Network } from '../constructs/network';
import { EnvironmentStack } from './environment-stack';

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
  /** The cache tiers from `cache.tiers`; `caches.tier('critical')` is the handle the services use. */
  readonly caches: CacheTiers;

  constructor(scope: Construct, props: DataStackProps) {
    const { config } = props;
    super(scope, 'Data', {
      config,
      description: `${config.app.name} ${config.environment.name}: PostgreSQL writer and readers, RDS Proxy, cache tiers (stateful)`,
      terminationProtection: config.environment.production,
    });
    const production = config.environment.production;
    // One key per data store, so that a key policy (or a compromised grant) reaches one store only.
    this.databaseKey = new EncryptionKey(this, 'DatabaseKey', {
      description: 'Encrypts the PostgreSQL database, its secret and logs',
      production,
      forCloudWatchLogs: true,
    });
    this.cacheKey = new EncryptionKey(this, 'CacheKey', {
      description: 'Encrypts the cache tiers, their AUTH secrets and logs',
      production,
      forCloudWatchLogs: true,
    });
    this.caches = new CacheTiers(this, 'Cache', {
      config: config.cache,
      vpc: props.network.vpc,
      subnets: props.network.dataSubnets,
      encryptionKey: this.cacheKey,
      production,
      appName: config.app.name,
      environmentName: config.environment.name,
    });
  }
}

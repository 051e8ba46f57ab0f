import { Construct } from 'constructs';
import type { AppConfig } from '../../config/schema';
import { EncryptionKey } from '../constructs/encryption';
import type { CacheTierEndpoints, DatabaseEndpoints } from '../constructs/handles';
import type { Network } from '../constructs/network';
import { StandInData } from '../constructs/stand-in-data';
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
  /** The database endpoints the service tier connects to. */
  readonly database: DatabaseEndpoints;
  /** The cache tiers, each with its endpoints. */
  readonly caches: { readonly tiers: readonly CacheTierEndpoints[] };

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

    // ---- TEMPORARY stand-in (lib/constructs/stand-in-data.ts): replace with the real database and cache
    // ---- constructs at merge. It lets the service tier build against the handles before they land.
    const standIn = new StandInData(this, 'StandIn', { vpc: props.network.vpc, databaseKey: this.databaseKey, cacheKey: this.cacheKey });
    this.database = standIn.database;
    this.caches = standIn.caches;
    // ---- end of the TEMPORARY stand-in
  }
}

/**
 * The environment variables through which a container learns where a cache tier is: the one source of the
 * `CACHE_<TIER>_*` names, used by the service construct and described in docs/cache.md.
 */
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { CacheTierEndpoints } from './handles';

export interface CacheEnvNames {
  readonly primaryEndpoint: string;
  readonly readerEndpoint: string;
  readonly port: string;
  /** Always `true`: ElastiCache accepts an AUTH token only with in-transit encryption on, so every tier speaks TLS. */
  readonly tls: string;
  /** Injected from the tier's secret (an ECS secret), never as a plain variable. */
  readonly authToken: string;
}

/** The variable names for tier `name`: upper case, hyphens as underscores (`rate-limit` is `CACHE_RATE_LIMIT_*`). */
export function cacheEnvNames(name: string): CacheEnvNames {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) {
    throw new Error(`expected a cache tier name of lowercase letters, digits and hyphens, got ${JSON.stringify(name)}`);
  }
  const prefix = `CACHE_${name.toUpperCase().replace(/-/g, '_')}_`;
  return {
    primaryEndpoint: `${prefix}PRIMARY_ENDPOINT`,
    readerEndpoint: `${prefix}READER_ENDPOINT`,
    port: `${prefix}PORT`,
    tls: `${prefix}TLS`,
    authToken: `${prefix}AUTH_TOKEN`,
  };
}

export interface CacheContainerEnvironment {
  /** Plain variables: endpoints, port and TLS. */
  readonly environment: Record<string, string>;
  /** Variables filled from secrets (wrap each with `ecs.Secret.fromSecretsManager`). */
  readonly secrets: Record<string, secretsmanager.ISecret>;
}

/** The variables of one or more tiers, ready for a container definition (the service construct uses it). */
export function cacheContainerEnvironment(tiers: readonly CacheTierEndpoints[]): CacheContainerEnvironment {
  const environment: Record<string, string> = {};
  const secrets: Record<string, secretsmanager.ISecret> = {};
  for (const tier of tiers) {
    const names = cacheEnvNames(tier.name);
    environment[names.primaryEndpoint] = tier.primaryEndpoint;
    environment[names.readerEndpoint] = tier.readerEndpoint;
    environment[names.port] = String(tier.port);
    environment[names.tls] = 'true';
    secrets[names.authToken] = tier.authSecret;
  }
  return { environment, secrets };
}

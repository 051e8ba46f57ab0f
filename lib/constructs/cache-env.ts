/**
 * The environment variables through which a container learns where a cache tier is. Pure and shared, so the
 * service layer and the documentation agree on the names: `CACHE_CRITICAL_PRIMARY_ENDPOINT`, ...
 */
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { CacheTierEndpoints } from './handles';

export interface CacheEnvNames {
  readonly primaryEndpoint: string;
  readonly readerEndpoint: string;
  readonly port: string;
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
    authToken: `${prefix}AUTH_TOKEN`,
  };
}

export interface CacheContainerEnvironment {
  /** Plain variables: endpoints and port. */
  readonly environment: Record<string, string>;
  /** Variables filled from secrets (wrap each with `ecs.Secret.fromSecretsManager`). */
  readonly secrets: Record<string, secretsmanager.ISecret>;
}

/** The variables of one or more tiers, ready for a container definition. */
export function cacheContainerEnvironment(tiers: readonly CacheTierEndpoints[]): CacheContainerEnvironment {
  const environment: Record<string, string> = {};
  const secrets: Record<string, secretsmanager.ISecret> = {};
  for (const tier of tiers) {
    const names = cacheEnvNames(tier.name);
    environment[names.primaryEndpoint] = tier.primaryEndpoint;
    environment[names.readerEndpoint] = tier.readerEndpoint;
    environment[names.port] = String(tier.port);
    secrets[names.authToken] = tier.authSecret;
  }
  return { environment, secrets };
}

import { Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { cacheContainerEnvironment, cacheEnvNames } from '../lib/cache-env';
import type { CacheTierEndpoints } from '../lib/handles';

describe('cache environment variables', () => {
  test('name the tier in upper case', () => {
    expect(cacheEnvNames('critical')).toEqual({
      primaryEndpoint: 'CACHE_CRITICAL_PRIMARY_ENDPOINT',
      readerEndpoint: 'CACHE_CRITICAL_READER_ENDPOINT',
      port: 'CACHE_CRITICAL_PORT',
      tls: 'CACHE_CRITICAL_TLS',
      authToken: 'CACHE_CRITICAL_AUTH_TOKEN',
    });
  });

  test('turn hyphens into underscores, since a variable name cannot hold a hyphen', () => {
    expect(cacheEnvNames('rate-limit').primaryEndpoint).toBe('CACHE_RATE_LIMIT_PRIMARY_ENDPOINT');
  });

  test('fails on a name that would not make a variable name', () => {
    expect(() => cacheEnvNames('Hot Tier')).toThrow('expected a cache tier name of lowercase letters, digits and hyphens, got "Hot Tier"');
  });

  test('a container gets endpoints and port as variables, and the AUTH token only as a secret', () => {
    const secret = new secretsmanager.Secret(new Stack(), 'Token');
    const tier: CacheTierEndpoints = {
      name: 'hot',
      evictionPolicy: 'allkeys-lru',
      primaryEndpoint: 'primary.example',
      readerEndpoint: 'reader.example',
      port: 6379,
      authSecret: secret,
      allowFrom: () => undefined,
    };
    expect(cacheContainerEnvironment([tier])).toEqual({
      environment: {
        CACHE_HOT_PRIMARY_ENDPOINT: 'primary.example',
        CACHE_HOT_READER_ENDPOINT: 'reader.example',
        CACHE_HOT_PORT: '6379',
        CACHE_HOT_TLS: 'true',
      },
      secrets: { CACHE_HOT_AUTH_TOKEN: secret },
    });
  });
});

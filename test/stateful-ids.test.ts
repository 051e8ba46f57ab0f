/**
 * Logical IDs of stateful resources are API: a renamed construct ID replaces the resource and loses its data.
 * This list is the pin. A change to it must be deliberate (and, for an existing environment, come with a
 * migration plan), so the test fails on any stateful resource added, renamed or removed.
 */
import { type AppConfig, listEnvironments } from '../config/load';
import type { EnvironmentStacks } from '../lib/app';
import { isStatefulType } from '../lib/stateful';
import { synth } from './support/synth';

const PINNED: Record<keyof EnvironmentStacks, string[]> = {
  network: ['AWS::KMS::Key NetworkLogsKey573F0F74', 'AWS::Logs::LogGroup NetworkFlowLogs2BEC3212'],
  data: [
    'AWS::KMS::Key CacheKeyA9E311EC',
    'AWS::KMS::Key DatabaseKey7576F140',
    // TEMPORARY stand-in (lib/constructs/stand-in-data.ts), not API: these three go when the real database and
    // cache constructs replace it at merge.
    'AWS::SecretsManager::Secret StandInCachecriticalAuthTokenA9DF3CEC',
    'AWS::SecretsManager::Secret StandInCachehotAuthToken5FFF4DB7',
    'AWS::SecretsManager::Secret StandInDatabaseSecret14039C74',
  ],
  service: [
    'AWS::KMS::Key LogsKeyA6AB43B2',
    // One log group per service, named after the service in config (services.api).
    'AWS::Logs::LogGroup ApiServiceLogsF0BB2264',
    'AWS::Logs::LogGroup LoadBalancerWafLogs55232163',
    'AWS::S3::Bucket LoadBalancerAccessLogsAudit709881EF',
    'AWS::S3::Bucket LoadBalancerAccessLogsB27DFC85',
  ],
  monitoring: ['AWS::KMS::Key AlarmTopicKeyBA1A4AA7'],
};

/** Pinned resources that exist only where configuration turns their feature on. */
const PINNED_WHEN: Record<string, (config: AppConfig) => boolean> = {
  'AWS::Logs::LogGroup LoadBalancerWafLogs55232163': (config) => config.loadBalancer.waf,
};

function statefulResources(template: { toJSON(): Record<string, unknown> }): string[] {
  const resources = (template.toJSON().Resources ?? {}) as Record<string, { Type: string }>;
  return Object.entries(resources)
    .filter(([, r]) => isStatefulType(r.Type))
    .map(([id, r]) => `${r.Type} ${id}`)
    .sort();
}

describe.each(listEnvironments())('stateful logical IDs in %s', (env) => {
  test.each(Object.keys(PINNED) as (keyof EnvironmentStacks)[])('%s stack: pinned', (layer) => {
    const { config } = synth(env);
    const expected = PINNED[layer].filter((id) => PINNED_WHEN[id]?.(config) ?? true);
    expect(statefulResources(synth(env).template(layer))).toEqual(expected.sort());
  });
});

/**
 * Logical IDs of stateful resources are API: a renamed construct ID replaces the resource and loses its data.
 * This list is the pin. A change to it must be deliberate (and, for an existing environment, come with a
 * migration plan), so the test fails on any stateful resource added, renamed or removed.
 */
import { listEnvironments } from '../config/load';
import type { EnvironmentStacks } from '../lib/app';
import { isStatefulType } from '../lib/stateful';
import { synth } from './support/synth';

/** The default cache tiers: a tier's name is part of these IDs, so renaming a tier in config replaces it. */
const CACHE_TIERS = [
  'AWS::ElastiCache::ReplicationGroup CacheCritical1856EE0E',
  'AWS::SecretsManager::Secret CacheCriticalAuthTokenF18D8454',
  'AWS::Logs::LogGroup CacheCriticalEngineLogF1A4EB99',
  'AWS::Logs::LogGroup CacheCriticalSlowLog3280B72F',
  'AWS::ElastiCache::ReplicationGroup CacheHot9A17CE8A',
  'AWS::SecretsManager::Secret CacheHotAuthToken9AFFDCC0',
  'AWS::Logs::LogGroup CacheHotEngineLog8E20F67B',
  'AWS::Logs::LogGroup CacheHotSlowLogB882BEBF',
];

const PINNED: Record<keyof EnvironmentStacks, string[]> = {
  network: ['AWS::KMS::Key NetworkLogsKey573F0F74', 'AWS::Logs::LogGroup NetworkFlowLogs2BEC3212'],
  data: ['AWS::KMS::Key CacheKeyA9E311EC', 'AWS::KMS::Key DatabaseKey7576F140', ...CACHE_TIERS],
  service: [],
  monitoring: ['AWS::KMS::Key AlarmTopicKeyBA1A4AA7'],
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
    expect(statefulResources(synth(env).template(layer))).toEqual([...PINNED[layer]].sort());
  });
});

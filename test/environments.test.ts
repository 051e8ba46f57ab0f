/**
 * Whole-environment specifications, for every file in config/environments/: each environment synthesizes
 * with no unacknowledged compliance finding and passes aws-cdk-lib's own template validator, matches its
 * snapshots, and keeps the logical IDs of its stateful resources. One file, so that each environment is synthesized once for all three.
 *
 * Snapshots: the serializer masks asset hashes and CDK versions, so a snapshot changes only when the
 * infrastructure does; review the diff of a changed snapshot like code.
 *
 * Logical IDs of stateful resources are API: a renamed construct ID replaces the resource and loses its data.
 * The PINNED lists are the pin. A change to them must be deliberate (and, for an existing environment, come
 * with a migration plan), so the test fails on any stateful resource added, renamed or removed.
 */
import { CloudFormationValidatePlugin, type Stack } from 'aws-cdk-lib';
import { type AppConfig, listEnvironments, loadEnvironment } from '../config/load';
import { chaosEnabled } from '../config/schema/chaos-rules';
import { resolveStrategy } from '../config/schema/rollout';
import { buildEnvironment, type EnvironmentStacks } from '../lib/app';
import { isStatefulType } from '../lib/stateful';
import * as fs from 'fs';
import * as path from 'path';
import { configOf, FULL_COMPLIANCE, newApp, synth } from './support/synth';

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
  data: [
    'AWS::KMS::Key CacheKeyA9E311EC',
    'AWS::KMS::Key DatabaseKey7576F140',
    // The identity bootstrap function's log group (lib/constructs/database-identities.ts).
    'AWS::Logs::LogGroup DatabaseIdentitiesLogs3B94611E',
    ...CACHE_TIERS,
    // The AWS Backup vault of the environment and its key (recovery in config).
    'AWS::Backup::BackupVault BackupVault3721185B',
    'AWS::KMS::Key BackupVaultKeyA286A54F',
  ],
  service: [
    'AWS::KMS::Key LogsKeyA6AB43B2',
    // One log group per service, named after the service in config (services.api).
    'AWS::Logs::LogGroup ApiServiceLogsF0BB2264',
    // The pre-traffic hook's logs, where a service has a hook and a traffic-shifting strategy (staging, prod).
    'AWS::Logs::LogGroup ApiServicePreTrafficHookLogs0E6D2481',
    // The schema migration function's logs, where the service owns its schema (database access read-write).
    'AWS::Logs::LogGroup ApiServiceSchemaMigrationLogs6E57EA62',
    'AWS::Logs::LogGroup LoadBalancerWafLogs55232163',
    'AWS::S3::Bucket LoadBalancerAccessLogsAudit709881EF',
    'AWS::S3::Bucket LoadBalancerAccessLogsB27DFC85',
  ],
  monitoring: ['AWS::KMS::Key AlarmTopicKeyBA1A4AA7'],
  // Only where experiments are enabled (not prod, which does not opt in).
  chaos: ['AWS::KMS::Key LogsKeyA6AB43B2', 'AWS::Logs::LogGroup Logs6819BB44'],
  // Only where recovery.crossRegionCopy.region is set (PINNED_WHEN).
  backupCopy: ['AWS::Backup::BackupVault CopyVaultA75F78D8', 'AWS::KMS::Key CopyVaultKeyD618E163'],
};

/** Pinned resources that exist only where configuration turns their feature on. */
const PINNED_WHEN: Record<string, (config: AppConfig) => boolean> = {
  'AWS::Logs::LogGroup LoadBalancerWafLogs55232163': (config) => config.loadBalancer.waf,
  'AWS::Backup::BackupVault CopyVaultA75F78D8': (config) => config.recovery.crossRegionCopy.region !== undefined,
  'AWS::KMS::Key CopyVaultKeyD618E163': (config) => config.recovery.crossRegionCopy.region !== undefined,
  'AWS::Logs::LogGroup ApiServiceSchemaMigrationLogs6E57EA62': (config) => config.services.api?.database.access === 'read-write',
  'AWS::Logs::LogGroup ApiServicePreTrafficHookLogs0E6D2481': (config) =>
    config.services.api?.deployment.preTrafficHook !== undefined &&
    resolveStrategy(config.services.api.deployment.strategy, config.environment.production) !== 'rolling',
};

/** The database's stateful resources per environment (Aurora): prod has a second reader. */
const AURORA_WITH_ONE_READER = [
  'AWS::Logs::LogGroup DatabasePostgresqlLogs0EEFD61B',
  'AWS::RDS::DBCluster DatabaseCluster5B53A178',
  'AWS::RDS::DBInstance DatabaseClusterReader1D8B76102',
  'AWS::RDS::DBInstance DatabaseClusterWriterD43085C6',
  'AWS::SecretsManager::Secret DatabaseSecret3B817195',
];
const DATABASE: Record<string, string[]> = {
  dev: AURORA_WITH_ONE_READER,
  staging: AURORA_WITH_ONE_READER,
  prod: [...AURORA_WITH_ONE_READER, 'AWS::RDS::DBInstance DatabaseClusterReader26C65DE14'],
};

function pinned(env: string, layer: keyof EnvironmentStacks): string[] {
  const { config } = synth(env);
  return [...PINNED[layer], ...(layer === 'data' ? (DATABASE[env] ?? []) : [])].filter((id) => PINNED_WHEN[id]?.(config) ?? true).sort();
}

function statefulResources(template: { toJSON(): Record<string, unknown> }): string[] {
  const resources = (template.toJSON().Resources ?? {}) as Record<string, { Type: string }>;
  return Object.entries(resources)
    .filter(([, r]) => isStatefulType(r.Type))
    .map(([id, r]) => `${r.Type} ${id}`)
    .sort();
}

describe.each(listEnvironments())('stateful logical IDs in %s', (env) => {
  test.each(Object.keys(PINNED) as (keyof EnvironmentStacks)[])('%s stack: pinned', (layer) => {
    const built = synth(env);
    if (layer === 'chaos' && !chaosEnabled(built.config)) {
      expect(built.hasStack('chaos')).toBe(false);
      return;
    }
    // A stack the configuration does not ask for (the copy vault without a copy region) holds nothing.
    const found = built.hasStack(layer) ? statefulResources(built.template(layer)) : [];
    expect(found).toEqual(pinned(env, layer));
  });
});

test('data stack with engine postgres: pinned', () => {
  const data = synth(configOf('prod', { database: { engine: 'postgres' } })).template('data');
  expect(statefulResources(data)).toEqual(
    [
      ...PINNED.data,
      'AWS::Logs::LogGroup DatabaseReplica1PostgresqlLogs6343FDC3',
      'AWS::Logs::LogGroup DatabaseReplica1UpgradeLogsB6609B07',
      'AWS::Logs::LogGroup DatabaseReplica2PostgresqlLogsBA1CE878',
      'AWS::Logs::LogGroup DatabaseReplica2UpgradeLogs741CEC8A',
      'AWS::Logs::LogGroup DatabaseWriterPostgresqlLogs15BCE633',
      'AWS::Logs::LogGroup DatabaseWriterUpgradeLogsAB35B338',
      'AWS::RDS::DBInstance DatabasePrimaryEDE0B3D0',
      'AWS::RDS::DBInstance DatabaseReplica1ED560A1F',
      'AWS::RDS::DBInstance DatabaseReplica2035311FF',
      'AWS::SecretsManager::Secret DatabaseSecret3B817195',
    ].sort(),
  );
});

/** Runs `fn` with aws-cdk-lib's template validator on, as it is outside the test suite. */
function withBuiltinValidation<T>(fn: () => T): T {
  const before = process.env.CDK_VALIDATION;
  delete process.env.CDK_VALIDATION;
  try {
    return fn();
  } finally {
    if (before !== undefined) process.env.CDK_VALIDATION = before;
  }
}

const LAYERS: (keyof EnvironmentStacks)[] = ['network', 'data', 'service', 'monitoring', 'chaos'];

describe.each(listEnvironments())('%s environment', (env) => {
  test("synthesizes with no unacknowledged finding from any rule pack (AwsSolutions, NIST 800-53 R5, HIPAA, PCI DSS 3.2.1, Control Tower) or aws-cdk-lib's template validator", () => {
    // The whole gate, as `cdk synth` runs it: the suite's other syntheses leave out the cdk-nag packs and the
    // Control Tower controls (SUITE_COMPLIANCE), aws-cdk-lib's own template validator (test/support/synth-setup.ts),
    // the creation stack traces and the construct tree's metadata (SUITE_APP_CONTEXT and SUITE_TREE_METADATA,
    // test/support/shortcuts.ts).
    const app = newApp({ suiteContext: false });
    const stacks = buildEnvironment(app, loadEnvironment(env), FULL_COMPLIANCE);
    const assembly = withBuiltinValidation(() => app.synth());
    // None of them changes a template: the suite's templates of this environment are these, byte for byte.
    for (const [layer, stack] of Object.entries(stacks) as [keyof EnvironmentStacks, Stack | undefined][]) {
      if (stack)
        expect(JSON.stringify(synth(env).template(layer).toJSON())).toBe(JSON.stringify(assembly.getStackByName(stack.stackName).template));
    }
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
    const reports = report.pluginReports as { pluginName: string; conclusion: string; violations?: unknown[] }[];
    // `npm run compliance:findings -- ENV` lists the findings with their resources and fixes when this fails.
    expect(reports.map((r) => r.pluginName)).toEqual(expect.arrayContaining(['cfn-guard', CloudFormationValidatePlugin.PLUGIN_NAME]));
    expect(reports.flatMap((r) => r.violations ?? [])).toEqual([]);
    expect(reports.filter((r) => r.conclusion !== 'success').map((r) => r.pluginName)).toEqual([]);
  });

  test.each(LAYERS)('%s stack matches its snapshot', (layer) => {
    // An environment without experiments has no Chaos stack: its snapshot is null.
    const built = synth(env);
    expect(built.hasStack(layer) ? built.template(layer).toJSON() : null).toMatchSnapshot();
  });

  test('the backup copy stack, where there is one, matches its snapshot', () => {
    const built = synth(env);
    expect(built.hasStack('backupCopy') ? built.template('backupCopy').toJSON() : 'no copy region').toMatchSnapshot();
  });
});

/**
 * Specifications of the cache tiers: one Valkey replication group per tier of `cache.tiers`, each with its
 * own eviction policy, encryption, AUTH, placement, logs and outputs, and the data-safety rules around them.
 */
import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import dev from '../config/environments/dev';
import { type EnvironmentOverrides, resolveConfig } from '../config/load';
import { buildEnvironment } from '../lib/app';
import { AUTH_TOKEN_EXCLUDED_CHARACTERS } from '../lib/constructs/cache-tier';
import { Outputs, parameterName } from '../lib/outputs';
import { configOf, newApp, SUITE_COMPLIANCE, synth } from './support/synth';
import { RATELIMIT_TIER } from './support/fixtures';

/** Resources of `type` that belong to the cache tiers (the Data stack also holds the database). */
function cacheResources(template: Template, type: string): string[] {
  return Object.keys(template.findResources(type)).filter((id) => id.startsWith('Cache'));
}

/** Ingress rules attached to a cache tier's security group, wherever they are declared. */
function ingressIntoCache(template: Template): unknown[] {
  return Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).filter((r) =>
    JSON.stringify(r.Properties.GroupId).includes('Cache'),
  );
}

const RG = 'AWS::ElastiCache::ReplicationGroup';
const PG = 'AWS::ElastiCache::ParameterGroup';

/** The resource of `type` whose logical ID is `prefix` and a hash (`CacheCriticalParameters` finds `CacheCriticalParameters75BEBDC1`). */
function resourceAt(
  template: Template,
  type: string,
  prefix: string,
): [string, { Properties: Record<string, unknown>; [k: string]: unknown }] {
  const found = Object.entries(template.findResources(type)).filter(([id]) => new RegExp(`^${prefix}[0-9A-F]{8}$`).test(id));
  expect(found).toHaveLength(1);
  return found[0] as [string, { Properties: Record<string, unknown> }];
}

const tierGroup = (template: Template, tier: string) => resourceAt(template, RG, `Cache${tier}`)[1];

const RATELIMIT: EnvironmentOverrides = { cache: { tiers: { ratelimit: RATELIMIT_TIER } } };

describe('cache tiers', () => {
  test('each tier has its own parameter group holding its eviction policy, in the family of its engine version', () => {
    const data = synth('prod').template('data');
    data.resourceCountIs(RG, 2);
    data.resourceCountIs(PG, 2);
    const critical = resourceAt(data, PG, 'CacheCriticalParameters');
    const hot = resourceAt(data, PG, 'CacheHotParameters');
    expect(critical[1].Properties).toMatchObject({
      CacheParameterGroupFamily: 'valkey8',
      Properties: { 'maxmemory-policy': 'noeviction', 'reserved-memory-percent': '25', 'cluster-enabled': 'no' },
    });
    expect(hot[1].Properties).toMatchObject({ Properties: { 'maxmemory-policy': 'allkeys-lru' } });
    expect(tierGroup(data, 'Critical').Properties).toMatchObject({
      Engine: 'valkey',
      EngineVersion: '8.0',
      CacheParameterGroupName: { Ref: critical[0] },
    });
    expect(tierGroup(data, 'Hot').Properties.CacheParameterGroupName).toEqual({ Ref: hot[0] });
  });

  test('data is encrypted at rest with the cache key and in transit, with TLS required', () => {
    const data = synth('prod').template('data');
    const [cacheKey] = resourceAt(data, 'AWS::KMS::Key', 'CacheKey');
    data.allResourcesProperties(RG, {
      AtRestEncryptionEnabled: true,
      KmsKeyId: { 'Fn::GetAtt': [cacheKey, 'Arn'] },
      TransitEncryptionEnabled: true,
      TransitEncryptionMode: 'required',
    });
  });

  test("clients authenticate with an AUTH token from the tier's own secret, encrypted with the cache key", () => {
    const data = synth('prod').template('data');
    const [cacheKey] = resourceAt(data, 'AWS::KMS::Key', 'CacheKey');
    const [secretId, secret] = resourceAt(data, 'AWS::SecretsManager::Secret', 'CacheCriticalAuthToken');
    expect(secret.Properties).toMatchObject({
      KmsKeyId: { 'Fn::GetAtt': [cacheKey, 'Arn'] },
      GenerateSecretString: { PasswordLength: 64, ExcludeCharacters: AUTH_TOKEN_EXCLUDED_CHARACTERS, IncludeSpace: false },
    });
    expect(tierGroup(data, 'Critical').Properties.AuthToken).toEqual({
      'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:::}}']],
    });
    expect(cacheResources(data, 'AWS::SecretsManager::Secret')).toHaveLength(2);
  });

  test('the generated token uses only characters ElastiCache accepts: letters, digits and !&#$^<>-', () => {
    const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));
    const generated = printable.filter((c) => c !== ' ' && !AUTH_TOKEN_EXCLUDED_CHARACTERS.includes(c));
    expect(generated.filter((c) => !/[A-Za-z0-9]/.test(c)).sort()).toEqual([...'!#$&-<>^'].sort());
  });

  test('prod tiers are Multi-AZ with automatic failover and two replicas each, on the node type of each tier', () => {
    const data = synth('prod').template('data');
    data.allResourcesProperties(RG, { MultiAZEnabled: true, AutomaticFailoverEnabled: true, NumCacheClusters: 3, ClusterMode: 'disabled' });
    expect(tierGroup(data, 'Critical').Properties.CacheNodeType).toBe('cache.r7g.large');
    expect(tierGroup(data, 'Hot').Properties.CacheNodeType).toBe('cache.r7g.xlarge');
  });

  test('dev tiers are single small nodes without failover, as configured', () => {
    synth('dev').template('data').allResourcesProperties(RG, {
      MultiAZEnabled: false,
      AutomaticFailoverEnabled: false,
      NumCacheClusters: 1,
      CacheNodeType: 'cache.t4g.small',
    });
  });

  test('a tier with replicas fails over automatically even where Multi-AZ is off', () => {
    const config = configOf('dev', { cache: { tiers: { hot: { replicas: 1 } } } });
    expect(tierGroup(synth(config).template('data'), 'Hot').Properties).toMatchObject({
      NumCacheClusters: 2,
      AutomaticFailoverEnabled: true,
      MultiAZEnabled: false,
    });
  });

  test('cluster mode spreads the tier over shards and hands out the configuration endpoint', () => {
    const config = configOf('prod', { cache: { tiers: { hot: { clusterMode: true, shards: 3 } } } });
    const { stacks } = synth(config);
    const data = synth(config).template('data');
    expect(tierGroup(data, 'Hot').Properties).toMatchObject({
      ClusterMode: 'enabled',
      NumNodeGroups: 3,
      ReplicasPerNodeGroup: 2,
      AutomaticFailoverEnabled: true,
    });
    expect(tierGroup(data, 'Hot').Properties.NumCacheClusters).toBeUndefined();
    expect(resourceAt(data, PG, 'CacheHotParameters')[1].Properties).toMatchObject({ Properties: { 'cluster-enabled': 'yes' } });
    const hot = stacks.data.cacheTiers.tier('hot');
    const resolve = (v: string) => stacks.data.resolve(v) as unknown;
    expect(resolve(hot.primaryEndpoint)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^CacheHot/), 'ConfigurationEndPoint.Address'] });
    expect(resolve(hot.readerEndpoint)).toEqual(resolve(hot.primaryEndpoint));
    expect(hot.nodeIds).toHaveLength(9);
    expect(resolve(hot.nodeIds[8])).toEqual({ 'Fn::Join': ['', [{ Ref: expect.stringMatching(/^CacheHot/) }, '-0003-003']] });
  });

  test('each tier lives in its own subnet group in the isolated subnets', () => {
    const data = synth('prod').template('data');
    const groups = Object.values(data.findResources('AWS::ElastiCache::SubnetGroup'));
    expect(groups).toHaveLength(2);
    for (const group of groups) {
      const ids = group.Properties.SubnetIds as { 'Fn::GetStackOutput': { StackName: string; OutputName: string } }[];
      expect(ids).toHaveLength(3);
      for (const id of ids) {
        expect(id['Fn::GetStackOutput']).toMatchObject({
          StackName: 'ScaledApp-prod-Network',
          OutputName: expect.stringMatching(/NetworkVpcisolatedSubnet\dSubnet/),
        });
      }
    }
  });

  test('each tier has its own security group that sends nothing and admits only the data-clients group the services wear', () => {
    const data = synth('prod').template('data');
    const [sgId, sg] = resourceAt(data, 'AWS::EC2::SecurityGroup', 'CacheCriticalSecurityGroup');
    const [clientsId] = resourceAt(data, 'AWS::EC2::SecurityGroup', 'DataClientsSecurityGroup');
    expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
    expect(sg.Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32' })]);
    expect(tierGroup(data, 'Critical').Properties.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [sgId, 'GroupId'] }]);
    // One rule per tier, beside the tier's group in this stack: removing the tier removes its rule with it.
    expect(ingressIntoCache(data)).toEqual([
      expect.objectContaining({
        Properties: expect.objectContaining({ FromPort: 6379, SourceSecurityGroupId: { 'Fn::GetAtt': [clientsId, 'GroupId'] } }),
      }),
      expect.objectContaining({
        Properties: expect.objectContaining({ FromPort: 6379, SourceSecurityGroupId: { 'Fn::GetAtt': [clientsId, 'GroupId'] } }),
      }),
    ]);
  });

  test('allowFrom admits a service on the tier port, with the rule in the service stack (no dependency cycle)', () => {
    const app = newApp();
    const { data, service } = buildEnvironment(app, configOf('dev'), SUITE_COMPLIANCE);
    const serviceSg = new ec2.SecurityGroup(service, 'WebSg', { vpc: service.cluster.vpc });
    data.cacheTiers.tier('critical').allowFrom(serviceSg);
    app.synth();
    Template.fromStack(service).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 6379,
      ToPort: 6379,
      GroupId: { 'Fn::GetStackOutput': Match.objectLike({ OutputName: Match.stringLikeRegexp('CacheCriticalSecurityGroup') }) },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('WebSg'), 'GroupId'] },
    });
    // The Data stack holds only the data-clients group's rules: none names the Service stack's group.
    expect(ingressIntoCache(Template.fromStack(data)).filter((r) => !JSON.stringify(r).includes('DataClientsSecurityGroup'))).toEqual([]);
  });

  test('allowFrom also opens the way out for a client whose egress is restricted', () => {
    const app = newApp();
    const { data, service } = buildEnvironment(app, configOf('dev'), SUITE_COMPLIANCE);
    const serviceSg = new ec2.SecurityGroup(service, 'WebSg', { vpc: service.cluster.vpc, allowAllOutbound: false });
    data.cacheTiers.tier('hot').allowFrom(serviceSg);
    app.synth();
    Template.fromStack(service).hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      FromPort: 6379,
      DestinationSecurityGroupId: {
        'Fn::GetStackOutput': Match.objectLike({ OutputName: Match.stringLikeRegexp('CacheHotSecurityGroup') }),
      },
    });
  });

  test('slow and engine logs go, as JSON, to encrypted log groups with the configured retention', () => {
    const data = synth('prod').template('data');
    const [cacheKey] = resourceAt(data, 'AWS::KMS::Key', 'CacheKey');
    const [slowId, slow] = resourceAt(data, 'AWS::Logs::LogGroup', 'CacheCriticalSlowLog');
    const [engineId, engine] = resourceAt(data, 'AWS::Logs::LogGroup', 'CacheCriticalEngineLog');
    for (const group of [slow, engine]) {
      expect(group.Properties).toMatchObject({ RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [cacheKey, 'Arn'] } });
    }
    expect(slow.Properties.LogGroupName).toBe('/aws/vendedlogs/elasticache/ScaledApp-prod-Data/critical/slow-log');
    expect(tierGroup(data, 'Critical').Properties.LogDeliveryConfigurations).toEqual([
      {
        LogType: 'slow-log',
        LogFormat: 'json',
        DestinationType: 'cloudwatch-logs',
        DestinationDetails: { CloudWatchLogsDetails: { LogGroup: { Ref: slowId } } },
      },
      {
        LogType: 'engine-log',
        LogFormat: 'json',
        DestinationType: 'cloudwatch-logs',
        DestinationDetails: { CloudWatchLogsDetails: { LogGroup: { Ref: engineId } } },
      },
    ]);
    synth('dev').template('data').allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
  });

  test('each tier has a maintenance window and a snapshot window that do not overlap', () => {
    const data = synth('prod').template('data');
    expect(tierGroup(data, 'Critical').Properties).toMatchObject({
      PreferredMaintenanceWindow: 'sun:05:30-sun:06:30',
      SnapshotWindow: '02:00-03:00',
    });
    expect(tierGroup(data, 'Hot').Properties.PreferredMaintenanceWindow).toBe('sun:06:30-sun:07:30');
  });
});

describe('cache data safety', () => {
  test('prod snapshots the noeviction tier on delete and on replace, and keeps 15 days of daily snapshots', () => {
    const critical = tierGroup(synth('prod').template('data'), 'Critical');
    expect(critical.DeletionPolicy).toBe('Snapshot');
    expect(critical.UpdateReplacePolicy).toBe('Snapshot');
    expect(critical.Properties.SnapshotRetentionLimit).toBe(15);
  });

  test('prod lets the evicting tier go: its keys are recomputed, a restored snapshot would serve stale entries', () => {
    const hot = tierGroup(synth('prod').template('data'), 'Hot');
    expect(hot.DeletionPolicy).toBe('Delete');
    expect(hot.Properties.SnapshotRetentionLimit).toBe(0);
  });

  test('dev deletes every tier with the stack', () => {
    const data = synth('dev').template('data');
    expect(tierGroup(data, 'Critical').DeletionPolicy).toBe('Delete');
    expect(tierGroup(data, 'Hot').DeletionPolicy).toBe('Delete');
  });

  test('prod keeps the AUTH secrets and log groups when they leave the template', () => {
    const data = synth('prod').template('data');
    for (const type of ['AWS::SecretsManager::Secret', 'AWS::Logs::LogGroup']) {
      expect(Object.values(data.findResources(type)).map((r) => r.DeletionPolicy)).not.toContain('Delete');
    }
  });

  /** The data-stack diff between prod and prod with `change`, as `cdk diff` computes it. */
  function diffOf(change: EnvironmentOverrides) {
    const before = synth('prod').template('data').toJSON();
    const after = Template.fromJSON(synth(configOf('prod', change)).template('data').toJSON());
    return { diff: fullDiff(before, after.toJSON()), after };
  }
  const REPLACING = [ResourceImpact.WILL_REPLACE, ResourceImpact.MAY_REPLACE, ResourceImpact.WILL_DESTROY, ResourceImpact.WILL_ORPHAN];

  type TierChange = NonNullable<NonNullable<EnvironmentOverrides['cache']>['tiers']>[string];
  test.each<[string, TierChange]>([
    ['hot', { evictionPolicy: 'allkeys-lfu' }],
    ['critical', { reservedMemoryPercent: 30 }],
  ])('changing %s %j updates only its parameter group, in place', (tier, change) => {
    const { diff, after } = diffOf({ cache: { tiers: { [tier]: change } } });
    const construct = tier[0].toUpperCase() + tier.slice(1);
    const [pgId] = resourceAt(after, PG, `Cache${construct}Parameters`);
    const [rgId] = resourceAt(after, RG, `Cache${construct}`);
    expect(diff.resources.logicalIds).toEqual([pgId]);
    expect(diff.resources.get(pgId).changeImpact).toBe(ResourceImpact.WILL_UPDATE);
    expect(diff.resources.get(rgId).changeImpact).toBe(ResourceImpact.NO_CHANGE);
  });

  test('making the critical tier evicting updates its parameter group in place and replaces nothing', () => {
    const { diff, after } = diffOf({ cache: { tiers: { critical: { evictionPolicy: 'volatile-lru' } } } });
    const [pgId] = resourceAt(after, PG, 'CacheCriticalParameters');
    const [rgId] = resourceAt(after, RG, 'CacheCritical');
    expect(diff.resources.get(pgId).changeImpact).toBe(ResourceImpact.WILL_UPDATE);
    expect([ResourceImpact.NO_CHANGE, ResourceImpact.WILL_UPDATE]).toContain(diff.resources.get(rgId).changeImpact);
    for (const id of diff.resources.logicalIds) expect(REPLACING).not.toContain(diff.resources.get(id).changeImpact);
  });

  test('a change of parameter group family (an engine upgrade) replaces the parameter group, never the replication group', () => {
    const { diff, after } = diffOf({ cache: { tiers: { hot: { engineVersion: '7.2', parameterGroupFamily: 'valkey7' } } } });
    const [pgId] = resourceAt(after, PG, 'CacheHotParameters');
    const [rgId] = resourceAt(after, RG, 'CacheHot');
    expect(diff.resources.get(pgId).changeImpact).toBe(ResourceImpact.WILL_REPLACE);
    expect(diff.resources.get(rgId).changeImpact).toBe(ResourceImpact.WILL_UPDATE);
  });

  test('scaling replicas updates the replication group in place', () => {
    const before = synth('prod').template('data').toJSON();
    const after = synth(configOf('prod', { cache: { tiers: { hot: { replicas: 3 } } } }))
      .template('data')
      .toJSON();
    const [rgId] = resourceAt(Template.fromJSON(after), RG, 'CacheHot');
    expect(fullDiff(before, after).resources.get(rgId).changeImpact).toBe(ResourceImpact.WILL_UPDATE);
  });
});

describe('cache handles and outputs', () => {
  test('DataStack.cacheTiers hands out each tier by name, with its endpoints, port, secret and eviction policy', () => {
    const { stacks } = synth('prod');
    expect(stacks.data.cacheTiers.tiers.map((t) => t.name)).toEqual(['critical', 'hot']);
    const critical = stacks.data.cacheTiers.tier('critical');
    expect(critical.evictionPolicy).toBe('noeviction');
    expect(critical.port).toBe(6379);
    const resolve = (v: string) => stacks.data.resolve(v) as unknown;
    expect(resolve(critical.primaryEndpoint)).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^CacheCritical/), 'PrimaryEndPoint.Address'],
    });
    expect(resolve(critical.readerEndpoint)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^CacheCritical/), 'ReaderEndPoint.Address'] });
    expect(stacks.data.cacheTiers.tier('hot').evictionPolicy).toBe('allkeys-lru');
  });

  test('asking for a tier that does not exist fails, listing the tiers', () => {
    expect(() => synth('prod').stacks.data.cacheTiers.tier('sessions')).toThrow(
      'No cache tier "sessions": the tiers are critical, hot (cache.tiers in config)',
    );
  });

  test('monitoring gets replication group IDs, node IDs and the capacity figures of each tier', () => {
    const { stacks } = synth('prod');
    const critical = stacks.data.cacheTiers.tier('critical');
    expect(critical.nodeIds).toHaveLength(3);
    expect(stacks.data.resolve(critical.nodeIds[0])).toEqual({
      'Fn::Join': ['', [{ Ref: expect.stringMatching(/^CacheCritical/) }, '-001']],
    });
    expect(stacks.data.resolve(critical.replicationGroupId)).toEqual({ Ref: expect.stringMatching(/^CacheCritical/) });
    expect(critical.expectedKeys).toBe(2_000_000);
    expect(critical.capacity.maxKeys).toBeGreaterThan(critical.expectedKeys);
  });

  test.each(['critical', 'hot'])('the %s tier publishes endpoints, port, secret, group IDs as outputs and SSM parameters', (tier) => {
    const data = synth('prod').template('data');
    const fields = ['PrimaryEndpoint', 'ReaderEndpoint', 'Port', 'SecretArn', 'ReplicationGroupId', 'ParameterGroupName'] as const;
    const outputs = data.toJSON().Outputs as Record<string, { Value: unknown }>;
    for (const field of fields) {
      const key = Outputs.cacheTier(tier, field);
      expect(outputs[key]).toBeDefined();
      data.hasResourceProperties('AWS::SSM::Parameter', { Name: parameterName('ScaledApp', 'prod', key) });
    }
    expect(outputs[Outputs.cacheTier(tier, 'Port')].Value).toBe('6379');
  });

  test('a third tier from config alone gets its own replication group, parameter group, secret, logs and outputs', () => {
    const env = synth(configOf('dev', RATELIMIT));
    const data = env.template('data');
    data.resourceCountIs(RG, 3);
    data.resourceCountIs(PG, 3);
    expect(cacheResources(data, 'AWS::SecretsManager::Secret')).toHaveLength(3);
    expect(cacheResources(data, 'AWS::EC2::SecurityGroup')).toHaveLength(3);
    expect(cacheResources(data, 'AWS::Logs::LogGroup')).toHaveLength(6);
    expect(resourceAt(data, PG, 'CacheRatelimitParameters')[1].Properties).toMatchObject({
      Properties: { 'maxmemory-policy': 'volatile-ttl' },
    });
    expect(Object.keys(data.toJSON().Outputs)).toEqual(
      expect.arrayContaining(['CacheRatelimitPrimaryEndpoint', 'CacheRatelimitSecretArn']),
    );
    expect(env.stacks.data.cacheTiers.tier('ratelimit').evictionPolicy).toBe('volatile-ttl');
  });

  test('an environment that removes a default tier with null has no replication group for it', () => {
    const config = resolveConfig('dev', { ...dev, cache: { ...dev.cache, tiers: { critical: dev.cache.tiers.critical, hot: null } } });
    const env = synth(config);
    env.template('data').resourceCountIs(RG, 1);
    expect(env.stacks.data.cacheTiers.tiers.map((t) => t.name)).toEqual(['critical']);
  });
});

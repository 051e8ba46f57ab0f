/**
 * The everyday changes of docs/architecture.md, each synthesized from the real prod configuration and judged
 * by the deploy plan as `npm run diff` judges a pull request: both cloud assemblies, the manifest's deploy
 * order, CloudFormation's replacement rules from the service specification. None may leave a stale
 * consumer, an in-use deletion or an export lock; and every property they update on a resource that serves
 * traffic has a row in the traffic table.
 *
 * Each synthesis of prod takes seconds: the variants share their baselines, and each is synthesized once in the run
 * (test/support/synth.ts).
 */
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import { type AppConfig, type EnvironmentOverrides } from '../config/load';
import { compareStacks } from '../scripts/diff/engine';
import { planHazards } from '../scripts/diff/plan';
import type { StackTemplates } from '../scripts/diff/synth';
import { servesTraffic, trafficRow } from '../scripts/diff/traffic';
import { RATELIMIT_TIER, WORKER_SERVICE } from './support/fixtures';
import { configOf, synth } from './support/synth';

// Whole-environment syntheses of prod, on a shared 2-core machine.
const SYNTH_TIMEOUT = 240_000;

/**
 * An environment's templates by stack name, with the manifest's dependencies (the deploy order the plan reasons with),
 * as `npm run diff` reads them. Through `synth()`: a variant that another test file synthesizes (prod, prod on
 * `postgres`, the hot tier's eviction policy in cache.test) is synthesized once in the run. The CLI's syntheses also
 * carry each resource's construct path in its metadata, which the diff prints and never judges by.
 */
const assembly = (config: AppConfig): StackTemplates => synth(config).stackTemplates();

/** A change the overrides cannot express: it edits the validated configuration. */
type Edit = (config: AppConfig) => AppConfig;

const prod = (change: EnvironmentOverrides | Edit = {}): StackTemplates =>
  assembly(typeof change === 'function' ? change(configOf('prod')) : configOf('prod', change));

const TIER = { ...RATELIMIT_TIER, replicas: 1, multiAz: true };
// Production runs at least two tasks of every service.
// Production keeps logs a year (Control Tower's CT.CLOUDWATCH.PR.2), as prod.ts does for the api service.
const WORKER = { ...WORKER_SERVICE, tasks: { desired: 2, min: 2, max: 4 }, logRetentionDays: 365 };
const WITH_WORKER: EnvironmentOverrides = { services: { worker: WORKER } };
const WITH_TIER: EnvironmentOverrides = { cache: { tiers: { ratelimit: TIER } } };
const WITH_BOTH: EnvironmentOverrides = { services: { worker: WORKER }, cache: { tiers: { ratelimit: TIER } } };
// An image from a registry instead of the one built from services/api. An override cannot drop the default's
// `directory` (the defaults are merged again underneath), so the validated configuration is edited.
const REGISTRY_IMAGE: Edit = (config) =>
  ({
    ...config,
    services: { ...config.services, api: { ...config.services.api, image: { source: 'registry', reference: 'my-org/api:2.0.0' } } },
  }) as AppConfig;

/** Each everyday change: the configuration before, and after. */
const CHANGES: readonly { name: string; before: EnvironmentOverrides; after: EnvironmentOverrides | Edit }[] = [
  { name: "a service's port", before: {}, after: { services: { api: { port: 8081 } } } },
  { name: "a service's health-check path", before: {}, after: { services: { api: { healthCheck: { path: '/healthz' } } } } },
  { name: "a service's image", before: {}, after: REGISTRY_IMAGE },
  { name: "a service's CPU", before: {}, after: { services: { api: { cpu: 1024, memory: 2048 } } } },
  { name: "a service's memory", before: {}, after: { services: { api: { memory: 2048 } } } },
  { name: 'adding a service', before: {}, after: WITH_WORKER },
  { name: 'removing a service', before: WITH_BOTH, after: WITH_TIER },
  { name: 'adding a cache tier', before: {}, after: WITH_TIER },
  { name: 'removing a cache tier', before: WITH_BOTH, after: WITH_WORKER },
  { name: 'adding a reader', before: {}, after: { database: { readReplicas: 3 } } },
  { name: 'a node type', before: {}, after: { cache: { tiers: { hot: { nodeType: 'cache.r7g.2xlarge' } } } } },
  { name: 'an instance class', before: {}, after: { database: { instanceClass: 'r7g.2xlarge' } } },
  { name: 'an eviction policy', before: {}, after: { cache: { tiers: { hot: { evictionPolicy: 'allkeys-lfu' } } } } },
  {
    name: 'adding an alarm subscription',
    before: {},
    after: {
      monitoring: {
        alarmSubscriptions: [
          { protocol: 'email', endpoint: 'oncall@example.com' },
          { protocol: 'email', endpoint: 'platform@example.com' },
        ],
      },
    },
  },
  {
    name: 'adding an alarm (a tighter replica-lag threshold is a new alarm definition)',
    before: {},
    after: { monitoring: { thresholds: { database: { replicaLagSeconds: 10 } } } },
  },
];

test("the plan reads prod's deploy order from the cloud assembly's manifest, as npm run diff does", () => {
  expect(Object.fromEntries(prod().dependencies!)).toEqual({
    'ScaledApp-prod-Network': [],
    'ScaledApp-prod-BackupCopy': [],
    'ScaledApp-prod-Data': ['ScaledApp-prod-BackupCopy', 'ScaledApp-prod-Network'],
    'ScaledApp-prod-Service': ['ScaledApp-prod-Data', 'ScaledApp-prod-Network'],
    'ScaledApp-prod-Monitoring': ['ScaledApp-prod-Data', 'ScaledApp-prod-Service'],
  });
});

describe('everyday changes to prod deploy with no cross-stack hazard', () => {
  test.each(CHANGES)(
    '$name',
    ({ before, after }) => {
      const base = prod(before);
      const head = prod(after);
      // A change that changes nothing proves nothing.
      expect(compareStacks('prod', base, head).some((s) => s.status !== 'unchanged')).toBe(true);
      expect(planHazards({ env: 'prod', before: base, after: head }).map((h) => `${h.kind}: ${h.why}`)).toEqual([]);
    },
    SYNTH_TIMEOUT,
  );
});

describe('what the everyday changes do to running traffic is modelled', () => {
  test(
    'every property they update in place on a database, proxy, cache, load balancer or service has a row in the traffic table',
    () => {
      const missing = new Set<string>();
      for (const { before, after } of CHANGES) {
        for (const stack of compareStacks('prod', prod(before), prod(after))) {
          for (const change of stack.changes) {
            if (change.kind !== 'updated in place' || !servesTraffic(change.type)) continue;
            for (const property of change.updatedProperties)
              if (!trafficRow(change.type, property)) missing.add(`${change.type} ${property}`);
          }
        }
      }
      expect([...missing].sort()).toEqual([]);
    },
    SYNTH_TIMEOUT,
  );

  test(
    'every property the prod templates of both engines set on such a resource has a row (what any config change could touch)',
    () => {
      const spec = loadAwsServiceSpecSync();
      const replaces = (type: string, property: string) =>
        spec.lookup('resource', 'cloudFormationType', 'equals', type).only().properties[property]?.causesReplacement === 'yes';
      const missing = new Set<string>();
      for (const templates of [prod(), prod({ database: { engine: 'postgres' } })]) {
        for (const template of templates.values()) {
          for (const resource of Object.values((template.Resources ?? {}) as Record<string, { Type: string; Properties?: object }>)) {
            if (!servesTraffic(resource.Type)) continue;
            for (const property of Object.keys(resource.Properties ?? {})) {
              if (!trafficRow(resource.Type, property) && !replaces(resource.Type, property)) missing.add(`${resource.Type} ${property}`);
            }
          }
        }
      }
      // A property whose change replaces the resource (the service specification says which) needs no row: the
      // plan reports it as a replacement. What remains is listed, each with why config never changes it.
      expect([...missing].sort()).toEqual(Object.keys(SET_ONCE).sort());
    },
    SYNTH_TIMEOUT,
  );
});

/** Properties the templates set that no configuration field changes after creation, and why. */
const SET_ONCE: Record<string, string> = {
  'AWS::ApplicationAutoScaling::ScalableTarget RoleARN': 'the service-linked role of Application Auto Scaling, fixed by CDK',
  'AWS::ApplicationAutoScaling::ScalingPolicy PolicyType': 'target tracking, fixed in code',
  'AWS::ElastiCache::ParameterGroup Description': 'fixed text, free of anything configurable (lib/constructs/cache-tier.ts)',
  'AWS::ElastiCache::ReplicationGroup TransitEncryptionEnabled': 'always true: an AUTH token needs TLS',
  'AWS::ElastiCache::ReplicationGroup TransitEncryptionMode': 'always required',
  'AWS::ElasticLoadBalancingV2::Listener Port': 'always 443',
  'AWS::ElasticLoadBalancingV2::Listener Protocol': 'always HTTPS',
  'AWS::RDS::DBCluster Engine': 'database.engine swaps the cluster for an instance: a removal the stateful guard blocks',
  'AWS::RDS::DBCluster MasterUsername': 'fixed in code',
  'AWS::RDS::DBInstance Engine': 'database.engine swaps the instance for a cluster: a removal the stateful guard blocks',
  'AWS::RDS::DBInstance MasterUserPassword': 'a dynamic reference to the secret; rotation changes the password outside CloudFormation',
  'AWS::RDS::DBInstance SourceDBInstanceIdentifier': "a replica's source, the primary, fixed",
  'AWS::RDS::DBProxyEndpoint TargetRole': 'always READ_ONLY',
  'AWS::RDS::DBProxy DefaultAuthScheme': 'always IAM_AUTH (end-to-end IAM, lib/constructs/database.ts); no config field changes it',
  'AWS::RDS::DBProxyTargetGroup Tags':
    'rendered by CDK but not a property of the type in the CloudFormation specification; tags move no traffic',
};

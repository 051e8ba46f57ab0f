/**
 * The cost estimate (scripts/cost/): its arithmetic on hand-made templates at a price table of round figures,
 * its refusals (an unpriced type, an unpriced class, a malformed table), and every environment's estimate, checked
 * against the resolved configuration it was synthesized from.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { listEnvironments } from '../config/load';
import { costUsageSchema } from '../config/schema/cost';
import { costModel } from '../lib/stacks/cost-model';
import { COST_MODEL_METADATA, type CostModelMetadata } from '../lib/template-metadata';
import { pricingRule } from '../scripts/cost/catalog';
import { compareEstimates, type EnvironmentEstimate, estimateEnvironment } from '../scripts/cost/estimate';
import { PRICES_DIR, priceTable, PriceTableError } from '../scripts/cost/prices';
import { COST_GUIDE_FILE, renderCostGuide } from '../scripts/cost-docs';
import { runScript } from './support/commands';
import { configOf, synth } from './support/synth';

const REAL_TABLE = JSON.parse(fs.readFileSync(path.join(PRICES_DIR, 'eu-west-1.json'), 'utf8'));

/** A price table of round figures, so that each expected figure below is arithmetic a reader can redo. */
function roundTable(region: string) {
  return {
    ...REAL_TABLE,
    region,
    hoursPerMonth: 700,
    prices: {
      ...REAL_TABLE.prices,
      auroraPostgresInstanceHour: { 'db.r7g.large': 0.5, 'db.r7g.xlarge': 1 },
      auroraServerlessV2AcuHour: 0.1,
      auroraStorageGbMonth: 0.1,
      auroraIoMillionRequests: 0.2,
      rdsProxyVcpuHour: 0.01,
      rdsProxyAcuHour: 0.02,
      elastiCacheValkeyNodeHour: { 'cache.r7g.large': 0.2 },
      natGatewayHour: 0.05,
      natGatewayDataGb: 0.05,
      albHour: 0.03,
      albLcuHour: 0.01,
      publicIpv4Hour: 0.005,
      fargateX86VcpuHour: 0.04,
      fargateX86GbHour: 0.004,
      logsIngestionGb: 0.5,
      logsStorageGbMonth: 0.03,
    },
  };
}

let pricesDir: string;
beforeAll(() => {
  pricesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'prices-'));
  fs.writeFileSync(path.join(pricesDir, 'xx-test-1.json'), JSON.stringify(roundTable('xx-test-1')));
});
afterAll(() => fs.rmSync(pricesDir, { recursive: true, force: true }));

const MODEL: CostModelMetadata = {
  region: 'xx-test-1',
  stackRegions: {},
  usage: {
    databaseStorageGiB: 100,
    databaseIoMillionsPerMonth: 50,
    backupStorageGiB: 10,
    natDataGiBPerGateway: 200,
    loadBalancerLcus: 3,
    logIngestedGiBPerGroup: 2,
    bucketStorageGiB: 1,
    wafMillionRequestsPerMonth: 1,
    fisRunsPerMonth: 1,
  },
};

const ref = (id: string) => ({ Ref: id });

/** A writer whose instance class the test price table does not list. */
const UNPRICED_WRITER = {
  Writer: { Type: 'AWS::RDS::DBInstance', Properties: { DBClusterIdentifier: ref('Cluster'), DBInstanceClass: 'db.r7g.4xlarge' } },
};

/** An Aurora cluster (writer + 1 reader of db.r7g.xlarge, readers autoscaled 1..3) behind a proxy, a cache, a NAT, an ALB, a service. */
function handMadeTemplates(overrides: Record<string, unknown> = {}): Map<string, Record<string, unknown>> {
  const data = {
    Metadata: { [COST_MODEL_METADATA]: MODEL },
    Resources: {
      Cluster: { Type: 'AWS::RDS::DBCluster', Properties: { Engine: 'aurora-postgresql' } },
      Writer: { Type: 'AWS::RDS::DBInstance', Properties: { DBClusterIdentifier: ref('Cluster'), DBInstanceClass: 'db.r7g.xlarge' } },
      Reader1: { Type: 'AWS::RDS::DBInstance', Properties: { DBClusterIdentifier: ref('Cluster'), DBInstanceClass: 'db.r7g.xlarge' } },
      ReaderScaling: {
        Type: 'AWS::ApplicationAutoScaling::ScalableTarget',
        Properties: {
          MinCapacity: 1,
          MaxCapacity: 3,
          ResourceId: { 'Fn::Join': ['', ['cluster:', ref('Cluster')]] },
          ScalableDimension: 'rds:cluster:ReadReplicaCount',
        },
      },
      Proxy: { Type: 'AWS::RDS::DBProxy', Properties: {} },
      ProxyTargets: {
        Type: 'AWS::RDS::DBProxyTargetGroup',
        Properties: { DBProxyName: ref('Proxy'), DBClusterIdentifiers: [ref('Cluster')] },
      },
      Cache: {
        Type: 'AWS::ElastiCache::ReplicationGroup',
        Properties: { Engine: 'valkey', CacheNodeType: 'cache.r7g.large', NumNodeGroups: 2, ReplicasPerNodeGroup: 1 },
      },
      Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 90 } },
      Role: { Type: 'AWS::IAM::Role', Properties: {} },
      ...overrides,
    },
  };
  const network = {
    Resources: {
      Nat: { Type: 'AWS::EC2::NatGateway', Properties: {} },
      Alb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Scheme: 'internet-facing', Subnets: ['a', 'b'] } },
      TaskDefinition: { Type: 'AWS::ECS::TaskDefinition', Properties: { Cpu: '512', Memory: '1024' } },
      Service: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: ref('TaskDefinition'), DesiredCount: 3 } },
      TaskScaling: {
        Type: 'AWS::ApplicationAutoScaling::ScalableTarget',
        Properties: {
          MinCapacity: 2,
          MaxCapacity: 10,
          ResourceId: { 'Fn::Join': ['', ['service/', ref('Cluster'), '/', { 'Fn::GetAtt': ['Service', 'Name'] }]] },
          ScalableDimension: 'ecs:service:DesiredCount',
        },
      },
    },
  };
  return new Map<string, Record<string, unknown>>([
    ['App-test-Data', data],
    ['App-test-Network', network],
  ]);
}

const lineOf = (e: EnvironmentEstimate, logicalId: string, item: RegExp) => {
  const found = e.stacks.flatMap((s) => s.lines).filter((l) => l.logicalId === logicalId && item.test(l.item));
  expect(found).toHaveLength(1);
  return found[0];
};

/**
 * The cost model's usage figures are declared twice on purpose: in the configuration's schema (what a team sets) and in
 * lib/template-metadata.ts (a format that older revisions' templates carry, which `npm run diff` prices). The two must
 * name the same figures, or one would be configured and never priced, or priced and never configurable.
 */
test('the cost model in template metadata carries exactly the usage figures the configuration has', () => {
  const configured = Object.keys(costUsageSchema.shape).sort();
  // What the Monitoring stack writes, defaults applied.
  expect(Object.keys(costModel(configOf('prod')).usage).sort()).toEqual(configured);
  // MODEL is typed CostModelMetadata: its usage has every field of CostUsage and no other.
  expect(Object.keys(MODEL.usage).sort()).toEqual(configured);
});

describe('the arithmetic, on hand-made templates at round prices (700 hours a month)', () => {
  let e: EnvironmentEstimate;
  beforeAll(() => {
    e = estimateEnvironment('test', handMadeTemplates(), undefined, pricesDir);
  });

  test('every resource is priced or free: no problems', () => expect(e.problems).toEqual([]));

  test('Aurora instances: one line per instance, 1 × $1/h × 700 h = $700', () => {
    expect(lineOf(e, 'Writer', /db\.r7g\.xlarge/).monthly).toEqual({ low: 700, expected: 700, high: 700 });
    expect(lineOf(e, 'Reader1', /db\.r7g\.xlarge/).monthly).toEqual({ low: 700, expected: 700, high: 700 });
  });

  test("readers autoscaled 1..3 beyond the template's one reader: 0 to 2 more, $0 to $1,400", () => {
    const line = lineOf(e, 'ReaderScaling', /autoscaled/);
    expect(line.quantity).toEqual({ low: 0, expected: 0, high: 2 });
    expect(line.monthly).toEqual({ low: 0, expected: 0, high: 1400 });
  });

  test('storage and I/O as stated assumptions: 100 GiB × $0.10 = $10, 50 M × $0.20 = $10', () => {
    const storage = lineOf(e, 'Cluster', /storage/);
    expect(storage.monthly.expected).toBe(10);
    expect(storage.assumption).toContain('cost.usage.databaseStorageGiB = 100 GiB');
    expect(lineOf(e, 'Cluster', /I\/O/).monthly.expected).toBe(10);
  });

  test('the proxy bills the vCPUs of its targets: 2 × 4 vCPUs, up to 4 × 4 with autoscaled readers, at $0.01/h', () => {
    const line = lineOf(e, 'Proxy', /vCPU/);
    expect(line.quantity).toEqual({ low: 8, expected: 8, high: 16 });
    expect(line.monthly).toEqual({ low: 56, expected: 56, high: 112 });
  });

  test('ElastiCache: 2 shards × (1 replica + 1) = 4 nodes × $0.20/h × 700 h = $560', () => {
    const line = lineOf(e, 'Cache', /cache\.r7g\.large/);
    expect(line.quantity.expected).toBe(4);
    expect(line.monthly.expected).toBe(560);
  });

  test('a NAT gateway: $0.05/h × 700 h = $35, plus 200 GiB × $0.05 = $10 of data', () => {
    expect(lineOf(e, 'Nat', /NAT gateway/).monthly.expected).toBe(35);
    expect(lineOf(e, 'Nat', /data processed/).monthly.expected).toBe(10);
  });

  test('the load balancer: $21 an hour-month, 3 LCUs × $0.01 × 700 = $21, 2 public addresses × $0.005 × 700 = $7', () => {
    expect(lineOf(e, 'Alb', /Application Load Balancer/).monthly.expected).toBe(21);
    expect(lineOf(e, 'Alb', /capacity units/).monthly.expected).toBe(21);
    expect(lineOf(e, 'Alb', /IPv4/).monthly.expected).toBe(7);
  });

  test('Fargate at minimum 2, desired 3, maximum 10 tasks of 0.5 vCPU and 1 GB', () => {
    // vCPU: tasks × 0.5 × $0.04 × 700 = tasks × $14; GB: tasks × 1 × $0.004 × 700 = tasks × $2.80.
    expect(lineOf(e, 'Service', /vCPU/).monthly).toEqual({ low: 28, expected: 42, high: 140 });
    expect(lineOf(e, 'Service', /memory/).monthly).toEqual({ low: 5.6, expected: 8.4, high: 28 });
  });

  test('a log group: 2 GiB ingested × $0.50 = $1, stored 2 GiB × 3 months × $0.03 = $0.18', () => {
    expect(lineOf(e, 'Logs', /ingestion/).monthly.expected).toBe(1);
    expect(lineOf(e, 'Logs', /storage/).monthly.expected).toBe(0.18);
  });

  test('the total is the sum of the lines, at each end of the range', () => {
    const lines = e.stacks.flatMap((s) => s.lines);
    for (const end of ['low', 'expected', 'high'] as const) {
      expect(e.total[end]).toBeCloseTo(
        lines.reduce((sum, l) => sum + l.monthly[end], 0),
        2,
      );
    }
    expect(e.total.expected).toBeCloseTo(700 + 700 + 10 + 10 + 56 + 560 + 35 + 10 + 21 + 21 + 7 + 42 + 8.4 + 1 + 0.18, 2);
  });

  test('Aurora Serverless v2 bills ACUs from its minimum to its maximum, and the proxy at least 8 ACUs', () => {
    const serverless = estimateEnvironment(
      'test',
      handMadeTemplates({
        Cluster: { Type: 'AWS::RDS::DBCluster', Properties: { ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 4 } } },
        Writer: { Type: 'AWS::RDS::DBInstance', Properties: { DBClusterIdentifier: ref('Cluster'), DBInstanceClass: 'db.serverless' } },
        Reader1: { Type: 'AWS::RDS::DBInstance', Properties: { DBClusterIdentifier: ref('Cluster'), DBInstanceClass: 'db.serverless' } },
      }),
      undefined,
      pricesDir,
    );
    // 0.5 to 4 ACU × $0.10 × 700 h = $35 to $280 per instance.
    expect(lineOf(serverless, 'Writer', /Serverless/).monthly).toEqual({ low: 35, expected: 35, high: 280 });
    // Targets: 2 instances at 0.5..4 ACU plus 0..2 autoscaled: 1 ACU (floor 8) to 16 ACU, × $0.02 × 700.
    expect(lineOf(serverless, 'Proxy', /ACU/).monthly).toEqual({ low: 112, expected: 112, high: 224 });
  });
});

describe('what the estimate refuses', () => {
  test('fails when a resource type is neither priced nor free nor usage-only, naming it', () => {
    const e = estimateEnvironment('test', handMadeTemplates({ Queue: { Type: 'AWS::SQS::Queue', Properties: {} } }), undefined, pricesDir);
    expect(e.problems).toEqual([
      'App-test-Data Queue: AWS::SQS::Queue is neither priced nor listed as free or usage-only (scripts/cost/catalog.ts)',
    ]);
  });

  test('fails when an instance class has no price, naming the table and the class', () => {
    const e = estimateEnvironment('test', handMadeTemplates(UNPRICED_WRITER), undefined, pricesDir);
    expect(e.problems).toContainEqual(
      'App-test-Data Writer (AWS::RDS::DBInstance): no price for auroraPostgresInstanceHour["db.r7g.4xlarge"] in config/prices/xx-test-1.json',
    );
  });

  test('a region without a price table is a problem of the estimate, naming the file, not a crash', () => {
    const templates = handMadeTemplates();
    const data = templates.get('App-test-Data') as { Metadata: Record<string, CostModelMetadata> };
    data.Metadata = { [COST_MODEL_METADATA]: { ...MODEL, region: 'xx-none-1' } };
    const e = estimateEnvironment('test', templates, undefined, pricesDir);
    // Every stack of the environment is in that region: each is named, with the file it expected.
    expect(e.problems).toEqual([
      expect.stringMatching(/^App-test-Data: .*xx-none-1\.json/),
      expect.stringMatching(/^App-test-Network: .*xx-none-1\.json/),
    ]);
  });

  test('an estimate that could not price something blocks the diff: its missing lines would read as a saving', () => {
    const before = estimateEnvironment('test', handMadeTemplates(), undefined, pricesDir);
    const after = estimateEnvironment('test', handMadeTemplates(UNPRICED_WRITER), undefined, pricesDir);
    const delta = compareEstimates('test', before, after);
    expect(delta.totalAfter.expected).toBeLessThan(delta.totalBefore.expected);
    expect(delta.unpriced).toEqual([expect.stringContaining('db.r7g.4xlarge')]);
    expect(compareEstimates('test', before, before).unpriced).toEqual([]);
  });

  test('fails when a price table is malformed, naming the file and every field', () => {
    const bad = roundTable('xx-bad-1');
    bad.prices = { ...bad.prices, natGatewayHour: -1, albHour: 'cheap' };
    fs.writeFileSync(path.join(pricesDir, 'xx-bad-1.json'), JSON.stringify({ ...bad, currency: 'EUR' }));
    expect(() => priceTable('xx-bad-1', pricesDir)).toThrow(PriceTableError);
    let message = '';
    try {
      priceTable('xx-bad-1', pricesDir);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/xx-bad-1\.json: currency: expected "USD"/);
    expect(message).toMatch(/xx-bad-1\.json: prices\.natGatewayHour: expected a price >= 0/);
    expect(message).toMatch(/xx-bad-1\.json: prices\.albHour: expected a price \(a number\)/);
  });

  test('every committed price table is valid, in USD, dated no later than today, and names its source and how to refresh it', () => {
    for (const file of fs.readdirSync(PRICES_DIR)) {
      const table = priceTable(file.replace(/\.json$/, ''));
      // Any refresh date passes (docs/cost.md: set it to the day); a date to come or not a date does not.
      expect(table.effectiveDate).toMatch(/^\d{4}-\d\d-\d\d$/);
      expect(Number.isNaN(Date.parse(table.effectiveDate))).toBe(false);
      expect(Date.parse(table.effectiveDate)).toBeLessThanOrEqual(Date.now());
      expect(table.source.length).toBeGreaterThan(0);
      expect(table.source).toContain('docs/cost.md');
    }
  });

  test('npm run cost fails with exit 2 on an unknown environment, naming the ones there are, before synthesizing', () => {
    const result = runScript('cost.ts', ['--env', 'nope'], process.env);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`--env: expected one of ${listEnvironments().join(', ')}, got "nope"`);
    expect(result.stdout).toBe('');
  });

  test('a template without a cost model and no fallback is an error, not a guess', () => {
    const templates = handMadeTemplates();
    delete templates.get('App-test-Data')!.Metadata;
    expect(() => estimateEnvironment('test', templates, undefined, pricesDir)).toThrow(/expected the cost model/);
  });
});

/** Every environment file, and staging on RDS for PostgreSQL (the other engine prices instances differently). */
const ENVIRONMENTS: [string, () => ReturnType<typeof configOf>][] = [
  ...listEnvironments().map((name): [string, () => ReturnType<typeof configOf>] => [name, () => configOf(name)]),
  ['staging (postgres)', () => configOf('staging', { database: { engine: 'postgres' } })],
];
// Whole-environment syntheses, on a shared two-core machine.
const SYNTH_TIMEOUT = 240_000;
/** The estimates of the environment files, by name, for the example bill of docs/cost.md. */
const estimates = new Map<string, EnvironmentEstimate>();

describe.each(ENVIRONMENTS)("%s environment's estimate", (label, configFn) => {
  let e: EnvironmentEstimate;
  let config: ReturnType<typeof configOf>;
  let templates: Map<string, Record<string, unknown>>;
  beforeAll(() => {
    config = configFn();
    // synth()'s templates, which the run shares across files: reading them builds no app. The estimate only reads them.
    templates = synth(config).stackTemplates();
    e = estimateEnvironment(config.environment.name, templates);
    if (listEnvironments().includes(label)) estimates.set(label, e);
  }, SYNTH_TIMEOUT);

  test('every resource of every template is priced, free, or usage-only with a reason', () => {
    expect(e.problems).toEqual([]);
    for (const template of templates.values()) {
      for (const resource of Object.values((template.Resources ?? {}) as Record<string, { Type: string }>)) {
        const rule = pricingRule(resource.Type);
        expect({ type: resource.Type, rule: rule?.kind }).toEqual({ type: resource.Type, rule: expect.any(String) });
        if (rule && rule.kind !== 'priced') expect(rule.reason.length).toBeGreaterThan(10);
      }
    }
  });

  test('the templates carry the cost model of the resolved configuration', () => {
    expect(e.modelSource).toBe('templates');
    expect(e.model).toEqual(costModel(config));
  });

  test('instances, readers, nodes, gateways and tasks are counted as the resolved configuration says', () => {
    const lines = e.stacks.flatMap((s) => s.lines);
    const db = config.database;
    if (db.engine === 'aurora-postgresql') {
      const instances = lines.filter((l) => l.type === 'AWS::RDS::DBInstance');
      expect(instances).toHaveLength(1 + db.readReplicas);
      const scaled = lines.filter((l) => l.type === 'AWS::ApplicationAutoScaling::ScalableTarget');
      const extra = scaled.reduce((n, l) => n + (l.unit === 'instance' ? l.quantity.high : 0), 0);
      if (db.instanceClass !== 'serverless') {
        expect(instances.every((l) => l.item.startsWith(`db.${db.instanceClass} `))).toBe(true);
        expect(1 + db.readReplicas + extra).toBe(1 + Math.max(db.readReplicas, db.readerAutoScaling.max));
      } else {
        expect(
          instances.every((l) => l.quantity.low === db.serverlessV2Capacity.min && l.quantity.high === db.serverlessV2Capacity.max),
        ).toBe(true);
      }
    } else {
      const instances = lines.filter((l) => l.type === 'AWS::RDS::DBInstance' && l.unit === 'instance');
      expect(instances.length).toBe(1 + db.readReplicas);
      expect(instances.every((l) => l.item.startsWith(`db.${db.instanceClass} `))).toBe(true);
    }
    for (const [name, tier] of Object.entries(config.cache.tiers)) {
      const line = lines.find((l) => l.type === 'AWS::ElastiCache::ReplicationGroup' && l.logicalId.toLowerCase().includes(name));
      expect({ name, nodes: line?.quantity.expected, type: line?.item.split(' ')[0] }).toEqual({
        name,
        nodes: tier.replicas + 1,
        type: tier.nodeType,
      });
    }
    expect(lines.filter((l) => l.item === 'NAT gateway')).toHaveLength(config.network.natGateways);
    for (const [name, service] of Object.entries(config.services)) {
      const vcpu = lines.find((l) => l.type === 'AWS::ECS::Service' && l.logicalId.toLowerCase().startsWith(name) && /vCPU/.test(l.item));
      const perTask = service.cpu / 1024;
      expect(vcpu?.quantity).toEqual({
        low: service.tasks.min * perTask,
        expected: service.tasks.desired * perTask,
        high: service.tasks.max * perTask,
      });
    }
    expect(lines.filter((l) => l.type === 'AWS::WAFv2::WebACL' && l.item === 'web ACL')).toHaveLength(config.loadBalancer.waf ? 1 : 0);
  });

  test('a budget exists exactly where cost.monthlyBudget is set, notifying the alarm topic', () => {
    const monitoring = [...templates.entries()].find(([name]) => name.endsWith('-Monitoring'))![1];
    const budgets = Object.values(monitoring.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>).filter(
      (r) => r.Type === 'AWS::Budgets::Budget',
    );
    expect(budgets).toHaveLength(config.cost.monthlyBudget === undefined ? 0 : 1);
    if (config.cost.monthlyBudget !== undefined) {
      expect(budgets[0].Properties.Budget).toMatchObject({
        BudgetLimit: { Amount: config.cost.monthlyBudget, Unit: 'USD' },
        TimeUnit: 'MONTHLY',
      });
      // Below the first notification (actual spend at CostBudget's default 80 %), with 10 % to spare for what the
      // estimate leaves out: a budget the ordinary month reaches would notify every month.
      expect(e.total.expected).toBeLessThan(config.cost.monthlyBudget * 0.8 * 0.9);
      expect(budgets[0].Properties.Budget).toMatchObject({
        CostTypes: { IncludeTax: false, IncludeSupport: false, IncludeCredit: false, IncludeRefund: false },
      });
    }
  });
});

test('docs/cost.md shows the example bill of every environment at the committed prices (run `npm run docs:cost` when this fails)', () => {
  // Judged only when every environment ran: a run filtered to one says nothing about the page.
  if (estimates.size !== listEnvironments().length) return;
  const page = fs.readFileSync(COST_GUIDE_FILE, 'utf8');
  expect(page).toBe(
    renderCostGuide(
      page,
      listEnvironments().map((name) => estimates.get(name)!),
    ),
  );
});

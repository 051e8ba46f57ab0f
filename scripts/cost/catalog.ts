/**
 * What each CloudFormation resource type costs: priced (a function of the resource, its template and the usage
 * assumptions), free, or billed by usage only (with the reason it is left out). Every type any template holds
 * must have an entry: test/cost.test.ts fails on one that has none, so a new resource cannot ship unpriced.
 */
import { INSTANCE_CLASSES } from '../../lib/capacity';
import type { CostUsage } from '../../lib/template-metadata';
import type { Prices } from './prices';

/** A resource as a template holds it. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** low: every autoscaled count at its minimum; expected: as deployed (desired counts); high: at every maximum. */
export interface Range {
  readonly low: number;
  readonly expected: number;
  readonly high: number;
}

export const fixed = (n: number): Range => ({ low: n, expected: n, high: n });

/** One billed item of a resource, before multiplication. */
export interface LineSpec {
  /** What is billed: `db.r7g.xlarge instance`, `storage`, `vCPU`. */
  readonly item: string;
  /**
   * What the line is within its resource, stable across a change of class, size or count (`instance`, `nodes`), so
   * that the diff pairs a node type's old line with its new one.
   * @default - the item
   */
  readonly key?: string;
  readonly quantity: Range;
  /** Unit of the quantity: `instance`, `GiB-month`, `LCU`. */
  readonly unit: string;
  /** Price of one unit: per hour when `hourly`, else per month (or per use, once a month). */
  readonly unitPrice: number;
  readonly hourly: boolean;
  /** The usage assumption behind the quantity, with the config field that overrides it. */
  readonly assumption?: string;
}

export interface PricingContext {
  readonly logicalId: string;
  readonly resource: CfnResource;
  readonly resources: Readonly<Record<string, CfnResource>>;
  readonly prices: Prices;
  readonly usage: CostUsage;
  /** The environment's region, to tell a cross-region copy from a local one. */
  readonly homeRegion: string;
  readonly stackRegion: string;
}

export type PricingRule =
  | { readonly kind: 'priced'; readonly lines: (ctx: PricingContext) => LineSpec[] }
  | { readonly kind: 'free'; readonly reason: string }
  | { readonly kind: 'usage-only'; readonly reason: string };

/** A price the table lacks, e.g. an instance class added to lib/capacity/instance-classes.ts but not priced. */
export class MissingPrice extends Error {
  constructor(readonly what: string) {
    super(what);
    this.name = 'MissingPrice';
  }
}

const USAGE = 'cost.usage';

function lookup(table: Record<string, number>, key: string, tableName: string): number {
  const value = table[key];
  if (value === undefined) throw new MissingPrice(`${tableName}["${key}"]`);
  return value;
}

const prop = <T>(r: CfnResource, name: string): T | undefined => r.Properties?.[name] as T | undefined;
const refTo = (value: unknown): string | undefined =>
  typeof value === 'object' && value !== null && 'Ref' in value ? String((value as { Ref: unknown }).Ref) : undefined;
const mentions = (value: unknown, logicalId: string): boolean =>
  JSON.stringify(value ?? null).includes(`{"Ref":"${logicalId}"}`) || JSON.stringify(value ?? null).includes(`["${logicalId}",`);

/** The Aurora instances of cluster `clusterId`, and its reader autoscaling target if it has one. */
function auroraMembers(resources: Readonly<Record<string, CfnResource>>, clusterId: string) {
  const instances = Object.values(resources).filter(
    (r) => r.Type === 'AWS::RDS::DBInstance' && refTo(prop(r, 'DBClusterIdentifier')) === clusterId,
  );
  const scaling = Object.values(resources).find(
    (r) =>
      r.Type === 'AWS::ApplicationAutoScaling::ScalableTarget' &&
      prop(r, 'ScalableDimension') === 'rds:cluster:ReadReplicaCount' &&
      mentions(prop(r, 'ResourceId'), clusterId),
  );
  return { instances, scaling };
}

/** Readers Aurora autoscaling adds beyond the template's own: at least its minimum, at most its maximum. */
function autoscaledReaders(templateReaders: number, scaling: CfnResource | undefined): Range {
  if (!scaling) return fixed(0);
  const min = Number(prop(scaling, 'MinCapacity') ?? 0);
  const max = Number(prop(scaling, 'MaxCapacity') ?? 0);
  const beyond = (n: number) => Math.max(0, n - templateReaders);
  return { low: beyond(min), expected: beyond(min), high: beyond(max) };
}

const bareClass = (dbClass: string) => dbClass.replace(/^db\./, '');

function vcpusOf(dbClass: string): number {
  const entry = (INSTANCE_CLASSES as Record<string, { vcpus: number }>)[bareClass(dbClass)];
  if (!entry) throw new MissingPrice(`lib/capacity/instance-classes.ts: vCPUs of ${dbClass}`);
  return entry.vcpus;
}

const add = (a: Range, b: Range): Range => ({ low: a.low + b.low, expected: a.expected + b.expected, high: a.high + b.high });
const scale = (a: Range, k: number): Range => ({ low: a.low * k, expected: a.expected * k, high: a.high * k });

function serverlessRange(cluster: CfnResource | undefined): Range {
  const config = cluster && prop<{ MinCapacity?: number; MaxCapacity?: number }>(cluster, 'ServerlessV2ScalingConfiguration');
  const min = Number(config?.MinCapacity ?? 0.5);
  const max = Number(config?.MaxCapacity ?? min);
  // Expected at the minimum: a Serverless v2 instance idles there and scales up only under load.
  return { low: min, expected: min, high: max };
}

function dbInstanceLines(ctx: PricingContext): LineSpec[] {
  const { resource: r, prices } = ctx;
  const dbClass = String(prop(r, 'DBInstanceClass'));
  const clusterId = refTo(prop(r, 'DBClusterIdentifier'));
  if (clusterId !== undefined) {
    if (dbClass === 'db.serverless') {
      return [
        {
          item: 'Aurora Serverless v2 capacity (minimum to maximum ACU)',
          key: 'instance',
          quantity: serverlessRange(ctx.resources[clusterId]),
          unit: 'ACU',
          unitPrice: prices.auroraServerlessV2AcuHour,
          hourly: true,
        },
      ];
    }
    return [
      {
        item: `${dbClass} Aurora instance`,
        key: 'instance',
        quantity: fixed(1),
        unit: 'instance',
        unitPrice: lookup(prices.auroraPostgresInstanceHour, dbClass, 'auroraPostgresInstanceHour'),
        hourly: true,
      },
    ];
  }
  // RDS for PostgreSQL: Multi-AZ runs a standby of the same class, billed as a second instance.
  const multiAz = prop(r, 'MultiAZ') === true || prop(r, 'MultiAZ') === 'true';
  const allocated = Number(prop(r, 'AllocatedStorage') ?? 0);
  const storage = Math.max(allocated, ctx.usage.databaseStorageGiB);
  return [
    {
      item: `${dbClass} instance${multiAz ? ' (Multi-AZ: primary and standby)' : ''}`,
      key: 'instance',
      quantity: fixed(multiAz ? 2 : 1),
      unit: 'instance',
      unitPrice: lookup(prices.rdsPostgresSingleAzInstanceHour, dbClass, 'rdsPostgresSingleAzInstanceHour'),
      hourly: true,
    },
    {
      item: `gp3 storage${multiAz ? ' (primary and standby)' : ''}`,
      key: 'storage',
      quantity: fixed(storage * (multiAz ? 2 : 1)),
      unit: 'GiB-month',
      unitPrice: prices.rdsGp3StorageGbMonth,
      hourly: false,
      assumption: `the larger of AllocatedStorage (${allocated} GiB) and ${USAGE}.databaseStorageGiB (${ctx.usage.databaseStorageGiB} GiB)`,
    },
  ];
}

function auroraClusterLines(ctx: PricingContext): LineSpec[] {
  const { usage, prices } = ctx;
  return [
    {
      item: 'Aurora storage',
      quantity: fixed(usage.databaseStorageGiB),
      unit: 'GiB-month',
      unitPrice: prices.auroraStorageGbMonth,
      hourly: false,
      assumption: `${USAGE}.databaseStorageGiB = ${usage.databaseStorageGiB} GiB`,
    },
    {
      item: 'Aurora I/O requests',
      quantity: fixed(usage.databaseIoMillionsPerMonth),
      unit: 'million requests',
      unitPrice: prices.auroraIoMillionRequests,
      hourly: false,
      assumption: `${USAGE}.databaseIoMillionsPerMonth = ${usage.databaseIoMillionsPerMonth}`,
    },
  ];
}

function readerScalingLines(ctx: PricingContext): LineSpec[] {
  const { resource: r, resources, prices } = ctx;
  if (prop(r, 'ScalableDimension') !== 'rds:cluster:ReadReplicaCount') return []; // ECS ranges are priced on the service.
  const clusterId = Object.keys(resources).find(
    (id) => resources[id].Type === 'AWS::RDS::DBCluster' && mentions(prop(r, 'ResourceId'), id),
  );
  if (!clusterId) return [];
  const { instances } = auroraMembers(resources, clusterId);
  const readers = autoscaledReaders(Math.max(0, instances.length - 1), r);
  // Aurora autoscaling adds readers of the class of the cluster's instances.
  const dbClass = String(prop(instances[instances.length - 1] ?? r, 'DBInstanceClass'));
  if (dbClass === 'db.serverless') {
    const acu = serverlessRange(resources[clusterId]);
    return [
      {
        item: 'autoscaled Serverless v2 readers (ACU at each end of the range)',
        key: 'autoscaled readers',
        quantity: { low: readers.low * acu.low, expected: readers.expected * acu.expected, high: readers.high * acu.high },
        unit: 'ACU',
        unitPrice: prices.auroraServerlessV2AcuHour,
        hourly: true,
      },
    ];
  }
  return [
    {
      item: `autoscaled ${dbClass} readers beyond the template's (minimum to maximum)`,
      key: 'autoscaled readers',
      quantity: readers,
      unit: 'instance',
      unitPrice: lookup(prices.auroraPostgresInstanceHour, dbClass, 'auroraPostgresInstanceHour'),
      hourly: true,
    },
  ];
}

/** RDS Proxy bills per vCPU of the instances it fronts (per ACU for Serverless v2), with a floor of 2 vCPUs / 8 ACUs. */
function proxyLines(ctx: PricingContext): LineSpec[] {
  const { logicalId, resources, prices } = ctx;
  const targetGroup = Object.values(resources).find(
    (r) => r.Type === 'AWS::RDS::DBProxyTargetGroup' && refTo(prop(r, 'DBProxyName')) === logicalId,
  );
  const clusterIds = ((targetGroup && prop<unknown[]>(targetGroup, 'DBClusterIdentifiers')) ?? []).map(refTo).filter((x) => x);
  const instanceIds = ((targetGroup && prop<unknown[]>(targetGroup, 'DBInstanceIdentifiers')) ?? []).map(refTo).filter((x) => x);
  let vcpus = fixed(0);
  let acus = fixed(0);
  for (const clusterId of clusterIds as string[]) {
    const { instances, scaling } = auroraMembers(resources, clusterId);
    const extra = autoscaledReaders(Math.max(0, instances.length - 1), scaling);
    for (const instance of instances) {
      const dbClass = String(prop(instance, 'DBInstanceClass'));
      if (dbClass === 'db.serverless') acus = add(acus, serverlessRange(resources[clusterId]));
      else vcpus = add(vcpus, fixed(vcpusOf(dbClass)));
    }
    const last = instances[instances.length - 1];
    if (last) {
      const dbClass = String(prop(last, 'DBInstanceClass'));
      if (dbClass === 'db.serverless') {
        const acu = serverlessRange(resources[clusterId]);
        acus = add(acus, { low: extra.low * acu.low, expected: extra.expected * acu.expected, high: extra.high * acu.high });
      } else vcpus = add(vcpus, scale(extra, vcpusOf(dbClass)));
    }
  }
  for (const instanceId of instanceIds as string[]) {
    const instance = resources[instanceId];
    if (!instance) continue;
    // Only the instance the proxy targets: RDS for PostgreSQL read replicas are reached directly.
    vcpus = add(vcpus, fixed(vcpusOf(String(prop(instance, 'DBInstanceClass')))));
  }
  const floor = (r: Range, min: number): Range => ({
    low: Math.max(min, r.low),
    expected: Math.max(min, r.expected),
    high: Math.max(min, r.high),
  });
  const lines: LineSpec[] = [];
  if (vcpus.high > 0 || acus.high === 0) {
    lines.push({
      item: 'proxy, per vCPU of its target instances (minimum 2)',
      quantity: floor(vcpus, 2),
      unit: 'vCPU',
      unitPrice: prices.rdsProxyVcpuHour,
      hourly: true,
    });
  }
  if (acus.high > 0) {
    lines.push({
      item: 'proxy, per ACU of its Serverless v2 targets (minimum 8)',
      quantity: floor(acus, 8),
      unit: 'ACU',
      unitPrice: prices.rdsProxyAcuHour,
      hourly: true,
    });
  }
  return lines;
}

function cacheLines(ctx: PricingContext): LineSpec[] {
  const { resource: r, prices } = ctx;
  const nodeType = String(prop(r, 'CacheNodeType'));
  const shards = prop<number>(r, 'NumNodeGroups');
  const replicas = prop<number>(r, 'ReplicasPerNodeGroup');
  // Cluster mode: shards × (replicas + 1); otherwise the node count is stated outright.
  const nodes = shards !== undefined ? Number(shards) * (Number(replicas ?? 0) + 1) : Number(prop(r, 'NumCacheClusters') ?? 1);
  const engine = String(prop(r, 'Engine') ?? 'redis');
  if (engine !== 'valkey') throw new MissingPrice(`ElastiCache engine ${engine} (the table prices Valkey nodes)`);
  return [
    {
      item: `${nodeType} Valkey node${shards !== undefined ? ` (${shards} shards × ${Number(replicas ?? 0) + 1})` : ''}`,
      key: 'nodes',
      quantity: fixed(nodes),
      unit: 'node',
      unitPrice: lookup(prices.elastiCacheValkeyNodeHour, nodeType, 'elastiCacheValkeyNodeHour'),
      hourly: true,
    },
  ];
}

function fargateLines(ctx: PricingContext): LineSpec[] {
  const { logicalId, resource: r, resources, prices } = ctx;
  const taskDefinitionId = refTo(prop(r, 'TaskDefinition'));
  const taskDefinition = taskDefinitionId ? resources[taskDefinitionId] : undefined;
  if (!taskDefinition) return [];
  const vcpu = Number(prop(taskDefinition, 'Cpu')) / 1024;
  const gb = Number(prop(taskDefinition, 'Memory')) / 1024;
  const arm = prop<{ CpuArchitecture?: string }>(taskDefinition, 'RuntimePlatform')?.CpuArchitecture === 'ARM64';
  const desired = Number(prop(r, 'DesiredCount') ?? 1);
  const scaling = Object.values(resources).find(
    (s) =>
      s.Type === 'AWS::ApplicationAutoScaling::ScalableTarget' &&
      prop(s, 'ScalableDimension') === 'ecs:service:DesiredCount' &&
      mentions(prop(s, 'ResourceId'), logicalId),
  );
  const tasks: Range = scaling
    ? { low: Number(prop(scaling, 'MinCapacity')), expected: desired, high: Number(prop(scaling, 'MaxCapacity')) }
    : fixed(desired);
  const arch = arm ? 'ARM' : 'x86';
  return [
    {
      item: `Fargate ${arch} vCPU: ${vcpu} per task × tasks (minimum, desired, maximum)`,
      key: 'vcpu',
      quantity: scale(tasks, vcpu),
      unit: 'vCPU',
      unitPrice: arm ? prices.fargateArmVcpuHour : prices.fargateX86VcpuHour,
      hourly: true,
    },
    {
      item: `Fargate ${arch} memory: ${gb} GB per task × tasks (minimum, desired, maximum)`,
      key: 'memory',
      quantity: scale(tasks, gb),
      unit: 'GB',
      unitPrice: arm ? prices.fargateArmGbHour : prices.fargateX86GbHour,
      hourly: true,
    },
  ];
}

function loadBalancerLines(ctx: PricingContext): LineSpec[] {
  const { resource: r, prices, usage } = ctx;
  const lines: LineSpec[] = [
    { item: 'Application Load Balancer', quantity: fixed(1), unit: 'load balancer', unitPrice: prices.albHour, hourly: true },
    {
      item: 'load balancer capacity units',
      quantity: fixed(usage.loadBalancerLcus),
      unit: 'LCU',
      unitPrice: prices.albLcuHour,
      hourly: true,
      assumption: `${USAGE}.loadBalancerLcus = ${usage.loadBalancerLcus} on average`,
    },
  ];
  if (prop(r, 'Scheme') !== 'internal') {
    // An internet-facing load balancer holds a public IPv4 address in each of its subnets.
    const subnets = (prop<unknown[]>(r, 'Subnets') ?? []).length;
    lines.push({
      item: 'public IPv4 addresses (one per subnet)',
      quantity: fixed(subnets),
      unit: 'address',
      unitPrice: prices.publicIpv4Hour,
      hourly: true,
    });
  }
  return lines;
}

function logGroupLines(ctx: PricingContext): LineSpec[] {
  const { resource: r, prices, usage } = ctx;
  const retention = prop<number>(r, 'RetentionInDays');
  const months = retention === undefined ? 12 : Number(retention) / 30;
  const ingested = usage.logIngestedGiBPerGroup;
  return [
    {
      item: 'log ingestion',
      quantity: fixed(ingested),
      unit: 'GiB',
      unitPrice: prices.logsIngestionGb,
      hourly: false,
      assumption: `${USAGE}.logIngestedGiBPerGroup = ${ingested} GiB a month`,
    },
    {
      item: `log storage (${retention === undefined ? 'never expires: a year of it assumed' : `${retention} days kept`})`,
      key: 'log storage',
      quantity: fixed(ingested * months),
      unit: 'GiB-month',
      unitPrice: prices.logsStorageGbMonth,
      hourly: false,
      assumption: `${ingested} GiB a month × ${Number(months.toFixed(2))} months kept (uncompressed; CloudWatch bills compressed, so this errs high)`,
    },
  ];
}

function alarmLines(ctx: PricingContext): LineSpec[] {
  const { resource: r, prices } = ctx;
  // A metric-math alarm bills each metric it reads; a high-resolution one (period under a minute) three times over.
  const metrics = (prop<{ MetricStat?: { Period?: number } }[]>(r, 'Metrics') ?? []).filter((m) => m.MetricStat);
  const count = Math.max(1, metrics.length);
  const periods = [Number(prop(r, 'Period') ?? 60), ...metrics.map((m) => Number(m.MetricStat?.Period ?? 60))];
  const highResolution = periods.some((p) => p < 60);
  return [
    {
      item: `alarm${count > 1 ? ` (${count} metrics)` : ''}${highResolution ? ', high resolution' : ''}`,
      key: 'alarm',
      quantity: fixed(count * (highResolution ? 3 : 1)),
      unit: 'alarm metric',
      unitPrice: prices.cloudWatchAlarmMonth,
      hourly: false,
    },
  ];
}

function webAclLines(ctx: PricingContext): LineSpec[] {
  const { resource: r, prices, usage } = ctx;
  const rules = (prop<unknown[]>(r, 'Rules') ?? []).length;
  return [
    { item: 'web ACL', quantity: fixed(1), unit: 'web ACL', unitPrice: prices.wafWebAclMonth, hourly: false },
    { item: 'rules and rule groups', quantity: fixed(rules), unit: 'rule', unitPrice: prices.wafRuleMonth, hourly: false },
    {
      item: 'requests inspected',
      quantity: fixed(usage.wafMillionRequestsPerMonth),
      unit: 'million requests',
      unitPrice: prices.wafMillionRequests,
      hourly: false,
      assumption: `${USAGE}.wafMillionRequestsPerMonth = ${usage.wafMillionRequestsPerMonth}`,
    },
  ];
}

/** ISO 8601 duration of an FIS action (`PT5M`) in minutes; an action without one (a reboot) bills at least a minute. */
function actionMinutes(parameters: Record<string, unknown> | undefined): number {
  const match = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(String(parameters?.duration ?? ''));
  if (!match) return 1;
  const minutes = Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0) + Number(match[3] ?? 0) / 60;
  return Math.max(1, Math.ceil(minutes));
}

function experimentLines(ctx: PricingContext): LineSpec[] {
  const { resource: r, prices, usage } = ctx;
  const actions = Object.values(prop<Record<string, { Parameters?: Record<string, unknown> }>>(r, 'Actions') ?? {});
  const minutes = actions.reduce((sum, a) => sum + actionMinutes(a.Parameters), 0);
  return [
    {
      item: `experiment runs (${actions.length} action${actions.length === 1 ? '' : 's'}, ${minutes} action-minutes a run)`,
      key: 'runs',
      quantity: fixed(minutes * usage.fisRunsPerMonth),
      unit: 'action-minute',
      unitPrice: prices.fisActionMinute,
      hourly: false,
      assumption: `${USAGE}.fisRunsPerMonth = ${usage.fisRunsPerMonth}`,
    },
  ];
}

function backupVaultLines(ctx: PricingContext): LineSpec[] {
  const { prices, usage } = ctx;
  return [
    {
      item: 'recovery points held (Aurora/RDS snapshots)',
      quantity: fixed(usage.backupStorageGiB),
      unit: 'GiB-month',
      unitPrice: prices.backupAuroraSnapshotGbMonth,
      hourly: false,
      assumption: `${USAGE}.backupStorageGiB = ${usage.backupStorageGiB} GiB in the vault`,
    },
  ];
}

function backupPlanLines(ctx: PricingContext): LineSpec[] {
  const { resource: r, prices, usage } = ctx;
  const plan = prop<{ BackupPlanRule?: { CopyActions?: { DestinationBackupVaultArn?: unknown }[] }[] }>(r, 'BackupPlan');
  const copies = (plan?.BackupPlanRule ?? []).flatMap((rule) => rule.CopyActions ?? []);
  // The destination is an ARN CDK writes with Fn::Join (the partition is a Ref); its region is a literal part.
  const crossRegion = copies.filter((c) => {
    const region = /:backup:([a-z]{2}(?:-gov)?-[a-z]+-\d):/.exec(JSON.stringify(c.DestinationBackupVaultArn ?? ''))?.[1];
    return region !== undefined && region !== ctx.homeRegion;
  });
  if (crossRegion.length === 0) return [];
  return [
    {
      item: 'cross-region copy transfer',
      quantity: fixed(usage.backupStorageGiB),
      unit: 'GiB',
      unitPrice: prices.backupCrossRegionTransferGb,
      hourly: false,
      assumption: `the vault's ${usage.backupStorageGiB} GiB (${USAGE}.backupStorageGiB) sent once a month; copies after the first are incremental`,
    },
  ];
}

const priced = (lines: (ctx: PricingContext) => LineSpec[]): PricingRule => ({ kind: 'priced', lines });
const flat =
  (item: string, unit: string, price: (p: Prices) => number, hourly = false) =>
  (ctx: PricingContext): LineSpec[] => [{ item, quantity: fixed(1), unit, unitPrice: price(ctx.prices), hourly }];
const free = (reason: string): PricingRule => ({ kind: 'free', reason });
const usageOnly = (reason: string): PricingRule => ({ kind: 'usage-only', reason });

const NETWORK_PLUMBING = free('part of the VPC: no charge of its own');
const CONFIGURATION = free('configuration of a priced resource: no charge of its own');
const IAM = free('IAM is free');

/** Every resource type the app synthesizes, and how it is priced. */
export const PRICING: Readonly<Record<string, PricingRule>> = {
  // Database
  'AWS::RDS::DBCluster': priced(auroraClusterLines),
  'AWS::RDS::DBInstance': priced(dbInstanceLines),
  'AWS::RDS::DBProxy': priced(proxyLines),
  'AWS::RDS::DBProxyEndpoint': free('a proxy endpoint has no charge beyond the proxy'),
  'AWS::RDS::DBProxyTargetGroup': CONFIGURATION,
  'AWS::RDS::DBSubnetGroup': CONFIGURATION,
  'AWS::RDS::DBClusterParameterGroup': CONFIGURATION,
  'AWS::RDS::DBParameterGroup': CONFIGURATION,
  'AWS::ApplicationAutoScaling::ScalableTarget': priced(readerScalingLines),
  'AWS::ApplicationAutoScaling::ScalingPolicy': free('Application Auto Scaling is free; what it scales is priced'),
  // Cache
  'AWS::ElastiCache::ReplicationGroup': priced(cacheLines),
  'AWS::ElastiCache::ParameterGroup': CONFIGURATION,
  'AWS::ElastiCache::SubnetGroup': CONFIGURATION,
  // Network
  'AWS::EC2::NatGateway': priced((ctx) => [
    { item: 'NAT gateway', quantity: fixed(1), unit: 'gateway', unitPrice: ctx.prices.natGatewayHour, hourly: true },
    {
      item: 'data processed',
      quantity: fixed(ctx.usage.natDataGiBPerGateway),
      unit: 'GiB',
      unitPrice: ctx.prices.natGatewayDataGb,
      hourly: false,
      assumption: `${USAGE}.natDataGiBPerGateway = ${ctx.usage.natDataGiBPerGateway} GiB a month`,
    },
  ]),
  'AWS::EC2::EIP': priced(flat('public IPv4 address', 'address', (p) => p.publicIpv4Hour, true)),
  'AWS::EC2::VPC': NETWORK_PLUMBING,
  'AWS::EC2::Subnet': NETWORK_PLUMBING,
  'AWS::EC2::RouteTable': NETWORK_PLUMBING,
  'AWS::EC2::Route': NETWORK_PLUMBING,
  'AWS::EC2::SubnetRouteTableAssociation': NETWORK_PLUMBING,
  'AWS::EC2::InternetGateway': free('an internet gateway is free; data out is billed as data transfer, not modelled'),
  'AWS::EC2::VPCGatewayAttachment': NETWORK_PLUMBING,
  'AWS::EC2::SecurityGroup': NETWORK_PLUMBING,
  'AWS::EC2::SecurityGroupIngress': NETWORK_PLUMBING,
  'AWS::EC2::SecurityGroupEgress': NETWORK_PLUMBING,
  'AWS::Route53::HostedZone': priced(flat('hosted zone', 'zone', (p) => p.route53HostedZoneMonth)),
  'AWS::Route53::RecordSet': usageOnly('billed per million queries; a private zone answers lookups from the VPC only, a few a second'),
  'AWS::EC2::FlowLog': usageOnly('billed as vended-log ingestion into its log group, which the log group line prices'),
  // Services
  'AWS::ElasticLoadBalancingV2::LoadBalancer': priced(loadBalancerLines),
  'AWS::ElasticLoadBalancingV2::Listener': CONFIGURATION,
  'AWS::ElasticLoadBalancingV2::ListenerRule': CONFIGURATION,
  'AWS::ElasticLoadBalancingV2::TargetGroup': CONFIGURATION,
  'AWS::ECS::Cluster': free('an ECS cluster is free; its Fargate tasks are priced on their service'),
  'AWS::ECS::Service': priced(fargateLines),
  'AWS::ECS::TaskDefinition': free('priced on the service that runs it, per task'),
  'AWS::WAFv2::WebACL': priced(webAclLines),
  'AWS::WAFv2::WebACLAssociation': CONFIGURATION,
  'AWS::WAFv2::LoggingConfiguration': usageOnly('billed as log ingestion into its log group, which the log group line prices'),
  'AWS::CertificateManager::Certificate': free('public ACM certificates are free'),
  'AWS::ARCZonalShift::ZonalAutoshiftConfiguration': free('zonal shift and autoshift are free'),
  'AWS::Lambda::Function': usageOnly(
    'billed per request and GB-second; the functions here run at deploy time, on rotation and before a rollout, inside the free tier',
  ),
  'AWS::Serverless::Application': usageOnly(
    'the secret-rotation function from the Serverless Application Repository: billed per invocation (monthly), inside the free tier',
  ),
  // Encryption and secrets
  'AWS::KMS::Key': priced(flat('customer managed key', 'key', (p) => p.kmsKeyMonth)),
  'AWS::KMS::Alias': free('aliases are free'),
  'AWS::SecretsManager::Secret': priced(flat('secret', 'secret', (p) => p.secretMonth)),
  'AWS::SecretsManager::ResourcePolicy': CONFIGURATION,
  'AWS::SecretsManager::RotationSchedule': CONFIGURATION,
  'AWS::SecretsManager::SecretTargetAttachment': CONFIGURATION,
  'AWS::SSM::Parameter': free('standard-tier parameters are free'),
  'AWS::IAM::Role': IAM,
  'AWS::IAM::Policy': IAM,
  'AWS::IAM::ManagedPolicy': IAM,
  // Monitoring
  'AWS::CloudWatch::Alarm': priced(alarmLines),
  'AWS::CloudWatch::CompositeAlarm': priced(flat('composite alarm', 'alarm', (p) => p.cloudWatchCompositeAlarmMonth)),
  'AWS::CloudWatch::Dashboard': priced(flat('dashboard', 'dashboard', (p) => p.cloudWatchDashboardMonth)),
  'AWS::Logs::LogGroup': priced(logGroupLines),
  'AWS::SNS::Topic': usageOnly('billed per million publishes and per delivery; the first million publishes a month are free'),
  'AWS::SNS::Subscription': CONFIGURATION,
  'AWS::SNS::TopicPolicy': CONFIGURATION,
  'AWS::Events::Rule': free('rules matching AWS service events deliver them free'),
  'AWS::Budgets::Budget': free('the first two budgets of an account without actions are free'),
  // Storage and recovery
  'AWS::S3::Bucket': priced((ctx) => [
    {
      item: 'S3 Standard storage',
      quantity: fixed(ctx.usage.bucketStorageGiB),
      unit: 'GiB-month',
      unitPrice: ctx.prices.s3StandardGbMonth,
      hourly: false,
      assumption: `${USAGE}.bucketStorageGiB = ${ctx.usage.bucketStorageGiB} GiB`,
    },
  ]),
  'AWS::S3::BucketPolicy': CONFIGURATION,
  'AWS::Backup::BackupVault': priced(backupVaultLines),
  'AWS::Backup::BackupPlan': priced(backupPlanLines),
  'AWS::Backup::BackupSelection': CONFIGURATION,
  'AWS::Backup::RestoreTestingPlan': usageOnly(
    'each test restores the database and runs it for its validation window: billed as database hours while it runs, not modelled',
  ),
  'AWS::Backup::RestoreTestingSelection': CONFIGURATION,
  'AWS::FIS::ExperimentTemplate': priced(experimentLines),
  'AWS::CDK::Metadata': free('CDK bookkeeping'),
};

/** The rule of `type`: its entry, or for a custom resource the Lambda behind it. */
export function pricingRule(type: string): PricingRule | undefined {
  if (PRICING[type]) return PRICING[type];
  if (type.startsWith('Custom::')) return usageOnly('a custom resource runs its Lambda function at deploy time only');
  return undefined;
}

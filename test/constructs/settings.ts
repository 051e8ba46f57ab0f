/**
 * Props of the constructs that other constructs take (a database, a cache tier, a load balancer, a service), shared
 * by their own tests and by the tests of the constructs built on them (Observability). Plain values: each test
 * overrides what it looks at.
 */
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { type CapacityPlan, cacheCapacity, planCapacity } from '../../lib/capacity';
import type { AuroraDatabaseSettings, DatabaseProps, InstanceDatabaseSettings } from '../../lib/constructs/database';
import type { CacheTierSpec } from '../../lib/constructs/cache-tiers';
import type { LoadBalancerSettings } from '../../lib/constructs/load-balancer';
import type { WebServiceSettings } from '../../lib/constructs/web-service';

const DATABASE_COMMON = {
  readReplicas: 2,
  engineVersion: '17',
  allowMajorVersionUpgrade: false,
  databaseName: 'app',
  slowQueryLogMs: 500,
  logRetentionDays: 30,
  proxy: { idleClientTimeoutSeconds: 1800, borrowTimeoutSeconds: 30 },
  multiAz: true,
  storageEncrypted: true,
  deletionProtection: true,
  removalPolicy: 'snapshot',
  backup: { retentionDays: 7, preferredWindow: '03:00-04:00' },
  preferredMaintenanceWindow: 'sun:05:00-sun:06:00',
} as const;

export const AURORA_SETTINGS: AuroraDatabaseSettings = {
  ...DATABASE_COMMON,
  instanceClass: 'r7g.large',
  serverlessV2Capacity: { min: 0.5, max: 8 },
  readerAutoScaling: { min: 2, max: 4, targetCpuPercent: 60 },
};
export const POSTGRES_SETTINGS: InstanceDatabaseSettings = { ...DATABASE_COMMON, instanceClass: 'm7g.large' };

export function databasePlan(engine: 'aurora-postgresql' | 'postgres', readers: number): CapacityPlan {
  return planCapacity({
    engine,
    instanceClass: 'r7g.large',
    serverlessMaxCapacity: 8,
    readers,
    reservedConnections: 50,
    peakConcurrentRequests: 100,
    dbTimePerRequest: 0.1,
    readShare: 0.5,
    connectionPoolPerTask: 5,
    maxTasks: 10,
  }).plan;
}

/** The database props of either engine but its settings and capacity plan, in the VPC of `stackWithVpc`. */
export function databaseProps(vpc: ec2.IVpc, key: kms.IKey): Omit<DatabaseProps, 'settings' | 'capacityPlan'> {
  return {
    vpc,
    subnets: { subnetGroupName: 'isolated' },
    rotationSubnets: { subnetGroupName: 'private' },
    encryptionKey: key,
    namePrefix: 'app-dev',
    identities: [{ user: 'api', access: 'read-write', schema: 'api' }],
  };
}

/** A noeviction tier of one primary and one replica. */
export const CACHE_TIER_SPEC: CacheTierSpec = {
  name: 'critical',
  purpose: 'Sessions',
  evictionPolicy: 'noeviction',
  engineVersion: '8.0',
  parameterGroupFamily: 'valkey8',
  nodeType: 'cache.r7g.large',
  replicas: 1,
  multiAz: true,
  expectedKeys: 1_000_000,
  capacity: cacheCapacity({ nodeType: 'cache.r7g.large', shards: 1, reservedMemoryPercent: 25, bytesPerKey: 2048 }),
  snapshotRetentionDays: 15,
  snapshotWindow: '02:00-03:00',
  maintenanceWindow: 'sun:05:30-sun:06:30',
};

export const LOAD_BALANCER_SETTINGS: LoadBalancerSettings = {
  waf: true,
  wafRateLimitPer5Minutes: 2000,
  idleTimeoutSeconds: 60,
  desyncMitigationMode: 'strictest',
  deletionProtection: true,
  accessLogs: { retentionDays: 90 },
  zonalShift: { enabled: true },
  certificate: { arn: 'arn:aws:acm:eu-west-1:111111111111:certificate/abc' },
};

/** A rolling service of two to four tasks behind `/*`. */
export const WEB_SERVICE_SETTINGS: WebServiceSettings = {
  image: { source: 'registry', reference: 'public.ecr.aws/example/api:1' },
  cpu: 512,
  memory: 1024,
  port: 8080,
  user: '1000',
  tasks: { desired: 2, min: 2, max: 4 },
  routing: { priority: 10, pathPatterns: ['/*'], hosts: [] },
  healthCheck: {
    path: '/health/live',
    intervalSeconds: 10,
    timeoutSeconds: 5,
    healthyThresholdCount: 2,
    unhealthyThresholdCount: 3,
    gracePeriodSeconds: 30,
  },
  containerHealthCheck: { command: ['CMD', 'true'], intervalSeconds: 10, timeoutSeconds: 5, retries: 3, startPeriodSeconds: 10 },
  deregistrationDelaySeconds: 30,
  scaling: { cpuPercent: 60, memoryPercent: 70, requestsPerTarget: 500, scaleInCooldownSeconds: 300, scaleOutCooldownSeconds: 60 },
  scheduledScaling: [],
  deploymentAlarms: { max5xxPercent: 5, maxP99LatencyMs: 2000 },
  deployment: { canary: { percent: 10, bakeMinutes: 10 }, linear: { stepPercent: 25, stepMinutes: 5 }, bakeMinutes: 15 },
  loadBalancing: { algorithm: 'least-outstanding-requests', anomalyMitigation: false, slowStartSeconds: 0 },
  logRetentionDays: 30,
  environment: { LOG_LEVEL: 'info' },
  secrets: {},
};

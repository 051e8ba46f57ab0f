import type { EnvironmentOverrides } from '../load';

/** A developer's sandbox: one NAT gateway, no deletion protection, short retention. */
export default {
  environment: {
    production: false,
    account: '111111111111',
    region: 'eu-west-1',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  },
  network: {
    cidr: '10.10.0.0/16',
    natGateways: 1,
    flowLogs: { trafficType: 'REJECT', retentionDays: 14 },
  },
  database: {
    // Serverless v2 scales to 0.5 ACU when nobody is working: the cheapest Aurora that still has a reader.
    instanceClass: 'serverless',
    serverlessV2Capacity: { min: 0.5, max: 4 },
    readReplicas: 1,
    readerAutoScaling: { min: 1, max: 1 },
    multiAz: false,
    deletionProtection: false,
    removalPolicy: 'destroy',
    backup: { retentionDays: 1 },
    slowQueryLogMs: 250,
    logRetentionDays: 14,
  },
  capacity: { peakConcurrentRequests: 200, connectionPoolPerTask: 5, maxTasks: 4 },
  cache: {
    logRetentionDays: 14,
    tiers: {
      critical: { nodeType: 'cache.t4g.small', replicas: 0, multiAz: false, expectedKeys: 10_000, snapshotRetentionDays: 1 },
      hot: { nodeType: 'cache.t4g.small', replicas: 0, multiAz: false, expectedKeys: 50_000 },
    },
  },
  // Point-in-time recovery for a day (the database's own retention), a week of snapshots, no copy, no restore tests.
  recovery: {
    continuousBackup: { retentionDays: 1 },
    rules: { daily: { retentionDays: 7 } },
    restoreTesting: { enabled: false },
  },
  services: {
    api: { tasks: { desired: 1, min: 1, max: 2 }, logRetentionDays: 7 },
  },
  // No certificate: dev serves plain HTTP (see docs/services.md). No WAF, and a load balancer you can delete.
  loadBalancer: { waf: false, deletionProtection: false, accessLogs: { retentionDays: 7 } },
  // A few developers' traffic (docs/cost.md).
  cost: { usage: { databaseIoMillionsPerMonth: 10, natDataGiBPerGateway: 20, loadBalancerLcus: 1 } },
} satisfies EnvironmentOverrides;

import type { EnvironmentOverrides } from '../load';

/** Production: three zones, a NAT gateway in each, and every guard rail of the schema in force. */
export default {
  environment: {
    production: true,
    account: '333333333333',
    region: 'eu-west-1',
    availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  },
  tags: { DataClassification: 'confidential' },
  network: {
    cidr: '10.30.0.0/16',
    natGateways: 3,
    flowLogs: { trafficType: 'ALL', retentionDays: 365 },
  },
  database: {
    readReplicas: 2,
    readerAutoScaling: { min: 2, max: 6 },
    removalPolicy: 'snapshot',
    backup: { retentionDays: 14 },
  },
  cache: {
    logRetentionDays: 365,
    tiers: {
      critical: { replicas: 2, expectedKeys: 2_000_000 },
      hot: { nodeType: 'cache.r7g.xlarge', replicas: 2, expectedKeys: 3_000_000 },
    },
  },
  monitoring: {
    alarmSubscriptions: [{ protocol: 'email', endpoint: 'oncall@example.com' }],
  },
} satisfies EnvironmentOverrides;

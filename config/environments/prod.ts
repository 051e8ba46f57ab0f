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
    instanceClass: 'r7g.xlarge',
    readReplicas: 2,
    readerAutoScaling: { min: 2, max: 6 },
    removalPolicy: 'snapshot',
    backup: { retentionDays: 14 },
    logRetentionDays: 365,
    proxy: { reservedConnections: 100 },
  },
  // 20,000 requests in flight at the evening peak, 10% of each in the database, 60% of that reads:
  // 800 connections on the writer, 600 on each reader, out of 3,495 the proxy may open per instance.
  capacity: {
    peakConcurrentRequests: 20_000,
    dbTimePerRequest: 0.1,
    readShare: 0.6,
    connectionPoolPerTask: 25,
    maxTasks: 100,
  },
  cache: {
    logRetentionDays: 365,
    tiers: {
      critical: { replicas: 2, expectedKeys: 2_000_000 },
      hot: { nodeType: 'cache.r7g.xlarge', replicas: 2, expectedKeys: 3_000_000 },
    },
  },
  services: {
    api: {
      cpu: 512,
      memory: 1024,
      tasks: { desired: 3, min: 3, max: 12 },
      logRetentionDays: 365,
      // Canary (the production default): 10% for 10 minutes, then all, then 15 minutes of bake; the new version
      // must answer /health/ready through the test listener before it gets a single user request.
      deployment: { preTrafficHook: { path: '/health/ready' } },
      // Ahead of the weekday morning peak, then back to the floor at night.
      scheduledScaling: [
        { name: 'weekday-peak', schedule: 'cron(30 6 ? * MON-FRI *)', timeZone: 'Europe/Dublin', minTasks: 6, maxTasks: 12 },
        { name: 'night', schedule: 'cron(0 22 * * ? *)', timeZone: 'Europe/Dublin', minTasks: 3, maxTasks: 12 },
      ],
    },
  },
  loadBalancer: {
    certificate: { domainName: 'app.example.com', hostedZone: { id: 'Z0123456789EXAMPLEABC', name: 'example.com' } },
    accessLogs: { retentionDays: 365 },
    // Weekly practice shifts, never in the weekday morning peak (06:30-10:00 Dublin, in UTC).
    zonalShift: {
      autoshift: true,
      practiceRunBlockedWindows: [
        'Mon:05:00-Mon:10:00',
        'Tue:05:00-Tue:10:00',
        'Wed:05:00-Wed:10:00',
        'Thu:05:00-Thu:10:00',
        'Fri:05:00-Fri:10:00',
      ],
    },
  },
  // 500 GiB: point-in-time recovery within 5 minutes and back in about 100 minutes in the region; from the copy in
  // eu-central-1 within about 9.5 hours of data and under 3 hours (docs/recovery.md has the arithmetic).
  // Experiments stay off in production until a team opts in (`enabled: true`); their logs, if it does, are kept a year.
  chaos: { logRetentionDays: 365 },
  recovery: {
    objectives: {
      inRegion: { rpoMinutes: 15, rtoMinutes: 120 },
      regionLoss: { rpoMinutes: 600, rtoMinutes: 240 },
    },
    dataSizeGiB: 500,
    continuousBackup: { enabled: true, retentionDays: 14 },
    rules: {
      'every-4-hours': { frequency: 'every-4-hours', startUtc: '00:30', retentionDays: 7, copy: true },
      monthly: { frequency: 'monthly', startUtc: '05:00', retentionDays: 365, copy: false },
    },
    crossRegionCopy: { region: 'eu-central-1', retentionDays: 35 },
    vaultLock: { mode: 'governance', minRetentionDays: 7, maxRetentionDays: 400 },
  },
  monitoring: {
    alarmSubscriptions: [{ protocol: 'email', endpoint: 'oncall@example.com' }],
  },
  // The evening peak's month (docs/cost.md): the budget's first notification (actual spend at 80 %, $4,800) sits about
  // 20 % above the expected bill ($3,980), room for what the estimate leaves out (data transfer, requests), and below
  // the autoscaling maximum, so that the on-call channel hears of a month spent well above the usual, not of every
  // month; a pull request that raises the expected bill above the limit fails `npm run diff`.
  cost: {
    monthlyBudget: 6_000,
    usage: {
      databaseIoMillionsPerMonth: 2_000,
      natDataGiBPerGateway: 500,
      loadBalancerLcus: 20,
      logIngestedGiBPerGroup: 10,
      wafMillionRequestsPerMonth: 300,
    },
  },
} satisfies EnvironmentOverrides;

/**
 * Defaults shared by every environment. An environment file overrides any part of them; what it does not
 * mention comes from here. `environment` has no default: each environment file must say where it runs.
 *
 * The defaults are the safe choice wherever cost allows (encryption, deletion protection, snapshots on
 * removal); dev turns some of them down explicitly, so that the saving is visible in review.
 */
import type { AppConfigInput } from './schema';

/**
 * The defaults as written: what the schema itself defaults (a cache tier's engine version, port, windows, …)
 * is left to the schema, so that the default tiers and a tier a team adds get the same values from one place.
 */
export type Defaults = Omit<AppConfigInput, 'environment'>;

/**
 * What every service (`services.<name>`) gets for the fields it does not set, so that a new service is a few
 * lines of config. The figures are the failure-mode table's answers: a dead task out of rotation in about
 * 20 s (2 failed probes 10 s apart), drained in 30 s rather than the 300 s AWS default.
 */
export const SERVICE_DEFAULTS = {
  user: '1000:1000',
  healthCheck: {
    path: '/health/live',
    intervalSeconds: 10,
    timeoutSeconds: 5,
    healthyThresholdCount: 2,
    unhealthyThresholdCount: 2,
    gracePeriodSeconds: 60,
  },
  containerHealthCheck: {
    command: ['CMD', 'node', 'dist/healthcheck.js'],
    intervalSeconds: 10,
    timeoutSeconds: 5,
    retries: 3,
    startPeriodSeconds: 30,
  },
  deregistrationDelaySeconds: 30,
  scaling: { cpuPercent: 60, memoryPercent: 75, requestsPerTarget: 1000, scaleInCooldownSeconds: 300, scaleOutCooldownSeconds: 60 },
  scheduledScaling: [] as { name: string; schedule: string; timeZone?: string; minTasks: number; maxTasks: number }[],
  deploymentAlarms: { max5xxPercent: 5, maxP99LatencyMs: 2000 },
  logRetentionDays: 30,
  environment: {} as Record<string, string>,
  secrets: {} as Record<string, string>,
  database: { access: 'read-write' as 'read-write' | 'read-only' | 'none' },
};

export const DEFAULTS: Defaults = {
  app: {
    name: 'ScaledApp',
    owner: 'platform-team',
    costCenter: 'engineering',
  },
  tags: {},
  network: {
    cidr: '10.0.0.0/16',
    natGateways: 1,
    subnetCidrMask: { public: 24, private: 20, isolated: 24 },
    flowLogs: { trafficType: 'ALL', retentionDays: 90 },
  },
  database: {
    engine: 'aurora-postgresql',
    engineVersion: '17',
    allowMajorVersionUpgrade: false,
    instanceClass: 'r7g.large',
    serverlessV2Capacity: { min: 0.5, max: 8 },
    databaseName: 'app',
    readReplicas: 1,
    readerAutoScaling: { min: 1, max: 3, targetCpuPercent: 60 },
    multiAz: true,
    storageEncrypted: true,
    deletionProtection: true,
    removalPolicy: 'snapshot',
    backup: { retentionDays: 7, preferredWindow: '03:00-04:00' },
    preferredMaintenanceWindow: 'sun:04:30-sun:05:30',
    slowQueryLogMs: 500,
    logRetentionDays: 90,
    proxy: { idleClientTimeoutSeconds: 1800, borrowTimeoutSeconds: 10, reservedConnections: 50 },
  },
  // A mid-sized service: 2,000 requests in flight, 10% of each spent in the database, half of it reads.
  capacity: {
    peakConcurrentRequests: 2_000,
    dbTimePerRequest: 0.1,
    readShare: 0.5,
    connectionPoolPerTask: 10,
    maxTasks: 20,
  },
  cache: {
    logRetentionDays: 90,
    tiers: {
      // Data that must not silently disappear: at full memory it refuses writes, so the capacity model sizes it.
      critical: {
        purpose: 'Sessions and auth tokens: never evicted',
        evictionPolicy: 'noeviction',
        nodeType: 'cache.r7g.large',
        replicas: 1,
        multiAz: true,
        expectedKeys: 1_000_000,
        bytesPerKey: 2_048,
        snapshotRetentionDays: 15,
      },
      // Data the application can recompute: the least recently used keys make room for new ones.
      hot: {
        purpose: 'Query results and aggregations: least recently used keys evicted',
        evictionPolicy: 'allkeys-lru',
        nodeType: 'cache.r7g.large',
        replicas: 1,
        multiAz: true,
        expectedKeys: 2_000_000,
        bytesPerKey: 4_096,
        snapshotRetentionDays: 0,
        // An hour after the critical tier's, so that the two tiers never fail over at the same time.
        maintenanceWindow: 'sun:06:30-sun:07:30',
      },
    },
  },
  monitoring: {
    alarmSubscriptions: [],
    // A path inside the repository: alarm descriptions then read `docs/runbook.md#section`. Set your repository
    // host's URL of the file to make the links clickable in notifications.
    runbookUrl: 'docs/runbook.md',
    // Why each figure, and how to tune it: docs/observability.md.
    thresholds: {
      database: {
        cpuPercent: 80,
        freeableMemoryMiB: 512,
        freeStorageGiB: 10,
        connectionsPercent: 80,
        readLatencyMs: 20,
        writeLatencyMs: 20,
        replicaLagSeconds: 30,
      },
      proxy: {
        clientConnectionsPercent: 80,
        databaseConnectionsPercent: 90,
        borrowLatencyMs: 50,
        queryResponseLatencyMs: 500,
        pinnedConnectionsPercent: 20,
      },
      cache: {
        // The capacity model fills a noeviction tier to at most 70% at its stated load: 75% means the load grew.
        noevictionMemoryPercent: 75,
        evictingMemoryPercent: 90,
        engineCpuPercent: 80,
        connectionsPerNode: 10_000,
        replicationLagSeconds: 5,
        evictionsPerMinute: 1_000,
        minHitRatePercent: 80,
      },
      services: {
        cpuPercent: 90,
        memoryPercent: 90,
        belowDesiredMinutes: 5,
        target5xxPercent: 2,
        p99LatencyMs: 1_500,
        unhealthyHosts: 1,
      },
      loadBalancer: {
        elb5xxPercent: 1,
        rejectedConnections: 1,
      },
    },
  },
  services: {
    // The reference service in services/api: health endpoints that check the database proxy and every cache tier.
    api: {
      ...SERVICE_DEFAULTS,
      image: { source: 'directory', directory: 'services/api' },
      cpu: 256,
      memory: 512,
      port: 8080,
      tasks: { desired: 2, min: 2, max: 6 },
      routing: { priority: 100, pathPatterns: ['/*'], hosts: [] },
    },
  },
  // Why each figure, and the recovery model behind the objectives: docs/recovery.md.
  recovery: {
    objectives: {
      inRegion: { rpoMinutes: 15, rtoMinutes: 120 },
    },
    dataSizeGiB: 50,
    continuousBackup: { enabled: true, retentionDays: 7 },
    rules: {
      daily: { frequency: 'daily', startUtc: '05:00', retentionDays: 35, copy: true },
    },
    crossRegionCopy: { retentionDays: 35 },
    vaultLock: { mode: 'none', minRetentionDays: 1, maxRetentionDays: 3_650, changeableForDays: 3, complianceAcknowledged: false },
    restoreTesting: {
      enabled: true,
      schedule: 'cron(0 6 ? * SUN *)',
      scheduleTimezone: 'Etc/UTC',
      startWindowHours: 24,
      selectionWindowDays: 7,
    },
  },
  loadBalancer: {
    waf: true,
    wafRateLimitPer5Minutes: 2000,
    idleTimeoutSeconds: 60,
    desyncMitigationMode: 'strictest',
    deletionProtection: true,
    accessLogs: { retentionDays: 90 },
  },
  // What the cost estimate cannot read from a template (docs/cost.md): a mid-sized service's month.
  cost: {
    usage: {
      databaseIoMillionsPerMonth: 100,
      natDataGiBPerGateway: 100,
      loadBalancerLcus: 2,
      logIngestedGiBPerGroup: 1,
      bucketStorageGiB: 10,
      wafMillionRequestsPerMonth: 10,
      fisRunsPerMonth: 1,
    },
  },
  // Experiments are on outside production unless an environment says otherwise (chaos-rules.ts: chaosEnabled).
  chaos: {
    durationMinutes: 5,
    stopTasksPercent: 50,
    taskFaultPercent: 50,
    cpuStressPercent: 80,
    latencyMs: 200,
    packetLossPercent: 10,
    logRetentionDays: 90,
    ssmAgentImage: 'public.ecr.aws/amazon-ssm-agent/amazon-ssm-agent:latest',
  },
};

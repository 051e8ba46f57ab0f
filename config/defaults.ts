/**
 * Defaults shared by every environment. An environment file overrides any part of them; what it does not
 * mention comes from here. `environment` has no default: each environment file must say where it runs.
 *
 * The defaults are the safe choice wherever cost allows (encryption, deletion protection, snapshots on
 * removal); dev turns some of them down explicitly, so that the saving is visible in review.
 */
import type { AppConfig } from './schema';

export type Defaults = Omit<AppConfig, 'environment'>;

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
    engineVersion: '17.7',
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
        engineVersion: '8.0',
        parameterGroupFamily: 'valkey8',
        nodeType: 'cache.r7g.large',
        clusterMode: false,
        shards: 1,
        replicas: 1,
        multiAz: true,
        port: 6379,
        reservedMemoryPercent: 25,
        expectedKeys: 1_000_000,
        bytesPerKey: 2_048,
        snapshotRetentionDays: 15,
        snapshotWindow: '02:00-03:00',
        maintenanceWindow: 'sun:05:30-sun:06:30',
      },
      // Data the application can recompute: the least recently used keys make room for new ones.
      hot: {
        purpose: 'Query results and aggregations: least recently used keys evicted',
        evictionPolicy: 'allkeys-lru',
        engineVersion: '8.0',
        parameterGroupFamily: 'valkey8',
        nodeType: 'cache.r7g.large',
        clusterMode: false,
        shards: 1,
        replicas: 1,
        multiAz: true,
        port: 6379,
        reservedMemoryPercent: 25,
        expectedKeys: 2_000_000,
        bytesPerKey: 4_096,
        snapshotRetentionDays: 0,
        snapshotWindow: '02:00-03:00',
        // An hour after the critical tier's, so that the two tiers never fail over at the same time.
        maintenanceWindow: 'sun:06:30-sun:07:30',
      },
    },
  },
  monitoring: {
    alarmSubscriptions: [],
  },
};

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
  monitoring: {
    alarmSubscriptions: [],
  },
};

import { z } from 'zod';
import { INSTANCE_CLASS_NAMES } from '../../lib/capacity';
import { dailyWindow, int, logRetentionDays, weeklyWindow } from './primitives';

import { DATABASE_ENGINES } from '../../lib/database/engines';

export const databaseSchema = z
  .strictObject({
    engine: z.enum(DATABASE_ENGINES).meta({
      description:
        '`aurora-postgresql`: an Aurora cluster (writer and Aurora readers). `postgres`: an RDS for PostgreSQL primary with read replicas.',
    }),
    readReplicas: int(0, 15).meta({ description: 'Read replicas (Aurora readers) behind the reader endpoint.' }),
    readerAutoScaling: z
      .strictObject({
        min: int(0, 15).meta({ description: 'Fewest readers auto scaling may leave.' }),
        max: int(0, 15).meta({ description: 'Most readers auto scaling may add.' }),
        targetCpuPercent: int(10, 90).meta({ description: 'Average reader CPU that auto scaling holds.' }),
      })
      .meta({
        description:
          'Reader auto scaling (Aurora): the reader count moves between min and max to hold the CPU target. RDS cannot auto scale `postgres` read replicas; that engine deploys `readReplicas` and ignores this.',
      }),
    engineVersion: z.string().meta({
      description:
        'Major engine version, such as `17`, whose parameter group this app configures (14 to 17). Minor versions follow AWS automatic minor upgrades; a pinned minor is refused (docs/database.md#engine-versions).',
    }),
    allowMajorVersionUpgrade: z.boolean().meta({
      description:
        'Set to true in the change that raises `engineVersion` to a new major, and only then: `npm run diff` blocks a major upgrade without it. The procedure: docs/runbook.md#major-version-upgrade.',
    }),
    instanceClass: z
      .enum(INSTANCE_CLASS_NAMES, {
        error: `expected one of the instance classes of lib/capacity/instance-classes.ts (${INSTANCE_CLASS_NAMES.join(', ')})`,
      })
      .meta({
        description:
          "Instance class of the writer and of every reader (a reader is a failover target, so it must carry the writer's load), without the `db.` prefix; `serverless` is Aurora Serverless v2. Its memory sets `max_connections` in the capacity model.",
      }),
    serverlessV2Capacity: z
      .strictObject({
        min: z
          .number()
          .min(0, { error: 'expected at least 0 ACU' })
          .max(256, { error: 'expected at most 256 ACU' })
          .multipleOf(0.5, { error: 'expected a multiple of 0.5 ACU' })
          .meta({ description: 'Fewest Aurora capacity units (ACU) an instance scales down to; 0 lets it pause.' }),
        max: z
          .number()
          .min(1, { error: 'expected at least 1 ACU' })
          .max(256, { error: 'expected at most 256 ACU' })
          .multipleOf(0.5, { error: 'expected a multiple of 0.5 ACU' })
          .meta({ description: 'Most ACU an instance scales up to (1 ACU is about 2 GiB); sets `max_connections` in the capacity model.' }),
      })
      .meta({ description: 'Capacity range of Serverless v2 instances; used when `instanceClass` is `serverless`.' }),
    databaseName: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,62}$/, {
        message: 'expected a PostgreSQL database name: lowercase letters, digits and underscores, starting with a letter',
      })
      .meta({ description: 'Name of the application database created with the cluster or instance.' }),
    slowQueryLogMs: int(-1, 3_600_000).meta({
      description:
        '`log_min_duration_statement`: statements that run at least this many milliseconds are logged with their text; -1 turns it off.',
    }),
    logRetentionDays: logRetentionDays().meta({
      description: 'Days to keep the PostgreSQL logs exported to CloudWatch Logs (encrypted with the database key).',
    }),
    proxy: z
      .strictObject({
        idleClientTimeoutSeconds: int(1, 28_800).meta({
          description: 'Seconds a client connection may sit idle before the proxy closes it (its database connection returns to the pool).',
        }),
        borrowTimeoutSeconds: int(1, 3_600).meta({
          description:
            "Seconds a request waits for a database connection from a full pool before the proxy fails it; keep it below the service's request timeout so that a saturated database fails fast.",
        }),
        reservedConnections: int(0, 5_000).meta({
          description:
            'Connections of `max_connections` the proxy leaves for everything else (administrators, migrations, secret rotation, superuser slots); the rest is its share (`MaxConnectionsPercent`).',
        }),
      })
      .meta({ description: 'The RDS Proxy in front of the writer (and, with Aurora, the readers).' }),
    multiAz: z.boolean().meta({
      description:
        'Survive the loss of an availability zone: a standby for `postgres`, readers spread over zones for Aurora. Required in production.',
    }),
    storageEncrypted: z.boolean().meta({ description: 'Encrypt storage with a customer-managed KMS key. Required in production.' }),
    deletionProtection: z.boolean().meta({ description: 'Refuse API deletion of the database. Required in production.' }),
    removalPolicy: z.enum(['snapshot', 'retain', 'destroy']).meta({
      description:
        'What CloudFormation does with the database when it leaves the template: keep a final snapshot, keep the database, or delete it. `destroy` is refused in production.',
    }),
    backup: z
      .strictObject({
        retentionDays: int(0, 35).meta({ description: 'Days of automated backups; 0 turns them off. At least 7 in production.' }),
        preferredWindow: dailyWindow().meta({ description: 'Daily UTC window for automated backups.' }),
      })
      .meta({ description: 'Automated backups.' }),
    preferredMaintenanceWindow: weeklyWindow().meta({
      description: 'Weekly UTC window for maintenance; must not overlap the backup window.',
    }),
  })
  .meta({ description: 'The PostgreSQL writer, its readers and their safety settings.' });

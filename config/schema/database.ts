import { z } from 'zod';
import { dailyWindow, int, weeklyWindow } from './primitives';

export const DATABASE_ENGINES = ['aurora-postgresql', 'postgres'] as const;

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
      .meta({ description: 'Reader auto scaling (Aurora): the reader count moves between min and max to hold the CPU target.' }),
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

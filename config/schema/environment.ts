import { z } from 'zod';
import { arn, awsAccountId, awsRegion } from './primitives';

export const appSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Z][A-Za-z0-9]{1,30}$/, {
        message: 'expected a PascalCase name of 2 to 31 letters and digits, such as ScaledApp (it prefixes every stack name)',
      })
      .meta({ description: 'Application name; stacks are named `<name>-<env>-<Layer>`.' }),
    owner: z.string().min(1).meta({ description: 'Team that owns the deployment; applied as the `Owner` tag.' }),
    costCenter: z.string().min(1).meta({ description: 'Cost centre billed for the resources; applied as the `CostCenter` tag.' }),
    permissionsBoundaryArn: arn('iam', 'policy')
      .optional()
      .meta({ description: 'IAM managed policy applied as the permissions boundary of every role the app creates.' }),
  })
  .meta({ description: 'The application and its owners.' });

export const environmentSchema = z
  .strictObject({
    name: z.string().meta({ description: 'Set by the loader from the file name; not written in the file.' }),
    production: z.boolean().meta({
      description:
        'Marks a production environment: the guard rails of the schema apply (Multi-AZ, backups, deletion protection, encryption).',
    }),
    account: awsAccountId().meta({ description: 'AWS account the environment deploys to.' }),
    region: awsRegion().meta({ description: 'AWS region the environment deploys to.' }),
    availabilityZones: z
      .array(
        z
          .string()
          .regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d[a-z]$/, { message: 'expected an availability zone name such as eu-west-1a' }),
      )
      .min(2, { message: 'expected at least 2 availability zones' })
      .max(6, { message: 'expected at most 6 availability zones' })
      .meta({
        description:
          'Availability zones the VPC spans, in order. Configuration rather than a lookup, so that synthesis is offline and deterministic.',
      }),
    reserveLambdaConcurrency: z.boolean().default(true).meta({
      description:
        "Whether the project's own Lambda functions (the database identity bootstrap, each schema migration and pre-traffic hook) reserve their concurrency (1, 1 and 2), as the NIST 800-53 and HIPAA packs ask. Lambda refuses a reservation that leaves the account fewer than 100 unreserved concurrent executions, and a new account can start with a quota of 10 or 50: there the first deploy fails on the function. Set false for such an account (or ask for a higher quota); the packs' LambdaConcurrency rule is then acknowledged on each function.",
    }),
  })
  .meta({
    description: 'Where the environment runs. Required in every environment file; only `reserveLambdaConcurrency` has a default.',
  });

export const tagsSchema = z
  .record(
    z.string().regex(/^(?!aws:)[\w .:/=+\-@]{1,128}$/, { message: 'expected a tag key of 1 to 128 characters not starting with aws:' }),
    z.string().max(256),
  )
  .meta({ description: 'Extra tags applied to every resource, besides Application, Environment, Owner and CostCenter.' });

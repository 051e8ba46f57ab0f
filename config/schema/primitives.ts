/**
 * Building blocks shared by every section of the configuration schema.
 *
 * Each primitive carries its own `expected` wording, so that an error reads
 * `network.cidr: expected an IPv4 CIDR block such as 10.0.0.0/16, got "10.0.0/16"`
 * whichever section it appears in.
 */
import { z } from 'zod';

/** The retention periods CloudWatch Logs accepts; any other number is rejected by the API at deploy time. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const logRetentionDays = () =>
  z
    .number()
    .refine((n) => (LOG_RETENTION_DAYS as readonly number[]).includes(n), {
      message: `expected one of the retention periods CloudWatch Logs accepts (${LOG_RETENTION_DAYS.join(', ')})`,
    })
    .meta({ description: 'Days to keep log events; one of the values CloudWatch Logs accepts.' });

export const int = (min: number, max?: number) => {
  let schema = z.int({ error: 'expected an integer' }).min(min, { error: `expected an integer >= ${min}` });
  if (max !== undefined) schema = schema.max(max, { error: `expected an integer <= ${max}` });
  return schema;
};

export const cidrBlock = () =>
  z.cidrv4({ message: 'expected an IPv4 CIDR block such as 10.0.0.0/16' }).refine(
    (cidr) => {
      const prefix = Number(cidr.split('/')[1]);
      // A malformed block is reported by the format check above; this rule speaks only of the prefix.
      return Number.isNaN(prefix) || (prefix >= 16 && prefix <= 28);
    },
    { message: 'expected a prefix length between /16 and /28, the range a VPC accepts' },
  );

export const awsAccountId = () => z.string().regex(/^\d{12}$/, { message: 'expected a 12-digit AWS account ID' });

export const awsRegion = () =>
  z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, { message: 'expected an AWS region name such as eu-west-1' });

/**
 * An ARN of the given service (and, optionally, resource type).
 * `arn('iam', 'policy')` accepts `arn:aws:iam::123456789012:policy/Boundary`.
 */
export const arn = (service: string, resourceType?: string) => {
  const resource = resourceType ? `${resourceType}[/:].+` : '.+';
  const pattern = new RegExp(`^arn:aws(-cn|-us-gov|-iso|-iso-b)?:${service}:[a-z0-9-]*:(\\d{12})?:${resource}$`);
  const example = `arn:aws:${service}:${service === 'iam' ? '' : 'eu-west-1'}:123456789012:${resourceType ?? 'resource'}/name`;
  return z.string().regex(pattern, {
    message: `expected an ARN of ${service}${resourceType ? ` ${resourceType}` : ''} such as ${example}`,
  });
};

/** A name that is safe as a DNS label, a CloudFormation logical-ID fragment and an environment-variable prefix. */
export const dnsLabel = () =>
  z.string().regex(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$|^[a-z]$/, {
    message: 'expected a DNS-safe name: lowercase letters, digits and hyphens, starting with a letter, at most 32 characters',
  });

/** `hh:mm-hh:mm`, the daily window format RDS and ElastiCache use for backups. */
export const dailyWindow = () =>
  z.string().regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, {
    message: 'expected a daily UTC window hh:mm-hh:mm such as 03:00-04:00',
  });

/** `ddd:hh:mm-ddd:hh:mm`, the weekly window format RDS and ElastiCache use for maintenance. */
export const weeklyWindow = () =>
  z.string().regex(/^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$/, {
    message: 'expected a weekly UTC window ddd:hh:mm-ddd:hh:mm such as sun:04:00-sun:05:00',
  });

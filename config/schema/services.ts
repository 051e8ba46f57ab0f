/**
 * The service tier: the ECS Fargate services (`services.<name>`) and the Application Load Balancer in front
 * of them (`loadBalancer`). Cross-field rules (CPU and memory pairs, task bounds, routing conflicts,
 * production minimums) are in ./service-rules.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { SERVICE_DEFAULTS as D } from '../defaults';
import { arn, dnsLabel, int, logRetentionDays } from './primitives';
import { PROJECT_ROOT } from '../project-root';
import { deploymentSchema, loadBalancingSchema, zonalShiftSchema } from './rollout';

/** The project root, against which an image directory is resolved. */

/**
 * The CPU and memory pairs Fargate (Linux) offers, from the ECS task-size table. Any other pair is rejected
 * by the ECS API at deploy time, after the stack has started updating: catch it at synth.
 * CPU units (1024 = 1 vCPU) → memory sizes in MiB.
 */
export const FARGATE_TASK_SIZES: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let n = from; n <= to; n += step) out.push(n);
  return out;
}

/** Names a container receives from the stack itself; config may not redefine them. */
export const RESERVED_ENVIRONMENT_PREFIXES = ['DATABASE_', 'CACHE_', 'AWS_', 'ECS_'] as const;
export const RESERVED_ENVIRONMENT_NAMES = ['PORT', 'SERVICE_NAME', 'HTTP_KEEP_ALIVE_TIMEOUT_MS'] as const;

const environmentName = () =>
  z.string().regex(/^[A-Z][A-Z0-9_]*$/, { message: 'expected an environment variable name of capital letters, digits and _' });

/** A listener-rule path pattern: `/`, then what ALB path patterns allow (`*` any run of characters, `?` one), at most 128 characters. */
const pathPattern = () =>
  z
    .string()
    .regex(/^\/[\w\-./*?~%+@:]*$/, { message: 'expected a path pattern starting with /' })
    .max(128, { message: 'expected a path pattern of at most 128 characters' });

const secretReference = () =>
  z.string().regex(/^arn:aws(-cn|-us-gov)?:(secretsmanager:[a-z0-9-]+:\d{12}:secret:.+|ssm:[a-z0-9-]+:\d{12}:parameter\/.+)$/, {
    message:
      'expected the ARN of a Secrets Manager secret (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME) or of an SSM parameter (arn:aws:ssm:REGION:ACCOUNT:parameter/NAME)',
  });

const imageSchema = z
  .discriminatedUnion('source', [
    z.strictObject({
      source: z.literal('directory'),
      directory: z
        .string()
        .refine((dir) => !path.isAbsolute(dir) && fs.existsSync(path.join(PROJECT_ROOT, dir, 'Dockerfile')), {
          message: 'expected a directory, relative to the project root, that holds a Dockerfile',
        })
        .meta({ description: 'Directory (relative to the project root) with a Dockerfile; built by `cdk deploy` as an image asset.' }),
    }),
    z.strictObject({
      source: z.literal('registry'),
      reference: z
        .string()
        .regex(/^[a-z0-9][a-z0-9._\-/:]*(:[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})$/, {
          message: 'expected an image reference with a tag or a digest, such as my-org/api:1.4.2',
        })
        .meta({ description: 'Image reference with a tag or digest (prefer a digest or an immutable tag in production).' }),
    }),
  ])
  .meta({
    description:
      'Where the image comes from: `{ source: "directory", directory }` builds a directory as an asset; `{ source: "registry", reference }` pulls a published image.',
  });

const scheduledScalingSchema = z.strictObject({
  name: dnsLabel().meta({ description: 'Name of the scheduled action (unique within the service).' }),
  schedule: z
    .string()
    .regex(/^(cron\(.+\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\)|at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\))$/, {
      message: 'expected a schedule expression: cron(...), rate(N unit) or at(yyyy-mm-ddThh:mm:ss)',
    })
    .meta({ description: 'When the action runs: `cron(0 7 ? * MON-FRI *)`, `rate(1 day)` or `at(...)`.' }),
  timeZone: z
    .string()
    .regex(/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/, { message: 'expected an IANA time zone such as Europe/Dublin' })
    .optional()
    .meta({ description: 'IANA time zone of the schedule; UTC when absent.' }),
  minTasks: int(0, 1000).meta({ description: 'Fewest tasks from this time on.' }),
  maxTasks: int(1, 1000).meta({ description: 'Most tasks from this time on.' }),
});

export const serviceSchema = z
  .strictObject({
    image: imageSchema,
    cpu: z
      .number()
      .refine((n) => Object.keys(FARGATE_TASK_SIZES).map(Number).includes(n), {
        message: `expected one of the Fargate CPU sizes (${Object.keys(FARGATE_TASK_SIZES).join(', ')})`,
      })
      .meta({ description: 'Task CPU units (1024 = 1 vCPU). The pair with `memory` must be one Fargate offers.' }),
    memory: int(512, 122880).meta({ description: 'Task memory in MiB; must be offered by Fargate for `cpu` (see docs/services.md).' }),
    port: int(1024, 65535).meta({
      description: 'Port the container listens on. Above 1023, since the container runs as a non-root user without extra capabilities.',
    }),
    user: z
      .string()
      .regex(/^[1-9]\d*(:[1-9]\d*)?$/, { message: 'expected a non-root numeric uid or uid:gid, such as 1000:1000' })
      .default(D.user)
      .meta({ description: 'Numeric user (and group) the container runs as; never root.' }),
    tasks: z
      .strictObject({
        desired: int(0, 1000).meta({ description: 'Tasks at creation; auto scaling moves it between `min` and `max` afterwards.' }),
        min: int(0, 1000).meta({ description: 'Fewest tasks auto scaling may leave. At least 2 in production.' }),
        max: int(1, 1000).meta({ description: 'Most tasks auto scaling may add.' }),
      })
      .meta({ description: 'Task counts.' }),
    routing: z
      .strictObject({
        priority: int(2, 50000).meta({
          description:
            'Listener-rule priority, unique across services; lower is evaluated first. 1 is the load balancer’s own rule for `loadBalancer.internalPaths`.',
        }),
        pathPatterns: z.array(pathPattern()).default([]).meta({ description: 'Path patterns (`/api/*`) that route to the service.' }),
        hosts: z
          .array(
            z.string().regex(/^(\*\.)?([a-z0-9*?]([a-z0-9*?-]*[a-z0-9*?])?\.)+[a-z0-9*?-]+$/, {
              message: 'expected a host name such as api.example.com',
            }),
          )
          .default([])
          .meta({ description: 'Host headers (`api.example.com`) that route to the service.' }),
      })
      .meta({ description: 'Which requests the load balancer sends to the service: path patterns, hosts, or both (all must match).' }),
    healthCheck: z
      .strictObject({
        path: z
          .string()
          .regex(/^\/[\w\-./~%]*$/, { message: 'expected a path starting with /' })
          .default(D.healthCheck.path)
          .meta({ description: 'Path the load balancer probes; a shallow liveness endpoint, not one that checks dependencies.' }),
        intervalSeconds: int(5, 300)
          .default(D.healthCheck.intervalSeconds)
          .meta({ description: 'Seconds between load-balancer probes of each task.' }),
        timeoutSeconds: int(2, 120)
          .default(D.healthCheck.timeoutSeconds)
          .meta({ description: 'Seconds a probe may take; must be less than the interval.' }),
        healthyThresholdCount: int(2, 10)
          .default(D.healthCheck.healthyThresholdCount)
          .meta({ description: 'Consecutive successes before a task receives traffic.' }),
        unhealthyThresholdCount: int(2, 10)
          .default(D.healthCheck.unhealthyThresholdCount)
          .meta({ description: 'Consecutive failures before a task stops receiving traffic.' }),
        gracePeriodSeconds: int(0, 7200)
          .default(D.healthCheck.gracePeriodSeconds)
          .meta({ description: 'Seconds after a task starts during which ECS ignores failed probes.' }),
      })
      .prefault({})
      .meta({ description: 'Target-group health check: how fast a dead task stops receiving traffic (interval × unhealthy threshold).' }),
    containerHealthCheck: z
      .strictObject({
        command: z
          .array(z.string())
          .min(2, { message: 'expected a command such as ["CMD", "node", "dist/healthcheck.js"]' })
          .refine((c) => c[0] === 'CMD' || c[0] === 'CMD-SHELL', { message: 'expected a command starting with "CMD" or "CMD-SHELL"' })
          .default(D.containerHealthCheck.command)
          .meta({ description: 'Health-check command run inside the container; exit 0 is healthy.' }),
        intervalSeconds: int(5, 300).default(D.containerHealthCheck.intervalSeconds).meta({ description: 'Seconds between checks.' }),
        timeoutSeconds: int(2, 60).default(D.containerHealthCheck.timeoutSeconds).meta({ description: 'Seconds a check may take.' }),
        retries: int(1, 10)
          .default(D.containerHealthCheck.retries)
          .meta({ description: 'Consecutive failures before ECS replaces the task.' }),
        startPeriodSeconds: int(0, 300)
          .default(D.containerHealthCheck.startPeriodSeconds)
          .meta({ description: 'Seconds after start during which failures do not count.' }),
      })
      .prefault({})
      .meta({ description: 'Container health check run by ECS: replaces a task that hangs even when no request reaches it.' }),
    deregistrationDelaySeconds: int(0, 3600).default(D.deregistrationDelaySeconds).meta({
      description: 'Seconds the load balancer drains a stopping task (the AWS default of 300 keeps dead tasks listed for 5 minutes).',
    }),
    scaling: z
      .strictObject({
        cpuPercent: int(10, 95).default(D.scaling.cpuPercent).meta({ description: 'Average CPU utilization that auto scaling holds.' }),
        memoryPercent: int(10, 95)
          .default(D.scaling.memoryPercent)
          .meta({ description: 'Average memory utilization that auto scaling holds.' }),
        requestsPerTarget: int(1, 1000000)
          .default(D.scaling.requestsPerTarget)
          .meta({ description: 'Requests per task per minute that auto scaling holds.' }),
        scaleInCooldownSeconds: int(0, 3600)
          .default(D.scaling.scaleInCooldownSeconds)
          .meta({ description: 'Seconds between scale-in steps.' }),
        scaleOutCooldownSeconds: int(0, 3600)
          .default(D.scaling.scaleOutCooldownSeconds)
          .meta({ description: 'Seconds between scale-out steps.' }),
      })
      .prefault({})
      .meta({ description: 'Target-tracking auto scaling on CPU, memory and requests per task.' }),
    scheduledScaling: z.array(scheduledScalingSchema).default(D.scheduledScaling).meta({
      description: 'Scheduled changes of the task bounds (before a known peak, at night): `{ name, schedule, minTasks, maxTasks }`.',
    }),
    deploymentAlarms: z
      .strictObject({
        max5xxPercent: z
          .number()
          .gt(0)
          .max(100)
          .default(D.deploymentAlarms.max5xxPercent)
          .meta({ description: 'Target 5xx responses, as % of requests, that roll a deployment back.' }),
        maxP99LatencyMs: int(10, 60000)
          .default(D.deploymentAlarms.maxP99LatencyMs)
          .meta({ description: 'p99 target response time (ms) that rolls a deployment back.' }),
      })
      .prefault({})
      .meta({ description: 'Alarms ECS watches during a deployment; in alarm, the deployment rolls back.' }),
    deployment: deploymentSchema,
    loadBalancing: loadBalancingSchema,
    logRetentionDays: logRetentionDays().default(D.logRetentionDays),
    environment: z
      .record(environmentName(), z.string())
      .default(D.environment)
      .meta({ description: 'Plain environment variables. Never secrets: those go in `secrets`.' }),
    database: z
      .strictObject({
        access: z.enum(['read-write', 'read-only', 'none']).default(D.database.access).meta({
          description:
            'What the service may do in the database: `read-write` gets a writer user `<name>` (read-write on `schema`) and a reader user `<name>_reader` (read-only); `read-only` gets the reader user only; `none` gets no user and no route to the database. `-` in a service name becomes `_`.',
        }),
        schema: z
          .string()
          .regex(/^[a-z][a-z0-9_]{0,62}$/, {
            message: 'expected a PostgreSQL schema name: lower-case letters, digits and _, starting with a letter',
          })
          .optional()
          .meta({ description: "Schema the users work in; the writer user's name when absent (`api` for service `api`)." }),
      })
      .prefault({})
      .meta({
        description:
          "The service's database identity, created by the stack at deploy time (see docs/database.md). The service logs in as it with an IAM token, never with a password.",
      }),
    cacheTiers: z.array(dnsLabel()).optional().meta({
      description:
        'Cache tiers (names in `cache.tiers`) the service uses: it gets their endpoints, their AUTH secret and a route to them, and nothing of the others. Every tier when absent.',
    }),
    secrets: z.record(environmentName(), secretReference()).default(D.secrets).meta({
      description: 'Environment variables filled by ECS from Secrets Manager secrets or SSM parameters, by ARN.',
    }),
  })
  .meta({ description: 'One ECS Fargate service behind the load balancer.' });

export const servicesSchema = z
  .record(dnsLabel(), serviceSchema)
  .meta({ description: 'The services, by name. Adding an entry adds a service (see docs/services.md).' });

const certificateSchema = z
  .union([
    z.strictObject({
      arn: arn('acm', 'certificate').meta({ description: 'ARN of an existing ACM certificate in the region of the environment.' }),
    }),
    z.strictObject({
      domainName: z
        .string()
        .regex(/^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/, { message: 'expected a domain name such as app.example.com' })
        .meta({ description: 'Domain name of a new certificate, validated through DNS in `hostedZone`.' }),
      hostedZone: z
        .strictObject({
          id: z.string().regex(/^Z[A-Z0-9]{1,31}$/, { message: 'expected a Route 53 hosted zone ID such as Z0123456789ABCDEFGHIJ' }),
          name: z.string().regex(/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/, { message: 'expected a zone name such as example.com' }),
        })
        .meta({ description: 'The Route 53 zone that validates the certificate, by ID and name (never looked up).' }),
    }),
  ])
  .meta({
    description:
      'HTTPS certificate: `{ arn }` imports one, `{ domainName, hostedZone: { id, name } }` creates one validated through DNS. Without it the load balancer serves plain HTTP (refused in production).',
  });

export const loadBalancerSchema = z
  .strictObject({
    certificate: certificateSchema.optional(),
    waf: z
      .boolean()
      .meta({ description: 'Attach an AWS WAF web ACL with AWS managed rule groups and a per-IP rate limit. Required in production.' }),
    wafRateLimitPer5Minutes: int(100, 2000000000).meta({
      description: 'Requests one IP address may make in 5 minutes before WAF blocks it.',
    }),
    idleTimeoutSeconds: int(1, 4000).meta({
      description: 'Seconds an idle client connection stays open; services keep their own keep-alive longer.',
    }),
    desyncMitigationMode: z.enum(['strictest', 'defensive']).meta({
      description: 'HTTP desync mitigation: `strictest` rejects every non-compliant request, `defensive` only the risky ones.',
    }),
    deletionProtection: z.boolean().meta({ description: 'Refuse API deletion of the load balancer. Required in production.' }),
    accessLogs: z
      .strictObject({
        retentionDays: logRetentionDays().meta({
          description: 'Days the access logs (S3) and the WAF logs (CloudWatch Logs) are kept; one of the values CloudWatch Logs accepts.',
        }),
      })
      .meta({ description: 'Access logs to an encrypted, TLS-only S3 bucket, and WAF logs to an encrypted log group.' }),
    testListenerPort: int(1024, 65535).default(9000).meta({
      description:
        'Port of the test listener, created when a service has a pre-traffic hook: it routes to the new version before production traffic does, and admits only the VPC’s NAT gateway addresses.',
    }),
    zonalShift: zonalShiftSchema,
    internalPaths: z
      .array(pathPattern())
      .max(5, { message: 'expected at most 5 path patterns (a load balancer rule evaluates at most 5)' })
      .default(['/health/ready', '/metrics'])
      .meta({
        description:
          'Paths the public listener answers with 404 itself, before any service: endpoints for the VPC, not the internet. The default is the reference service’s deep health check (a database and cache login per request) and its metrics. The test listener still routes them, for pre-traffic hooks. `[]` routes every path to the services.',
      }),
  })
  .meta({ description: 'The internet-facing Application Load Balancer in front of the services.' });

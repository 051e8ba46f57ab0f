import { z } from 'zod';
import { int } from './primitives';

/** A usage figure of the cost model: zero is allowed (nothing of it), a negative one is not. */
const usage = () => z.number({ error: 'expected a number' }).min(0, { error: 'expected a number >= 0' });

/**
 * What the estimate of `npm run cost` cannot read from a template: how much is stored, sent and processed. Each
 * usage-based line of the estimate prints the figure it used (docs/cost.md); an environment overrides any of them.
 */
export const costUsageSchema = z
  .strictObject({
    databaseStorageGiB: usage()
      .optional()
      .meta({ description: 'Database storage billed per GiB-month. Unset: `recovery.dataSizeGiB`, the size the recovery model assumes.' }),
    databaseIoMillionsPerMonth: usage().meta({
      description: 'Millions of database I/O requests a month (Aurora Standard bills them per million; RDS gp3 includes them).',
    }),
    backupStorageGiB: usage().optional().meta({
      description:
        'GiB of recovery points held in each AWS Backup vault (the primary vault, and the copy vault where there is one). Unset: `recovery.dataSizeGiB`.',
    }),
    natDataGiBPerGateway: usage().meta({ description: 'GiB a month each NAT gateway processes (image pulls, AWS APIs, the internet).' }),
    loadBalancerLcus: usage().meta({
      description: 'Average load balancer capacity units (LCU) used every hour: 1 LCU is 25 new connections/s, 3,000 active, or 1 GB/h.',
    }),
    logIngestedGiBPerGroup: usage().meta({
      description:
        'GiB a month each CloudWatch log group ingests; its stored size is this times its retention in months (`retentionDays / 30`).',
    }),
    bucketStorageGiB: usage().meta({ description: 'GiB held in each S3 bucket (load balancer access logs).' }),
    wafMillionRequestsPerMonth: usage().meta({ description: 'Millions of requests a month each WAF web ACL inspects.' }),
    fisRunsPerMonth: usage().meta({
      description: 'Runs a month of each fault-injection experiment; each run bills its actions for their duration (action-minutes).',
    }),
  })
  .meta({ description: 'Usage assumptions of the cost estimate: the figures a template does not state.' });

export const costSchema = z
  .strictObject({
    monthlyBudget: int(1, 100_000_000).optional().meta({
      description:
        "Monthly budget of the environment in the price table's currency (USD). Set: an AWS Budgets budget notifies the alarm topic at 80% of actual and 100% of forecast spend, and `npm run diff` exits 1 when a change takes the estimate above it.",
    }),
    usage: costUsageSchema,
  })
  .meta({ description: 'The cost estimate (`npm run cost`, docs/cost.md) and the budget.' });

import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * Requests a minute under which an error rate is noise: one error out of three requests is not an outage, and
 * a quiet environment must not roll a deployment back or page anyone over it.
 */
export const MIN_REQUESTS_FOR_A_RATE = 10;

/** Errors as a percentage of requests per minute; 0 in minutes with fewer than MIN_REQUESTS_FOR_A_RATE requests. */
export function errorRate(requests: cloudwatch.IMetric, errors: cloudwatch.IMetric, label: string): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: errorRateExpression('requests', 'errors'),
    usingMetrics: { requests, errors },
    period: Duration.minutes(1),
    label,
  });
}

/** The expression of `errorRate` over the metric IDs given, to compose into a larger expression. */
export function errorRateExpression(requests: string, errors: string): string {
  return `IF(${requests} >= ${MIN_REQUESTS_FOR_A_RATE}, 100 * FILL(${errors}, 0) / ${requests}, 0)`;
}

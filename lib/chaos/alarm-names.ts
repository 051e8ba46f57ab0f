/**
 * The names of the alarms experiments stop on, built the way the Monitoring stack names them (contract 1: alarm
 * names are stable), under the environment's `namePrefix` (lib/names.ts) that every alarm name starts with.
 * Experiments refer to alarms by ARN built from these names rather than by cross-stack reference, so that the
 * Chaos stack never locks an export of the Monitoring stack. test/chaos/experiments.test.ts checks that every
 * name here exists in the same environment's synthesized Monitoring template.
 */

export const AlarmNames = {
  /** The composite alarm of one service: 5xx rate, p99 latency, unhealthy targets or running below desired. */
  serviceDegraded: (prefix: string, service: string) => `${prefix}-service-${service}-degraded`,
  serviceRunningBelowDesired: (prefix: string, service: string) => `${prefix}-service-${service}-running-below-desired-Critical`,
  loadBalancer5xx: (prefix: string) => `${prefix}-load-balancer-elb-5xx-rate-Critical`,
  proxyBorrowLatency: (prefix: string) => `${prefix}-proxy-borrow-latency-Critical`,
  readersCpu: (prefix: string) => `${prefix}-database-readers-cpu-Critical`,
  cacheEngineCpu: (prefix: string, tier: string) => `${prefix}-cache-${tier}-engine-cpu-Critical`,
} as const;

/** `arn:aws:cloudwatch:eu-west-1:111111111111:alarm:ScaledApp-dev-service-api-degraded` (composite alarms too). */
export function alarmArn(partition: string, region: string, account: string, name: string): string {
  return `arn:${partition}:cloudwatch:${region}:${account}:alarm:${name}`;
}

/** The partition of a region: `cn-north-1` is in `aws-cn`. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

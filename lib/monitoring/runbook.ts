/**
 * The sections of docs/runbook.md that alarms link to. Each is a heading of the runbook; its anchor is the
 * heading's GitHub slug (`## Database CPU high` -> `#database-cpu-high`). A test checks that every alarm of
 * every environment links one of these, that each exists in the runbook, and that each is used.
 */
export const RUNBOOK_SECTIONS = [
  'database-cpu-high',
  'database-freeable-memory-low',
  'database-storage-low',
  'database-connections-high',
  'database-read-latency-high',
  'database-write-latency-high',
  'replica-lag-high',
  'proxy-client-connections-high',
  'proxy-database-connections-near-limit',
  'proxy-borrow-latency-high',
  'proxy-query-latency-high',
  'proxy-sessions-pinned',
  'noeviction-tier-memory-high',
  'cache-memory-high',
  'cache-engine-cpu-high',
  'cache-connections-high',
  'cache-replication-lag-high',
  'cache-evictions-high',
  'cache-hit-rate-low',
  'service-degraded',
  'service-5xx-rate-high',
  'service-p99-latency-high',
  'service-unhealthy-targets',
  'service-running-below-desired',
  'service-cpu-high',
  'service-memory-high',
  'service-anomaly-mitigation-active',
  'deployment-failed',
  'deployment-notifications-failing',
  'load-balancer-5xx-high',
  'load-balancer-rejected-connections',
  'backup-job-failed',
  'backup-copy-failed',
  'restore-test-failed',
  'backup-notifications-failing',
] as const;

export type RunbookSection = (typeof RUNBOOK_SECTIONS)[number];

/** `docs/runbook.md#database-cpu-high`, or the configured base URL with the section's anchor. */
export function runbookLink(baseUrl: string, section: RunbookSection): string {
  return `${baseUrl}#${section}`;
}

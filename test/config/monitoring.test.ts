/**
 * Specifications of the monitoring configuration: thresholds and the runbook URL, and each kind of bad input
 * with the exact line it produces.
 */
import { resolveConfig } from '../../config/load';
import { deepMerge } from '../../config/merge';
import prod from '../../config/environments/prod';
import { FILE, problems as problemsOf } from '../support/problems';

/** Problems of prod's file with `change` applied: monitoring rules matter most where production applies. */
const problems = (change: unknown) => problemsOf(prod, change);
const thresholds = (section: string, values: Record<string, unknown>) => ({ monitoring: { thresholds: { [section]: values } } });

describe('monitoring in config', () => {
  test('every threshold has a default, and an environment overrides one without restating the rest', () => {
    const config = resolveConfig('test', deepMerge(prod, thresholds('database', { cpuPercent: 70 })));
    expect(config.monitoring.thresholds.database).toMatchObject({ cpuPercent: 70, replicaLagSeconds: 30 });
    expect(config.monitoring.runbookUrl).toBe('docs/runbook.md');
  });

  test.each([
    [
      'a percentage above 100',
      thresholds('database', { cpuPercent: 120 }),
      'monitoring.thresholds.database.cpuPercent: expected an integer <= 100, got 120',
    ],
    [
      'a percentage of 0',
      thresholds('cache', { engineCpuPercent: 0 }),
      'monitoring.thresholds.cache.engineCpuPercent: expected an integer >= 1, got 0',
    ],
    [
      'a fractional percentage',
      thresholds('proxy', { clientConnectionsPercent: 80.5 }),
      'monitoring.thresholds.proxy.clientConnectionsPercent: expected an integer, got 80.5',
    ],
    [
      'a negative latency',
      thresholds('database', { readLatencyMs: -5 }),
      'monitoring.thresholds.database.readLatencyMs: expected a number > 0, got -5',
    ],
    [
      'a zero replica lag',
      thresholds('database', { replicaLagSeconds: 0 }),
      'monitoring.thresholds.database.replicaLagSeconds: expected a number > 0, got 0',
    ],
    [
      'a latency given as text',
      thresholds('proxy', { borrowLatencyMs: '50ms' }),
      'monitoring.thresholds.proxy.borrowLatencyMs: expected a number, got "50ms"',
    ],
    [
      'a 5xx rate above 100%',
      thresholds('services', { target5xxPercent: 150 }),
      'monitoring.thresholds.services.target5xxPercent: expected a number <= 100, got 150',
    ],
    [
      'minutes below desired beyond an hour',
      thresholds('services', { belowDesiredMinutes: 90 }),
      'monitoring.thresholds.services.belowDesiredMinutes: expected an integer <= 60, got 90',
    ],
  ])('fails on %s, naming the field', (_, change, line) => {
    expect(problems(change)).toContain(`${FILE}: ${line}`);
  });

  test('fails on a misspelled threshold, listing the known ones', () => {
    expect(problems(thresholds('database', { replicaLag: 10 }))).toContain(
      `${FILE}: monitoring.thresholds.database.replicaLag: expected one of the known field (cpuPercent, freeableMemoryMiB, freeStorageGiB, connectionsPercent, readLatencyMs, writeLatencyMs, replicaLagSeconds), got the unknown field "replicaLag"`,
    );
  });

  test('fails when the noeviction tier would not warn before an evicting tier', () => {
    expect(problems(thresholds('cache', { noevictionMemoryPercent: 92 }))).toContain(
      `${FILE}: monitoring.thresholds.cache.noevictionMemoryPercent: expected less than evictingMemoryPercent (90), so that a noeviction tier warns before it refuses writes, got 92`,
    );
  });

  test('fails when the noeviction memory alarm would fire at the load the capacity model plans for', () => {
    expect(problems(thresholds('cache', { noevictionMemoryPercent: 60 }))).toContain(
      `${FILE}: monitoring.thresholds.cache.noevictionMemoryPercent: expected more than 70, the memory use the capacity model plans for a noeviction tier at its stated load (the alarm would always fire), got 60`,
    );
  });

  test('fails on a runbook URL with a fragment (each alarm adds its own) or an empty one', () => {
    expect(problems({ monitoring: { runbookUrl: 'https://git.example.com/runbook.md#top' } })).toContain(
      `${FILE}: monitoring.runbookUrl: expected a URL without a #fragment (each alarm adds its own section anchor), got "https://git.example.com/runbook.md#top"`,
    );
    expect(problems({ monitoring: { runbookUrl: '' } })).toContain(
      `${FILE}: monitoring.runbookUrl: expected a URL or repository path of docs/runbook.md, got ""`,
    );
  });

  test('reports every bad threshold at once', () => {
    const lines = problems({ monitoring: { thresholds: { database: { cpuPercent: 0 }, loadBalancer: { rejectedConnections: -1 } } } });
    expect(lines).toEqual(
      expect.arrayContaining([
        `${FILE}: monitoring.thresholds.database.cpuPercent: expected an integer >= 1, got 0`,
        `${FILE}: monitoring.thresholds.loadBalancer.rejectedConnections: expected an integer >= 1, got -1`,
      ]),
    );
  });
});

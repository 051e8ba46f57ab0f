/**
 * Specifications of the `chaos` configuration: on outside production, off in production unless its file opts in,
 * and every figure bounded.
 */
import dev from '../../config/environments/dev';
import prod from '../../config/environments/prod';
import { resolveConfig } from '../../config/load';
import { deepMerge } from '../../config/merge';
import { chaosEnabled, chaosZone } from '../../config/schema/chaos-rules';
import { WORKER_SERVICE } from '../support/fixtures';
import { FILE, problems } from '../support/problems';

describe('chaos in config', () => {
  test('experiments are on outside production and off in production by default', () => {
    expect(chaosEnabled(resolveConfig('dev', dev))).toBe(true);
    expect(chaosEnabled(resolveConfig('prod', prod))).toBe(false);
  });

  test('production has experiments when its own file opts in', () => {
    expect(chaosEnabled(resolveConfig('prod', deepMerge(prod, { chaos: { enabled: true } })))).toBe(true);
  });

  test('the zone defaults to the first availability zone', () => {
    expect(chaosZone(resolveConfig('dev', dev))).toBe('eu-west-1a');
    expect(chaosZone(resolveConfig('dev', deepMerge(dev, { chaos: { zone: 'eu-west-1b' } })))).toBe('eu-west-1b');
  });

  test.each([
    ['a duration above 30 minutes', { chaos: { durationMinutes: 60 } }, 'chaos.durationMinutes: expected an integer <= 30, got 60'],
    ['a packet loss above 50%', { chaos: { packetLossPercent: 80 } }, 'chaos.packetLossPercent: expected an integer <= 50, got 80'],
    ['a latency of 0', { chaos: { latencyMs: 0 } }, 'chaos.latencyMs: expected an integer >= 1, got 0'],
    [
      'a zone of another region',
      { chaos: { zone: 'us-east-1a' } },
      "chaos.zone: expected one of the environment's availability zones (eu-west-1a, eu-west-1b)",
    ],
    ['a misspelled key', { chaos: { duration: 5 } }, 'chaos.duration: expected one of the known field'],
  ])('fails when %s', (_what, change, line) => {
    expect(problems(dev, change)).toContainEqual(expect.stringContaining(`${FILE}: ${line}`));
  });

  test('fails when production opts in without anyone to hear the stop conditions', () => {
    expect(problems(prod, { chaos: { enabled: true }, monitoring: { alarmSubscriptions: [] } }, 'prod')).toContainEqual(
      expect.stringMatching(
        /monitoring\.alarmSubscriptions: expected at least one subscription in a production environment that opts in to experiments/,
      ),
    );
  });

  test('fails when production opts in to stopping more than half of the tasks', () => {
    expect(problems(prod, { chaos: { enabled: true, stopTasksPercent: 75 } }, 'prod')).toContainEqual(
      expect.stringMatching(/chaos\.stopTasksPercent: expected at most 50 in a production environment that opts in to experiments/),
    );
    // Outside production, the same figure is a valid (if bold) choice.
    expect(problems(dev, { chaos: { stopTasksPercent: 75 } })).toEqual([]);
  });

  test('fails when experiments would need more stop conditions than FIS accepts', () => {
    const services = Object.fromEntries(
      ['a', 'b', 'c', 'd', 'e'].map((n, i) => [n, { ...WORKER_SERVICE, routing: { ...WORKER_SERVICE.routing, priority: 10 + i } }]),
    );
    expect(problems(dev, { services, capacity: { maxTasks: 100 } })).toContainEqual(
      expect.stringMatching(/chaos\.enabled: expected false with more than 4 services \(this environment has 6\)/),
    );
  });
});

import { renderJson, renderTable, useColour } from '../../scripts/verify/report';
import type { CheckResult } from '../../scripts/verify/result';

const results: CheckResult[] = [
  { name: 'database proxy targets', ok: true, detail: '2 of 2 AVAILABLE' },
  { name: 'alarms', ok: false, detail: '1 of 9 in ALARM: ScaledApp-prod-Lag' },
];

describe('report for a person', () => {
  test('is an aligned table with a mark per line and a summary, without colour when told so', () => {
    expect(renderTable(results, { colour: false, title: 'ScaledApp prod (eu-west-1)' })).toBe(
      [
        'Verifying ScaledApp prod (eu-west-1)',
        '',
        '   CHECK                   DETAIL',
        ' ✔ database proxy targets  2 of 2 AVAILABLE',
        ' ✘ alarms                  1 of 9 in ALARM: ScaledApp-prod-Lag',
        '',
        '2 checks, 1 passed, 1 failed',
        '',
      ].join('\n'),
    );
  });

  test('colours the marks with ANSI codes when colour is on', () => {
    const text = renderTable(results, { colour: true, title: 't' });
    expect(text).toContain('\u001b[32m✔\u001b[0m');
    expect(text).toContain('\u001b[31m✘\u001b[0m');
  });

  test.each([
    [{ isTTY: true }, {}, true],
    [{ isTTY: true }, { NO_COLOR: '1' }, false],
    [{ isTTY: true }, { NO_COLOR: '' }, true],
    [{ isTTY: false }, {}, false],
    [{}, {}, false],
  ])('colour for %o with env %o: %s', (stream, env, expected) => {
    expect(useColour(stream, env)).toBe(expected);
  });
});

describe('report for a machine', () => {
  test('--json gives the results and a summary', () => {
    expect(JSON.parse(renderJson(results, { environment: 'prod', region: 'eu-west-1' }))).toEqual({
      environment: 'prod',
      region: 'eu-west-1',
      results,
      summary: { total: 2, passed: 1, failed: 1, ok: false },
    });
  });
});

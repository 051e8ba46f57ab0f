/**
 * The service's wiring of the patterns where no server is needed: the migration task's grants equal the
 * identity SQL's, the breaker metric line is CloudWatch's embedded metric format, the settings name every bad
 * variable, and the workload's flags are checked before anything starts. The routes against real servers:
 * test/integration/workload.test.ts.
 */
import { schemaOwnerSql } from '../../lib/database/identity-sql';
import { type Report, invariants, main, parseFlags } from '../../scripts/workload';
import { runInProcess } from '../support/commands';
import { breakerMetricLine } from '../../services/api/src/feed';
import { readerGrantSql } from '../../services/api/src/migrate';
import { CircuitBreaker } from '../../services/api/src/patterns/breaker';
import { settingsFromEnv } from '../../services/api/src/settings';

test('the migration task grants the reader exactly what schemaOwnerSql says the writer must run', () => {
  expect(readerGrantSql('api', 'api_reader')).toEqual(schemaOwnerSql('api', 'api_reader'));
  expect(() => readerGrantSql('api"; DROP', 'api_reader')).toThrow(/database identifier/);
});

test('the breaker state is one EMF line per dependency: 0 closed, 2 open, with the metric declared', async () => {
  let now = 0;
  const db = new CircuitBreaker('database:reader', { failureThreshold: 1, retry: { attempts: 1 }, now: () => now });
  const cache = new CircuitBreaker('cache:hot');
  await expect(db.call(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
  const lines = breakerMetricLine('api', [db.snapshot(), cache.snapshot()], 1_000).map((l) => JSON.parse(l));
  expect(lines.map((l) => [l.Dependency, l.dependency_breaker_state, l.state])).toEqual([
    ['database:reader', 2, 'open'],
    ['cache:hot', 0, 'closed'],
  ]);
  expect(lines[0]._aws).toEqual({
    Timestamp: 1_000,
    CloudWatchMetrics: [
      {
        Namespace: 'ScaledApp/Service',
        Dimensions: [['Service', 'Dependency']],
        Metrics: [{ Name: 'dependency_breaker_state', Unit: 'None' }],
      },
    ],
  });
  now = 10_000;
  expect(JSON.parse(breakerMetricLine('api', [db.snapshot()])[0]).dependency_breaker_state).toBe(1);
});

test('the application settings: defaults, and every bad variable named at once', () => {
  expect(settingsFromEnv({}).app).toEqual({
    cacheTier: 'hot',
    sessionTier: 'critical',
    feedTtlMs: 5_000,
    feedLockWaitMs: 250,
    readYourWritesMs: 2_000,
    dependencyDeadlineMs: 1_000,
    metricsIntervalMs: 60_000,
    businessLogicMs: 0,
    holdAcrossBusinessLogic: false,
    stampedeProtection: true,
    sessionTtlMs: 3_600_000,
  });
  expect(() => settingsFromEnv({ CONNECTION_HOLD: 'always', FEED_TTL_MS: '0', FEED_STAMPEDE_PROTECTION: 'no' })).toThrow(
    [
      'invalid environment:',
      '  FEED_TTL_MS: expected an integer >= 1, got "0"',
      '  CONNECTION_HOLD: expected one of "query", "across-business-logic", got "always"',
      '  FEED_STAMPEDE_PROTECTION: expected one of "on", "off", got "no"',
    ].join('\n'),
  );
});

test('DATABASE_READER_PORT defaults to DATABASE_PORT', () => {
  const base = {
    DATABASE_WRITER_ENDPOINT: 'w',
    DATABASE_NAME: 'app',
    DATABASE_USER: 'api',
    DATABASE_READER_USER: 'api_reader',
    DATABASE_CA_FILE: '/ca.pem',
    DATABASE_REGION: 'eu-west-1',
    DATABASE_PORT: '6432',
  };
  expect(settingsFromEnv(base).database).toMatchObject({ port: 6432, readerPort: 6432 });
  expect(settingsFromEnv({ ...base, DATABASE_READER_PORT: '7000' }).database).toMatchObject({ port: 6432, readerPort: 7000 });
});

test('the workload refuses unknown flags, all of them at once, before starting anything', () => {
  expect(parseFlags(['--quick', '--json'])).toMatchObject({ mode: { name: 'quick' }, json: true });
  expect(parseFlags([])).toMatchObject({ mode: { name: 'full' }, json: false });
  expect(() => parseFlags(['--fast', '-q'])).toThrow(
    'workload: bad arguments:\n  "--fast": expected --quick or --json\n  "-q": expected --quick or --json',
  );
});

test('npm run workload exits 2 on bad flags, naming them on stderr, with nothing on stdout', async () => {
  const result = await runInProcess('workload', main, ['--fast'], process.env, 1);
  expect(result).toMatchObject({ status: 2, stdout: '' });
  expect(result.stderr).toBe('workload: bad arguments:\n  "--fast": expected --quick or --json\n');
});

describe('the workload gate (what .ci/run fails on)', () => {
  const passing: Report = {
    mode: 'quick',
    pooling: {
      concurrency: 20,
      tasks: 3,
      poolSizePerTask: 5,
      poolerDefaultPoolSize: 4,
      poolerMaxClientConn: 15,
      direct: { peakServerConnections: 15, failedShare: 0, waitedShare: 0.1, rps: 130 },
      pooled: { peakServerConnections: 4, failedShare: 0, waitedShare: 0.2, rps: 130 },
    },
    connectionHold: {
      concurrency: 20,
      poolSize: 5,
      businessLogicMs: 100,
      queryOnly: { meanHoldMs: 9, rps: 99, waitedShare: 0.1, dbTimeShare: 0.06, peakActive: 2 },
      heldAcrossLogic: { meanHoldMs: 108, rps: 43, waitedShare: 1, dbTimeShare: 0.2, peakActive: 1 },
    },
    stampede: { rounds: 3, concurrency: 40, protectedQueries: 3, unprotectedQueries: 56 },
    tiers: {
      maxmemory: { critical: '1436549', hot: '1436549' },
      sessionsCreated: 1969,
      sessionsRefused: 3031,
      sessionsLost: 0,
      hotKeysEvicted: 2908,
      criticalKeysEvicted: 0,
    },
    replicaRouting: { replicaDelayMs: 200, reads: 300, replicaShare: 0.8, rywReads: 60, rywStale: 0, replicaStale: 57 },
    capacityModel: { concurrency: 20, dbTimePerRequest: 0.06, predictedConnections: 2, measuredMeanInUse: 0.9, measuredPeakActive: 2 },
    invariants: [],
  };
  const failed = (report: Report) =>
    invariants(report)
      .filter((i) => !i.ok)
      .map((i) => i.name);

  test('a run that keeps every invariant passes', () => {
    expect(failed(passing)).toEqual([]);
  });

  test.each<[string, (r: Report) => Report, string[]]>([
    ['a lost session', (r) => ({ ...r, tiers: { ...r.tiers, sessionsLost: 1 } }), ['sessions lost']],
    [
      'a session tier that never filled',
      (r) => ({ ...r, tiers: { ...r.tiers, sessionsRefused: 0 } }),
      ['session tier refused writes when full'],
    ],
    [
      'an evicting session tier',
      (r) => ({ ...r, tiers: { ...r.tiers, criticalKeysEvicted: 5 } }),
      ['session tier refused writes when full'],
    ],
    [
      'a stale read on the read-your-writes path',
      (r) => ({ ...r, replicaRouting: { ...r.replicaRouting, rywStale: 1 } }),
      ['stale read-your-writes reads'],
    ],
    ['a stampede', (r) => ({ ...r, stampede: { ...r.stampede, protectedQueries: 7 } }), ['stampede queries']],
    [
      'more server connections than the pooler allows',
      (r) => ({ ...r, pooling: { ...r.pooling, pooled: { ...r.pooling.pooled, peakServerConnections: 5 } } }),
      ['server connections within the pooler limit'],
    ],
    [
      'an unprotected run that never stampeded',
      (r) => ({ ...r, stampede: { ...r.stampede, unprotectedQueries: 6 } }),
      ['the unprotected run stampeded'],
    ],
    ['a replica that never lagged', (r) => ({ ...r, replicaRouting: { ...r.replicaRouting, replicaStale: 0 } }), ['the replica lagged']],
    [
      'a direct run within the pooler limit',
      (r) => ({ ...r, pooling: { ...r.pooling, direct: { ...r.pooling.direct, peakServerConnections: 4 } } }),
      ['the direct run needed more connections than the pooler holds'],
    ],
    [
      'a failed pooled request',
      (r) => ({ ...r, pooling: { ...r.pooling, pooled: { ...r.pooling.pooled, failedShare: 0.01 } } }),
      ['pooled requests failed'],
    ],
  ])('fails on %s, naming the invariant', (_, change, names) => {
    expect(failed(change(passing))).toEqual(names);
  });
});

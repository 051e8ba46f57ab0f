/**
 * Specifications of configuration validation: each kind of bad input is rejected with a line naming the
 * file, the field, what was expected and what was received; every problem is reported at once.
 */
import prod from '../../config/environments/prod';
import dev from '../../config/environments/dev';
import { resolveConfig } from '../../config/load';
import { windowsOverlap } from '../../config/schema/rules';
import { FILE, problems } from '../support/problems';
import { WORKER_SERVICE } from '../support/fixtures';

describe('configuration validation', () => {
  test('the shipped environments are valid', () => {
    expect(problems(dev, {})).toEqual([]);
    expect(problems(prod, {})).toEqual([]);
  });

  test('fails when a key is unknown, and suggests the likely spelling', () => {
    expect(problems(dev, { database: { readReplica: 2 } })).toEqual([
      expect.stringMatching(
        /^config\/environments\/test\.ts: database\.readReplica: expected "readReplicas" or another known field \(engine, readReplicas, .*\), got the unknown field "readReplica"$/,
      ),
    ]);
  });

  test('fails when a top-level section is unknown', () => {
    expect(problems(dev, { databse: {} })).toEqual([expect.stringContaining('databse: expected "database" or another known field')]);
  });

  test('fails on a type error, naming the type expected and the value received', () => {
    expect(problems(dev, { database: { storageEncrypted: 'yes' } })).toEqual([
      'config/environments/test.ts: database.storageEncrypted: expected a boolean, got "yes"',
    ]);
  });

  test('environment.reserveLambdaConcurrency: true unless an environment says otherwise, and a boolean', () => {
    for (const file of [dev, prod]) expect(resolveConfig('test', file).environment.reserveLambdaConcurrency).toBe(true);
    expect(problems(dev, { environment: { reserveLambdaConcurrency: 'no' } })).toEqual([
      'config/environments/test.ts: environment.reserveLambdaConcurrency: expected a boolean, got "no"',
    ]);
    expect(problems(dev, { environment: { reserveLambdaConcurrency: false } })).toEqual([]);
  });

  test('fails on an out-of-range number', () => {
    expect(problems(dev, { database: { readReplicas: -1 } })).toContain(
      'config/environments/test.ts: database.readReplicas: expected an integer >= 0, got -1',
    );
    expect(problems(dev, { database: { backup: { retentionDays: 36 } } })).toEqual([
      'config/environments/test.ts: database.backup.retentionDays: expected an integer <= 35, got 36',
    ]);
  });

  test('fails on a non-integer count', () => {
    expect(problems(dev, { network: { natGateways: 1.5 } })).toEqual([
      'config/environments/test.ts: network.natGateways: expected an integer, got 1.5',
    ]);
  });

  test('fails when min > max', () => {
    expect(problems(dev, { database: { readerAutoScaling: { min: 3, max: 2 } } })).toEqual([
      'config/environments/test.ts: database.readerAutoScaling.min: expected at most readerAutoScaling.max (2), got 3',
    ]);
  });

  test('fails when the reader count lies outside the auto scaling bounds', () => {
    expect(problems(prod, { database: { readReplicas: 7 } })).toEqual([
      'config/environments/test.ts: database.readReplicas: expected at most readerAutoScaling.max (6), got 7',
    ]);
  });

  test('fails on a malformed CIDR block', () => {
    expect(problems(dev, { network: { cidr: '10.0.0/16' } })).toEqual([
      'config/environments/test.ts: network.cidr: expected an IPv4 CIDR block such as 10.0.0.0/16, got "10.0.0/16"',
    ]);
    expect(problems(dev, { network: { cidr: '10.0.0.0/8' } })).toEqual([
      'config/environments/test.ts: network.cidr: expected a prefix length between /16 and /28, the range a VPC accepts, got "10.0.0.0/8"',
    ]);
  });

  test('fails when the subnets do not fit the VPC block, with the arithmetic', () => {
    expect(problems(prod, { network: { cidr: '10.0.0.0/19' } })).toEqual([
      'config/environments/test.ts: network.cidr: expected a block large enough for the subnets: 3 zones x (/24 + /20 + /24) need 17,152 addresses, a /19 has 8,192, got "10.0.0.0/19"',
    ]);
  });

  test('fails when there is no NAT gateway for the private subnets', () => {
    expect(problems(dev, { network: { natGateways: 0 } })).toEqual([
      'config/environments/test.ts: network.natGateways: expected an integer >= 1, got 0',
    ]);
  });

  test('fails on a malformed ARN', () => {
    expect(problems(dev, { app: { permissionsBoundaryArn: 'arn:aws:s3:::my-bucket' } })).toEqual([
      expect.stringMatching(
        /^config\/environments\/test\.ts: app\.permissionsBoundaryArn: expected an ARN of iam policy .*, got "arn:aws:s3:::my-bucket"$/,
      ),
    ]);
    expect(problems(dev, { app: { permissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/Boundary' } })).toEqual([]);
  });

  test('fails on a log retention CloudWatch does not accept', () => {
    expect(problems(dev, { network: { flowLogs: { retentionDays: 10 } } })).toEqual([
      expect.stringMatching(
        /network\.flowLogs\.retentionDays: expected one of the retention periods CloudWatch Logs accepts \(1, 3, 5, .*\), got 10$/,
      ),
    ]);
  });

  test('fails on an enum value that does not exist', () => {
    expect(problems(dev, { database: { engine: 'mysql' } })).toEqual([
      'config/environments/test.ts: database.engine: expected one of "aurora-postgresql", "postgres", got "mysql"',
    ]);
  });

  test('fails on account, region and zones that do not fit together', () => {
    expect(problems(dev, { environment: { account: '12345', availabilityZones: ['eu-west-1a', 'us-east-1b'] } })).toEqual([
      'config/environments/test.ts: environment.account: expected a 12-digit AWS account ID, got "12345"',
      'config/environments/test.ts: environment.availabilityZones.1: expected an availability zone of eu-west-1, such as eu-west-1a, got "us-east-1b"',
    ]);
  });

  test('fails when an environment file does not say where it runs', () => {
    const lines = problems({}, {});
    expect(lines).toEqual(
      expect.arrayContaining([
        'config/environments/test.ts: environment.production: expected a boolean, got nothing (the field is missing)',
        'config/environments/test.ts: environment.account: expected a string, got nothing (the field is missing)',
      ]),
    );
  });

  test('fails when the environment name cannot name stacks', () => {
    expect(problems(dev, {}, 'Prod_EU')).toEqual([
      expect.stringMatching(/^config\/environments\/Prod_EU\.ts: expected a file name of lowercase letters/),
    ]);
  });

  test('reports every problem at once, one line each', () => {
    const lines = problems(dev, {
      network: { cidr: 'x', natGateways: -1 },
      database: { readReplicas: 'two', backup: { preferredWindow: '3am' } },
    });
    expect(lines).toHaveLength(4);
    expect(lines.map((l) => l.split(': ')[1])).toEqual(
      expect.arrayContaining(['network.cidr', 'network.natGateways', 'database.readReplicas', 'database.backup.preferredWindow']),
    );
  });
});

describe('production guard rails', () => {
  test.each([
    ['database.multiAz', { database: { multiAz: false } }, 'expected true in a production environment, got false'],
    ['database.deletionProtection', { database: { deletionProtection: false } }, 'expected true in a production environment, got false'],
    ['database.storageEncrypted', { database: { storageEncrypted: false } }, 'expected true in a production environment, got false'],
    [
      'database.removalPolicy',
      { database: { removalPolicy: 'destroy' } },
      'expected "snapshot" or "retain" in a production environment, got "destroy"',
    ],
    [
      'database.backup.retentionDays',
      { database: { backup: { retentionDays: 6 } } },
      'expected at least 7 days of backups in a production environment, got 6',
    ],
    [
      'database.backup.retentionDays',
      { database: { backup: { retentionDays: 0 } } },
      'expected at least 7 days of backups in a production environment, got 0',
    ],
    [
      'network.natGateways',
      { network: { natGateways: 1 } },
      'expected one NAT gateway per availability zone (3) in a production environment, got 1',
    ],
  ])('fails when production sets %s against its guard rail', (field, change, message) => {
    expect(problems(prod, change)).toContain(`config/environments/test.ts: ${field}: ${message}`);
  });

  test('a non-production environment may turn the same settings down', () => {
    expect(
      problems(dev, { database: { multiAz: false, deletionProtection: false, removalPolicy: 'destroy', backup: { retentionDays: 1 } } }),
    ).toEqual([]);
  });

  test('an inherited default that breaks a guard rail is attributed to the defaults file', () => {
    // prod.ts without its own NAT count inherits the default of 1: the error names the file to fix and
    // where the offending value came from.
    const withoutNat = problems({ ...prod, network: { ...prod.network, natGateways: undefined } }, {});
    expect(withoutNat).toEqual([
      'config/environments/test.ts: network.natGateways: expected one NAT gateway per availability zone (3) in a production environment, got 1 (inherited from config/defaults.ts)',
    ]);
  });
});

describe('maintenance and backup windows', () => {
  test('fails when the backup window overlaps the maintenance window', () => {
    expect(
      problems(dev, { database: { backup: { preferredWindow: '04:00-05:00' }, preferredMaintenanceWindow: 'sun:04:30-sun:05:30' } }),
    ).toEqual([
      'config/environments/test.ts: database.backup.preferredWindow: expected a window that does not overlap database.preferredMaintenanceWindow (sun:04:30-sun:05:30), got "04:00-05:00"',
    ]);
  });

  test.each([
    ['03:00-04:00', 'sun:04:30-sun:05:30', false],
    ['23:30-00:30', 'mon:00:00-mon:01:00', true],
    ['23:30-00:30', 'sun:23:00-mon:00:15', true],
    ['12:00-13:00', 'sat:13:00-sat:14:00', false],
  ])('daily %s against weekly %s overlaps: %s', (daily, weekly, overlaps) => {
    expect(windowsOverlap(daily, weekly)).toBe(overlaps);
  });
});

describe('the capacity model and the services agree', () => {
  test('fails when the services can run more tasks than the capacity model counts', () => {
    expect(problems(dev, { capacity: { maxTasks: 4 }, services: { api: { tasks: { max: 2 } }, worker: WORKER_SERVICE } })).toEqual([
      `${FILE}: capacity.maxTasks: expected at least 5, the services' tasks.max added up (api 2 + worker 3), so that the capacity model counts every connection pool the services can open, got 4`,
    ]);
  });

  test('the shipped environments count every task their services can run', () => {
    for (const env of [dev, prod]) expect(problems(env, {}).filter((line) => line.includes('capacity.maxTasks'))).toEqual([]);
  });
});

/**
 * Specifications of the database configuration: engine, version, instance class and reader count must fit
 * together, and the configuration must carry the load it states. Each bad input names its field.
 */
import { ENGINE_VERSIONS, engineMajorEntry, engineVersionEntry } from '../../lib/database/engines';
import dev from '../../config/environments/dev';
import prod from '../../config/environments/prod';
import staging from '../../config/environments/staging';
import { FILE, problems } from '../support/problems';

describe('engine and version', () => {
  test('the shipped environments are valid and carry their stated load', () => {
    expect(problems(dev, {})).toEqual([]);
    expect(problems(staging, {})).toEqual([]);
    expect(problems(prod, {})).toEqual([]);
  });

  test('both engines are valid in prod', () => {
    expect(problems(prod, { database: { engine: 'postgres' } })).toEqual([]);
  });

  test('the version table comes from aws-cdk-lib, with the parameter group family of each version', () => {
    expect(engineVersionEntry('aurora-postgresql', '17.7')).toEqual({ version: '17.7', major: 17, family: 'aurora-postgresql17' });
    expect(engineVersionEntry('postgres', '16.9')).toEqual({ version: '16.9', major: 16, family: 'postgres16' });
    expect(ENGINE_VERSIONS['aurora-postgresql'].some((e) => e.version.includes('limitless'))).toBe(false);
  });

  test('config states the major alone; its family comes from the versions aws-cdk-lib knows', () => {
    expect(engineMajorEntry('aurora-postgresql', '17')).toEqual({ version: '17', major: 17, family: 'aurora-postgresql17' });
    expect(engineMajorEntry('postgres', '16')).toEqual({ version: '16', major: 16, family: 'postgres16' });
    expect(problems(prod, { database: { engineVersion: '16' } })).toEqual([]);
    expect(problems(prod, { database: { engine: 'postgres', engineVersion: '15' } })).toEqual([]);
  });

  test('fails when a minor is pinned, which a later deploy would ask RDS to go back to', () => {
    expect(problems(dev, { database: { engineVersion: '17.7' } })).toEqual([
      `${FILE}: database.engineVersion: expected the major version only ("17"): AWS applies minor upgrades automatically, and a pinned minor would later ask RDS for a downgrade (docs/database.md#engine-versions), got "17.7"`,
    ]);
    expect(problems(prod, { database: { engine: 'postgres', engineVersion: '16.9' } })).toEqual([
      `${FILE}: database.engineVersion: expected the major version only ("16"): AWS applies minor upgrades automatically, and a pinned minor would later ask RDS for a downgrade (docs/database.md#engine-versions), got "16.9"`,
    ]);
  });

  test('fails on a version aws-cdk-lib does not know', () => {
    expect(problems(dev, { database: { engineVersion: '99' } })).toEqual([
      `${FILE}: database.engineVersion: expected a major version of aurora-postgresql that aws-cdk-lib knows, such as 17, 16, 15, 14, got "99"`,
    ]);
    expect(problems(dev, { database: { engineVersion: '17.99' } })).toEqual([
      `${FILE}: database.engineVersion: expected a major version of aurora-postgresql that aws-cdk-lib knows, such as 17, 16, 15, 14, got "17.99"`,
    ]);
  });

  test('fails on a major with no parameter group family this app configures', () => {
    expect(problems(dev, { database: { engineVersion: '12' } })).toEqual([
      `${FILE}: database.engineVersion: expected a version with a parameter group family this app configures (aurora-postgresql14, aurora-postgresql15, aurora-postgresql16, aurora-postgresql17); 12 is of aurora-postgresql12, got "12"`,
    ]);
    expect(problems(prod, { database: { engine: 'postgres', engineVersion: '18' } })).toEqual([
      `${FILE}: database.engineVersion: expected a version with a parameter group family this app configures (postgres14, postgres15, postgres16, postgres17); 18 is of postgres18, got "18"`,
    ]);
  });
});

describe('instance class', () => {
  test('fails on an instance class the engine does not offer', () => {
    expect(problems(prod, { database: { instanceClass: 'm7g.large' } })).toEqual([
      `${FILE}: database.instanceClass: expected an instance class aurora-postgresql offers (t4g.medium, t4g.large, r6g.large, r6g.xlarge, r6g.2xlarge, r6g.4xlarge, r7g.large, r7g.xlarge, r7g.2xlarge, r7g.4xlarge, r7g.8xlarge, serverless), got "m7g.large"`,
    ]);
  });

  test('fails on an instance class that is not in the table', () => {
    expect(problems(dev, { database: { instanceClass: 'x2g.large' } })).toEqual([
      expect.stringMatching(
        /^config\/environments\/test\.ts: database\.instanceClass: expected one of the instance classes of lib\/capacity\/instance-classes\.ts \(t4g\.medium, .*, serverless\), got "x2g\.large"$/,
      ),
    ]);
  });

  test('fails on Serverless v2 with engine postgres', () => {
    expect(problems(dev, { database: { engine: 'postgres' } })).toEqual([
      `${FILE}: database.instanceClass: expected a provisioned instance class: Serverless v2 exists only for engine aurora-postgresql, not postgres, got "serverless"`,
    ]);
  });

  test('fails when the Serverless v2 range is upside down', () => {
    expect(problems(dev, { database: { serverlessV2Capacity: { min: 8, max: 4 } } })).toEqual([
      `${FILE}: database.serverlessV2Capacity.min: expected at most serverlessV2Capacity.max (4), got 8`,
    ]);
  });
});

describe('readers', () => {
  test('fails on a negative reader count', () => {
    expect(problems(dev, { database: { readReplicas: -1 } })).toContain(`${FILE}: database.readReplicas: expected an integer >= 0, got -1`);
  });

  test('fails when a production environment has no reader', () => {
    expect(problems(prod, { database: { readReplicas: 0, readerAutoScaling: { min: 0 } } })).toEqual([
      `${FILE}: database.readReplicas: expected at least 1 reader in a production environment (failover target and reader endpoint), got 0`,
    ]);
  });

  test('a non-production environment may run without a reader', () => {
    expect(problems(dev, { database: { readReplicas: 0, readerAutoScaling: { min: 0, max: 0 } } })).toEqual([]);
  });
});

describe('capacity', () => {
  test('fails when the writer cannot serve the stated peak, with the arithmetic', () => {
    expect(problems(prod, { capacity: { peakConcurrentRequests: 100_000, connectionPoolPerTask: 100 } })).toEqual([
      `${FILE}: capacity.peakConcurrentRequests: expected at most 87,375 concurrent requests on r7g.xlarge (max_connections 3,604 x 97% proxy share = 3,495 connections / (0.10 DB time per request x 0.40 write share)), got 100000`,
    ]);
  });

  test('fails when the readers cannot serve the read share', () => {
    // r7g.large: max_connections 1,802; 100 reserved leaves 94%, 1,693 connections per reader through the proxy.
    expect(
      problems(prod, {
        capacity: { peakConcurrentRequests: 40_000, readShare: 0.9, connectionPoolPerTask: 40 },
        database: { instanceClass: 'r7g.large' },
      }),
    ).toEqual([
      `${FILE}: database.readReplicas: expected at least 3 readers for the read share (40,000 requests x 0.10 DB time x 0.90 read share = 3,600 connections, 1,693 per r7g.large reader), got 2`,
    ]);
  });

  test('fails when the service pools exceed what the proxy can multiplex', () => {
    expect(problems(prod, { capacity: { connectionPoolPerTask: 400 } })).toEqual([
      `${FILE}: capacity.connectionPoolPerTask: expected at most 349 connections per task (100 tasks x pool must fit the proxy's client capacity: max_connections 3,604 x 97% proxy share = 3,495 connections / 0.10 DB time per request = 34,950), got 400`,
    ]);
  });

  test('fails when the service pools cannot hold the connections in use at peak', () => {
    expect(problems(prod, { capacity: { connectionPoolPerTask: 10 } })).toEqual([
      `${FILE}: capacity.connectionPoolPerTask: expected at least 20 connections per task (20,000 requests x 0.10 DB time = 2,000 connections in use at peak, over 100 tasks), got 10`,
    ]);
  });

  test('fails when the reserved connections leave the proxy nothing', () => {
    expect(problems(dev, { database: { proxy: { reservedConnections: 901 } } })).toContain(
      `${FILE}: database.proxy.reservedConnections: expected fewer reserved connections than max_connections (901) of serverless, leaving the proxy at least 1%, got 901`,
    );
  });

  test('fails on fractions outside 0 to 1', () => {
    expect(problems(dev, { capacity: { dbTimePerRequest: 0, readShare: 1.5 } })).toEqual([
      `${FILE}: capacity.dbTimePerRequest: expected a fraction above 0 and at most 1, got 0`,
      `${FILE}: capacity.readShare: expected a fraction between 0 and 1, got 1.5`,
    ]);
  });
});

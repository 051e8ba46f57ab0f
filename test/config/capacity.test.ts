/**
 * The capacity model's arithmetic, on its own: max_connections per class, the proxy's share, and the
 * checks that refuse a configuration that cannot carry its load.
 */
import * as fc from 'fast-check';
import { type CapacityInput, defaultMaxConnections, instanceMemoryBytes, planCapacity } from '../../lib/capacity';

const PROD: CapacityInput = {
  engine: 'aurora-postgresql',
  instanceClass: 'r7g.xlarge',
  serverlessMaxCapacity: 8,
  readers: 2,
  reservedConnections: 100,
  peakConcurrentRequests: 20_000,
  dbTimePerRequest: 0.1,
  readShare: 0.6,
  connectionPoolPerTask: 25,
  maxTasks: 100,
};

describe('max_connections', () => {
  test('follows LEAST(DBInstanceClassMemory / 9531392, 5000)', () => {
    expect(defaultMaxConnections(instanceMemoryBytes('r6g.large', 0))).toBe(1802); // the value AWS documents
    expect(defaultMaxConnections(instanceMemoryBytes('r7g.xlarge', 0))).toBe(3604);
    expect(defaultMaxConnections(instanceMemoryBytes('t4g.medium', 0))).toBe(450);
    expect(defaultMaxConnections(instanceMemoryBytes('r7g.2xlarge', 0))).toBe(5000); // 7,209 capped
  });

  test('Serverless v2 counts 2 GiB per ACU of its maximum capacity', () => {
    expect(defaultMaxConnections(instanceMemoryBytes('serverless', 4))).toBe(901);
  });
});

describe('the plan for prod', () => {
  const { plan, problems } = planCapacity(PROD);

  test('carries its load', () => {
    expect(problems).toEqual([]);
  });

  test('gives the proxy all but the reserved connections, in whole percent', () => {
    // (3,604 - 100) / 3,604 = 97.2% -> 97%, 3,495 connections per instance.
    expect(plan.maxConnectionsPercent).toBe(97);
    expect(plan.proxyConnectionsPerInstance).toBe(3495);
  });

  test('splits the connections in use at peak between the writer and the readers', () => {
    // 20,000 x 0.10 = 2,000 in use; 40% on the writer, 60% over two readers.
    expect(plan.connectionsAtPeak).toBe(2000);
    expect(plan.writerConnectionsAtPeak).toBe(800);
    expect(plan.readerConnectionsAtPeak).toBe(600);
    expect(plan.readersNeeded).toBe(1);
  });

  test('keeps enough idle connections for the busiest instance at peak', () => {
    expect(plan.maxIdleConnectionsPercent).toBe(23); // 800 / 3,604 = 22.2% -> 23%
  });

  test('states the headroom: the writer serves up to 87,375 concurrent requests', () => {
    expect(plan.maxConcurrentRequests).toBe(87_375); // 3,495 / (0.10 x 0.40)
    expect(plan.proxyClientCapacity).toBe(34_950); // 3,495 / 0.10
    expect(plan.clientConnections).toBe(2_500);
  });
});

describe('checks', () => {
  const paths = (input: Partial<CapacityInput>) => planCapacity({ ...PROD, ...input }).problems.map((p) => p.path);

  test('without readers the writer carries the reads too', () => {
    const { plan } = planCapacity({ ...PROD, readers: 0 });
    expect(plan.writerConnectionsAtPeak).toBe(2000);
    expect(plan.maxConcurrentRequests).toBe(34_950);
  });

  test('postgres replicas take connections directly, outside the proxy share', () => {
    expect(planCapacity({ ...PROD, engine: 'postgres' }).plan.connectionsPerReader).toBe(3504);
  });

  test('each check names the field to change', () => {
    expect(paths({ peakConcurrentRequests: 100_000, connectionPoolPerTask: 100 })).toEqual(['capacity.peakConcurrentRequests']);
    expect(paths({ readers: 1, readShare: 0.9, peakConcurrentRequests: 40_000, connectionPoolPerTask: 40 })).toEqual([
      'database.readReplicas',
    ]);
    expect(paths({ connectionPoolPerTask: 400 })).toEqual(['capacity.connectionPoolPerTask']);
    expect(paths({ connectionPoolPerTask: 19 })).toEqual(['capacity.connectionPoolPerTask']);
    expect(paths({ reservedConnections: 3604 })).toContain('database.proxy.reservedConnections');
  });

  test('the proxy settings stay within what RDS Proxy accepts, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('t4g.medium', 'r7g.large', 'r7g.8xlarge', 'serverless') as fc.Arbitrary<CapacityInput['instanceClass']>,
        fc.integer({ min: 0, max: 6000 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.double({ min: 0.001, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 15 }),
        (instanceClass, reservedConnections, peakConcurrentRequests, dbTimePerRequest, readShare, readers) => {
          const { plan } = planCapacity({
            ...PROD,
            instanceClass,
            reservedConnections,
            peakConcurrentRequests,
            dbTimePerRequest,
            readShare,
            readers,
          });
          expect(plan.maxConnectionsPercent).toBeGreaterThanOrEqual(1);
          expect(plan.maxConnectionsPercent).toBeLessThanOrEqual(100);
          expect(plan.maxIdleConnectionsPercent).toBeGreaterThanOrEqual(1);
          expect(plan.maxIdleConnectionsPercent).toBeLessThanOrEqual(plan.maxConnectionsPercent);
        },
      ),
    );
  });
});

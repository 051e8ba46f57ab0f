/**
 * Property-based specifications of configuration (fast-check): valid configurations are accepted and
 * synthesize; corrupting any single field of any environment is rejected with an error naming that field.
 * The corruption test enumerates the fields of the resolved configuration, so it covers fields added later.
 */
import * as fc from 'fast-check';
import { ConfigError, listEnvironments, loadEnvironment, resolveConfig } from '../../config/load';
import { LOG_RETENTION_DAYS } from '../../config/schema/primitives';
import { configOf, synth } from '../support/synth';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every leaf of a JSON value, as a path. */
function leaves(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, [...prefix, i]));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => leaves(v, [...prefix, k]));
  return [prefix];
}

function withValue(root: Json, path: (string | number)[], value: Json): Json {
  const copy = structuredClone(root);
  let node = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  node[path[path.length - 1]] = value;
  return copy;
}

/**
 * A value of the wrong type for whatever is at `value`. Never `null`: in an environment file `null` removes a
 * key, which is valid wherever the schema has a default.
 */
function wrongTypeFor(value: Json): Json[] {
  switch (typeof value) {
    case 'number':
      return ['12', true, [value], {}];
    case 'string':
      return [42, false, { value }];
    case 'boolean':
      return ['true', 1, []];
    default:
      return ['x'];
  }
}

function problemPaths(envName: string, overrides: Json): string[] {
  try {
    resolveConfig(envName, overrides);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems.map((p) => p.path);
  }
}

describe.each(listEnvironments())('%s: corrupting a single field', (env) => {
  const resolved = loadEnvironment(env) as unknown as { environment: Record<string, Json> } & Record<string, Json>;
  const { name: _name, ...environment } = resolved.environment;
  const overrides: Json = { ...resolved, environment } as Json;
  const paths = leaves(overrides);

  test('is rejected with an error naming the field', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...paths).chain((path) => {
          const current = path.reduce<Json>((node, key) => (node as Record<string | number, Json>)[key], overrides);
          return fc.tuple(fc.constant(path), fc.constantFrom(...wrongTypeFor(current)));
        }),
        ([path, bad]) => {
          expect(problemPaths(env, withValue(overrides, path, bad))).toContain(path.join('.'));
        },
      ),
      { numRuns: Math.min(200, paths.length * 4) },
    );
  });

  test('with an unknown key beside it is rejected with an error naming the key', () => {
    // Every object of the configuration (a map such as `tags` too: the value 1 is not a valid entry).
    const objects = (value: Json, prefix: string[]): string[] =>
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? [prefix.join('.'), ...Object.entries(value).flatMap(([k, v]) => objects(v, [...prefix, k]))]
        : [];
    const parents = objects(overrides, []).filter(Boolean);
    fc.assert(
      fc.property(fc.constantFrom(...parents), fc.stringMatching(/^zz[a-z]{1,8}$/), (parent, key) => {
        const path = [...parent.split('.'), key];
        expect(problemPaths(env, withValue(overrides, path, 1))).toContain(path.join('.'));
      }),
      { numRuns: 50 },
    );
  });
});

describe('valid configurations', () => {
  const validOverrides = fc.record({
    network: fc.record({
      natGateways: fc.integer({ min: 1, max: 2 }),
      flowLogs: fc.record({
        retentionDays: fc.constantFrom(...LOG_RETENTION_DAYS),
        trafficType: fc.constantFrom('ALL', 'ACCEPT', 'REJECT'),
      }),
      // /16 to /18 hold two zones of the default subnet sizes; smaller blocks are rejected (see validation tests).
      cidr: fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 16, max: 18 })).map(([b, mask]) => `10.${b}.0.0/${mask}`),
    }),
    database: fc
      .tuple(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 15 }))
      .map(([a, b, c]) => [a, b, c].sort((x, y) => x - y))
      .map(([min, readReplicas, max]) => ({ readReplicas, readerAutoScaling: { min, max } })),
  });

  test('are accepted', () => {
    fc.assert(
      fc.property(validOverrides, (extra) => {
        expect(() => configOf('dev', extra)).not.toThrow();
      }),
      { numRuns: 200 },
    );
  });

  test('synthesize', () => {
    // Synthesis costs about a second; a handful of random configurations is enough to catch a construct that
    // mishandles a value the schema allows.
    fc.assert(
      fc.property(validOverrides, (extra) => {
        const vpc = synth(configOf('dev', extra)).template('network').findResources('AWS::EC2::VPC');
        expect(Object.values(vpc)[0].Properties.CidrBlock).toBe(extra.network.cidr);
      }),
      { numRuns: 4 },
    );
  });
});

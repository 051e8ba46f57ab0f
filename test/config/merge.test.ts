/**
 * `deepMerge`, the merge of an environment file onto the defaults: every configuration load runs it, and the
 * property tests run it thousands of times. It copies each value once; `byDefinition` below is the rule it keeps,
 * written the plain way (copy the base whole, then merge each override key into the copy), which copied the base
 * again at every level.
 */
import fc from 'fast-check';
import { deepMerge, isPlainObject } from '../../config/merge';

function copy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copy);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)]));
  return value;
}

/** Objects merge key by key; arrays and scalars are replaced; `undefined` keeps the base; `null` removes the key. */
function byDefinition(base: unknown, override: unknown): unknown {
  if (override === undefined) return copy(base);
  if (!isPlainObject(base) || !isPlainObject(override)) return copy(override);
  const result = copy(base) as Record<string, unknown>;
  for (const [key, value] of Object.entries(override)) {
    if (key === '__proto__' || key === 'constructor') continue;
    if (value === null) delete result[key];
    else result[key] = byDefinition(base[key], value);
  }
  return result;
}

/** Every key path in order, with its value's type: two results with the same list have the same keys in the same order. */
function shape(value: unknown, at = ''): string[] {
  if (Array.isArray(value)) return [`${at}: array`, ...value.flatMap((v, i) => shape(v, `${at}[${i}]`))];
  if (isPlainObject(value)) return [`${at}: object`, ...Object.entries(value).flatMap(([k, v]) => shape(v, `${at}.${k}`))];
  return [`${at}: ${value === null ? 'null' : typeof value}`];
}

/** The objects and arrays reachable from a value. */
function containers(value: unknown, into = new Set<object>()): Set<object> {
  if (Array.isArray(value) || isPlainObject(value)) {
    into.add(value as object);
    for (const v of Object.values(value as object)) containers(v, into);
  }
  return into;
}

// Few key names, so that base and override share keys at every depth; the names the merge refuses included.
const key = fc.constantFrom('a', 'b', 'c', 'tiers', 'constructor');
const leaf = fc.oneof(
  fc.integer(),
  fc.string({ maxLength: 3 }),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.integer(), { maxLength: 2 }),
);
const tree = fc.object({ key, values: [leaf], maxDepth: 3, maxKeys: 4 });

test('GIVEN any two configuration trees WHEN merged THEN the result is the definition’s, key order included', () => {
  fc.assert(
    fc.property(tree, tree, (base, override) => {
      const merged = deepMerge(base, override);
      const expected = byDefinition(base, override);
      // toEqual and the shape together: the values, and every key (those holding undefined too) in its order.
      // (toStrictEqual cannot compare objects that have an own `constructor` key.)
      expect(merged).toEqual(expected);
      expect(shape(merged)).toEqual(shape(expected));
    }),
    { numRuns: 500 },
  );
});

test('GIVEN any two trees WHEN merged THEN the result shares no object or array with either, so editing it changes neither', () => {
  fc.assert(
    fc.property(tree, tree, (base, override) => {
      const inputs = containers(override, containers(base));
      for (const c of containers(deepMerge(base, override))) expect(inputs.has(c)).toBe(false);
    }),
    { numRuns: 300 },
  );
});

test('null removes a default entry, undefined keeps it, an array replaces the default whole', () => {
  const defaults = { tiers: { hot: { replicas: 1 }, critical: { replicas: 2 } }, paths: ['/a', '/b'] };
  expect(deepMerge(defaults, { tiers: { hot: null, critical: undefined }, paths: ['/c'] })).toEqual({
    tiers: { critical: { replicas: 2 } },
    paths: ['/c'],
  });
});

test('a key named __proto__ or constructor in an override is ignored; the result keeps the plain prototype', () => {
  const override = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"x": 1}, "a": 2}') as unknown;
  const merged = deepMerge({ a: 1 }, override) as Record<string, unknown>;
  expect(merged).toEqual({ a: 2 });
  expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

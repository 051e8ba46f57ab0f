/**
 * Deep merge of an environment's overrides onto the defaults.
 *
 * Objects merge key by key (so `services` or cache `tiers` maps gain entries); arrays and scalars are
 * replaced whole; `undefined` keeps the default; `null` removes the key (to drop a default map entry).
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  // Compared by shape rather than to this realm's Object.prototype, so that objects built in another realm
  // (a vm context, structuredClone in a test runner) still count as plain.
  const proto = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** Keys an override may not set: they would reach the prototype of the merged object. */
const REFUSED_KEYS = new Set(['__proto__', 'constructor']);

export function deepMerge(base: unknown, override: unknown): unknown {
  if (override === undefined) return clone(base);
  if (!isPlainObject(base) || !isPlainObject(override)) return clone(override);
  // Each value is copied once: the base's keys first, in their order, then the keys only the override has.
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(base)) {
    const given = Object.hasOwn(override, key) && !REFUSED_KEYS.has(key) ? override[key] : undefined;
    if (given !== null) define(result, key, deepMerge(value, given));
  }
  for (const [key, value] of Object.entries(override)) {
    if (REFUSED_KEYS.has(key) || Object.hasOwn(base, key) || value === null) continue;
    define(result, key, clone(value));
  }
  return result;
}

/** An own property, as `Object.fromEntries` makes it: even a key named `__proto__` stays data, never the prototype. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function clone(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clone);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clone(v)]));
  return value;
}

/** The value at `path`, or undefined where any step is missing. */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** Whether `path` is spelled out in `root` (as opposed to inherited: an `undefined` value inherits). */
export function hasPath(root: unknown, path: readonly PropertyKey[]): boolean {
  return valueAt(root, path) !== undefined;
}

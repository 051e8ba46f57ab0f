/**
 * The capacity model: pure arithmetic over the instance-class and node-type tables, with no CDK in it. The
 * configuration rules call it to refuse a configuration that cannot carry its stated load, and the stacks call it
 * for the settings they hand to the constructs (the proxy's pool, the cache memory alarms), so that the numbers
 * are computed once.
 */
export * from './cache';
export * from './database';
export * from './instance-classes';

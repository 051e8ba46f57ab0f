/**
 * The environment's two name prefixes (lib/names.ts) and the database's names under the lowercase one
 * (lib/database/identifiers.ts): one derivation each, read by the stacks, the constructs and the experiments.
 */
import { databaseIdentifiers } from '../lib/database/identifiers';
import { identifierPrefix, namePrefix, stackName } from '../lib/names';

describe('name prefixes', () => {
  test('namePrefix keeps the case written in configuration', () => {
    // WHEN
    const prefix = namePrefix('ScaledApp', 'prod');
    // THEN
    expect(prefix).toBe('ScaledApp-prod');
  });

  test('stackName is the name prefix and the layer', () => {
    // WHEN
    const name = stackName('ScaledApp', 'prod', 'Data');
    // THEN
    expect(name).toBe('ScaledApp-prod-Data');
  });

  test('identifierPrefix is the same prefix in lowercase, as RDS stores identifiers', () => {
    // WHEN
    const prefix = identifierPrefix('ScaledApp', 'prod');
    // THEN
    expect(prefix).toBe('scaledapp-prod');
    expect(prefix).toBe(namePrefix('ScaledApp', 'prod').toLowerCase());
  });
});

describe('databaseIdentifiers', () => {
  test('names the cluster, writer, each reader, the proxy, its reader endpoint and the reader zone', () => {
    // WHEN
    const names = databaseIdentifiers('scaledapp-prod', 2);
    // THEN
    expect(names).toEqual({
      cluster: 'scaledapp-prod',
      writer: 'scaledapp-prod-writer',
      readers: ['scaledapp-prod-reader-1', 'scaledapp-prod-reader-2'],
      proxy: 'scaledapp-prod-proxy',
      readOnlyEndpoint: 'scaledapp-prod-readers',
      readerZone: 'database.scaledapp-prod.internal',
    });
  });

  test('names no reader when there is none', () => {
    // WHEN
    const names = databaseIdentifiers('app-dev', 0);
    // THEN
    expect(names.readers).toEqual([]);
  });
});

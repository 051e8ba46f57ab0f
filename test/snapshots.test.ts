/**
 * Snapshots of every stack of every environment. The serializer masks asset hashes and CDK versions, so a
 * snapshot changes only when the infrastructure does; review the diff of a changed snapshot like code.
 */
import { listEnvironments } from '../config/load';
import type { EnvironmentStacks } from '../lib/app';
import { synth } from './support/synth';

const LAYERS: (keyof EnvironmentStacks)[] = ['network', 'data', 'service', 'monitoring'];

describe.each(listEnvironments())('%s environment', (env) => {
  test.each(LAYERS)('%s stack matches its snapshot', (layer) => {
    expect(synth(env).template(layer).toJSON()).toMatchSnapshot();
  });
});

/**
 * `npm run diff` names a service whose deployment strategy changes, with the modelled time of one deployment
 * before and after, read from the two templates as they would deploy.
 */
import type { DeploymentStrategyName } from '../lib/rollout/strategies';
import { compareTemplates } from '../scripts/diff/engine';
import { configOf, synth } from './support/synth';

const service = (strategy?: DeploymentStrategyName) =>
  synth(strategy ? configOf('dev', { services: { api: { deployment: { strategy } } } }) : 'dev')
    .template('service')
    .toJSON();

test('switching dev api from rolling to canary reports both modelled times', () => {
  const { rollouts } = compareTemplates(service(), service('canary'));
  expect(rollouts).toEqual([
    {
      logicalId: expect.stringMatching(/^ApiService/),
      before: 'rolling: about 1 min 50 s',
      after: 'canary 10% for 10 min, bake 15 min: about 26 min 50 s',
    },
  ]);
});

test('a change that keeps the strategy reports no rollout change', () => {
  const before = service('linear');
  const after = JSON.parse(JSON.stringify(before));
  for (const r of Object.values(after.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>)) {
    if (r.Type === 'AWS::ECS::Service') r.Properties.DesiredCount = 5;
  }
  expect(compareTemplates(before, after).rollouts).toEqual([]);
});

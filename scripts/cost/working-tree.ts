/**
 * The estimates of the working tree's environments, as `npm run cost` and `npm run docs:cost` make them: each
 * environment synthesized as `cdk synth` would (a separate, CPU-bound process each, as many at once as there are
 * cores, as `npm run diff` runs them), then priced from its templates.
 */
import * as os from 'os';
import { PROJECT_ROOT } from '../../config/project-root';
import { synthesizeAll } from '../diff/synth';
import { type EnvironmentEstimate, estimateEnvironment } from './estimate';

export async function estimateWorkingTree(envs: readonly string[]): Promise<EnvironmentEstimate[]> {
  const tasks = envs.map((env) => ({ projectDir: PROJECT_ROOT, env, label: 'the working tree' }));
  const templates = await synthesizeAll(tasks, os.availableParallelism());
  return envs.map((env, i) => estimateEnvironment(env, templates[i]));
}

/**
 * The environments the permission matrix runs over: every environment file, on both engines. staging carries a
 * second service, `worker` (read-only in the database, the `hot` cache tier only), so that the denies between
 * services are proved between two real ones.
 */
import type { AppConfig } from '../../config/schema';
import { WORKER_SERVICE } from '../support/fixtures';
import { configOf } from '../support/synth';

const WORKER = { worker: { ...WORKER_SERVICE, database: { access: 'read-only' as const }, cacheTiers: ['hot'] } };

export const MATRIX_ENVIRONMENTS: [string, () => AppConfig][] = [
  ['dev (aurora-postgresql)', () => configOf('dev')],
  ['dev (postgres)', () => configOf('dev', { database: { engine: 'postgres', instanceClass: 't4g.medium' } })],
  ['staging + worker (aurora-postgresql)', () => configOf('staging', { services: WORKER })],
  ['staging + worker (postgres)', () => configOf('staging', { database: { engine: 'postgres' }, services: WORKER })],
  ['prod (aurora-postgresql)', () => configOf('prod')],
  ['prod (postgres)', () => configOf('prod', { database: { engine: 'postgres' } })],
];

/**
 * Rules of the database layer that span fields: the engine, its version and instance class must exist
 * together, production needs a reader, and the configuration must carry the load it states (the capacity
 * model of lib/capacity/database.ts). Like every rule, they read the configuration defensively.
 */
import { INSTANCE_CLASS_NAMES, type InstanceClassName, instanceClassesOf, planCapacity, SERVERLESS } from '../../lib/capacity';
import { type DatabaseEngine, engineMajorEntry, engineVersionEntry, exampleMajors, supportedFamilies } from '../../lib/database/engines';
import type { Rule } from './rules';

const isEngine = (e: unknown): e is DatabaseEngine => e === 'aurora-postgresql' || e === 'postgres';
const isInstanceClass = (c: unknown): c is InstanceClassName => (INSTANCE_CLASS_NAMES as readonly unknown[]).includes(c);
const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * The version is a major alone, one aws-cdk-lib knows for the engine, of a family whose parameter group this
 * app writes. A pinned minor is refused: AWS applies minor upgrades by itself (automatic minor version
 * upgrades are on), and a later deploy that touched the pinned version would ask RDS for a downgrade.
 */
const engineVersionKnown: Rule = (config, report) => {
  const { engine, engineVersion } = config.database ?? {};
  if (!isEngine(engine) || typeof engineVersion !== 'string') return;
  const pinned = engineVersion.includes('.') ? engineVersionEntry(engine, engineVersion) : undefined;
  if (pinned) {
    report(
      ['database', 'engineVersion'],
      `expected the major version only ("${pinned.major}"): AWS applies minor upgrades automatically, and a pinned minor would later ask RDS for a downgrade (docs/database.md#engine-versions)`,
    );
    return;
  }
  const entry = engineMajorEntry(engine, engineVersion);
  if (!entry) {
    report(
      ['database', 'engineVersion'],
      `expected a major version of ${engine} that aws-cdk-lib knows, such as ${exampleMajors(engine).join(', ')}`,
    );
    return;
  }
  const families = supportedFamilies(engine);
  if (!families.includes(entry.family)) {
    report(
      ['database', 'engineVersion'],
      `expected a version with a parameter group family this app configures (${families.join(', ')}); ${engineVersion} is of ${entry.family}`,
    );
  }
};

const instanceClassOffered: Rule = (config, report) => {
  const { engine, instanceClass } = config.database ?? {};
  if (!isEngine(engine) || !isInstanceClass(instanceClass)) return;
  if (instanceClass === SERVERLESS && engine === 'postgres') {
    report(
      ['database', 'instanceClass'],
      'expected a provisioned instance class: Serverless v2 exists only for engine aurora-postgresql, not postgres',
    );
    return;
  }
  const offered = instanceClassesOf(engine);
  if (!offered.includes(instanceClass)) {
    report(['database', 'instanceClass'], `expected an instance class ${engine} offers (${offered.join(', ')})`);
  }
};

const serverlessBounds: Rule = (config, report) => {
  const { min, max } = config.database?.serverlessV2Capacity ?? {};
  if (isNumber(min) && isNumber(max) && min > max) {
    report(['database', 'serverlessV2Capacity', 'min'], `expected at most serverlessV2Capacity.max (${max})`);
  }
};

/** A production database needs a failover target and somewhere for reads to go that is not the writer. */
const productionReader: Rule = (config, report) => {
  if (config.environment?.production !== true) return;
  if (config.database?.readReplicas === 0) {
    report(['database', 'readReplicas'], 'expected at least 1 reader in a production environment (failover target and reader endpoint)');
  }
};

/** The configuration must carry the load it states; the arithmetic goes into the message. */
const carriesItsLoad: Rule = (config, report) => {
  const db = config.database;
  const load = config.capacity;
  const input = {
    engine: db?.engine,
    instanceClass: db?.instanceClass,
    serverlessMaxCapacity: db?.serverlessV2Capacity?.max,
    readers: db?.readReplicas,
    reservedConnections: db?.proxy?.reservedConnections,
    peakConcurrentRequests: load?.peakConcurrentRequests,
    dbTimePerRequest: load?.dbTimePerRequest,
    readShare: load?.readShare,
    connectionPoolPerTask: load?.connectionPoolPerTask,
    maxTasks: load?.maxTasks,
  };
  const { engine, instanceClass, ...numbers } = input;
  // Other rules report what is malformed; this one speaks only when every input is usable.
  if (!isEngine(engine) || !isInstanceClass(instanceClass) || !instanceClassesOf(engine).includes(instanceClass)) return;
  if (!Object.values(numbers).every(isNumber)) return;
  const n = numbers as Record<keyof typeof numbers, number>;
  if (n.readers < 0 || n.dbTimePerRequest <= 0 || n.dbTimePerRequest > 1 || n.readShare < 0 || n.readShare > 1) return;
  if (n.maxTasks < 1 || n.connectionPoolPerTask < 1 || n.serverlessMaxCapacity <= 0) return;
  for (const problem of planCapacity({ engine, instanceClass, ...n }).problems) report(problem.path.split('.'), problem.expected);
};

export const DATABASE_RULES: readonly Rule[] = [
  engineVersionKnown,
  instanceClassOffered,
  serverlessBounds,
  productionReader,
  carriesItsLoad,
];

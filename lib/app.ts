/**
 * Composes the stacks of one environment. `bin/app.ts` calls this with validated configuration; tests call
 * it with configuration built in memory. Nothing here reads CDK context or the process environment.
 */
import { App, Tags } from 'aws-cdk-lib';
import type { AppConfig } from '../config/schema';
import { chaosEnabled } from '../config/schema/chaos-rules';
import { applyCompliance, type ComplianceOptions } from './compliance';
import { ChaosStack } from './stacks/chaos-stack';
import { BackupCopyStack } from './stacks/backup-copy-stack';
import { DataStack } from './stacks/data-stack';
import { environmentTags } from './stacks/environment-stack';
import { MonitoringStack } from './stacks/monitoring-stack';
import { NetworkStack } from './stacks/network-stack';
import { ServiceStack } from './stacks/service-stack';

export interface EnvironmentStacks {
  readonly network: NetworkStack;
  readonly data: DataStack;
  readonly service: ServiceStack;
  readonly monitoring: MonitoringStack;
  /** The fault-injection experiments; only where `chaos` enables them (off in production unless it opts in). */
  readonly chaos?: ChaosStack;
  /** The cross-region copy vault, when `recovery.crossRegionCopy.region` is set. */
  readonly backupCopy?: BackupCopyStack;
}

export function buildEnvironment(app: App, config: AppConfig, compliance: ComplianceOptions = {}): EnvironmentStacks {
  for (const [key, value] of Object.entries(environmentTags(config))) Tags.of(app).add(key, value);

  applyCompliance(app, compliance);

  const network = new NetworkStack(app, { config });
  const copyRegion = config.recovery.crossRegionCopy.region;
  const backupCopy = copyRegion ? new BackupCopyStack(app, { config, region: copyRegion }) : undefined;
  const data = new DataStack(app, { config, network: network.network });
  // The copy vault exists before the plan that copies into it; the plan names it by ARN, not by reference.
  if (backupCopy) data.addStackDependency(backupCopy, 'the backup plan copies into the copy vault');
  const service = new ServiceStack(app, {
    config,
    network: network.network,
    dataClients: data.dataClients,
    database: data.database,
    cacheTiers: data.cacheTiers.tiers,
  });
  const monitoring = new MonitoringStack(app, {
    config,
    database: data.database,
    cacheTiers: data.cacheTiers.tiers,
    services: service.services,
    loadBalancer: service.loadBalancer,
  });
  const chaos = chaosEnabled(config) ? new ChaosStack(app, { config, monitoring }) : undefined;
  // No `chaos` or `backupCopy` key at all where the feature is off, so that iterating the stacks finds only stacks.
  return { network, data, service, monitoring, ...(chaos ? { chaos } : {}), ...(backupCopy ? { backupCopy } : {}) };
}

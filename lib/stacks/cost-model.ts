/**
 * The cost model the Monitoring stack writes into its template metadata (lib/template-metadata.ts): the
 * configuration's usage assumptions with their defaults applied, the region of each stack, and the budget.
 */
import type { AppConfig } from '../../config/schema';
import type { CostModelMetadata } from '../template-metadata';
import { EnvironmentStack } from './environment-stack';

export function costModel(config: AppConfig): CostModelMetadata {
  const { usage, monthlyBudget } = config.cost;
  const copyRegion = config.recovery.crossRegionCopy.region;
  return {
    region: config.environment.region,
    stackRegions: copyRegion ? { [EnvironmentStack.stackName(config, 'BackupCopy')]: copyRegion } : {},
    ...(monthlyBudget !== undefined ? { monthlyBudget } : {}),
    usage: {
      ...usage,
      // The recovery model's data size is the one figure of the database's size the configuration already has.
      databaseStorageGiB: usage.databaseStorageGiB ?? config.recovery.dataSizeGiB,
      backupStorageGiB: usage.backupStorageGiB ?? config.recovery.dataSizeGiB,
    },
  };
}

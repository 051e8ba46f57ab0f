/**
 * Composes the stacks of one environment. `bin/app.ts` calls this with validated configuration; tests call
 * it with configuration built in memory. Nothing here reads CDK context or the process environment.
 */
import { App, Tags } from 'aws-cdk-lib';
import type { AppConfig } from '../config/schema';
import { applyCompliance, type ComplianceOptions } from './compliance';
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
}

export function buildEnvironment(app: App, config: AppConfig, compliance: ComplianceOptions = {}): EnvironmentStacks {
  for (const [key, value] of Object.entries(environmentTags(config))) Tags.of(app).add(key, value);

  applyCompliance(app, compliance);

  const network = new NetworkStack(app, { config });
  const data = new DataStack(app, { config, network: network.network });
  const service = new ServiceStack(app, {
    config,
    network: network.network,
    data,
    database: data.database,
    cacheTiers: data.caches.tiers,
  });
  const monitoring = new MonitoringStack(app, { config, data, service });
  return { network, data, service, monitoring };
}

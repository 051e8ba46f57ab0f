import { PermissionsBoundary, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { AppConfig } from '../../config/schema';
import { followProducers } from '../producer-digest';

export interface EnvironmentStackProps {
  readonly config: AppConfig;
  /** Shown in the CloudFormation console. */
  readonly description: string;
  /** @default false */
  readonly terminationProtection?: boolean;
  /**
   * Region of the stack, for the few stacks that live outside the environment's region (the backup copy vault).
   * @default - `environment.region` of the configuration
   */
  readonly region?: string;
}

/**
 * A stack of one environment, named `<App>-<env>-<Layer>`, deployed to the account and region of the
 * configuration. Its availability zones come from configuration too, so that synthesis never needs a
 * context lookup (and so never needs AWS credentials). Its template carries a digest of what it reads from
 * the other stacks (lib/producer-digest.ts), so that it is deployed again whenever that may have changed.
 */
export class EnvironmentStack extends Stack {
  static stackName(config: AppConfig, layer: string): string {
    return `${config.app.name}-${config.environment.name}-${layer}`;
  }

  readonly config: AppConfig;

  constructor(scope: Construct, layer: string, props: EnvironmentStackProps) {
    const { config } = props;
    const name = EnvironmentStack.stackName(config, layer);
    super(scope, name, {
      stackName: name,
      description: props.description,
      env: { account: config.environment.account, region: props.region ?? config.environment.region },
      terminationProtection: props.terminationProtection ?? false,
      tags: environmentTags(config),
      permissionsBoundary: config.app.permissionsBoundaryArn ? PermissionsBoundary.fromArn(config.app.permissionsBoundaryArn) : undefined,
    });
    this.config = config;
    // A stack that reads another's values redeploys when they may change (docs/architecture.md, references).
    followProducers(this);
  }

  override get availabilityZones(): string[] {
    return [...this.config.environment.availabilityZones];
  }
}

/** The tags every stack and resource of an environment carries. */
export function environmentTags(config: AppConfig): Record<string, string> {
  return {
    ...config.tags,
    Application: config.app.name,
    Environment: config.environment.name,
    Owner: config.app.owner,
    CostCenter: config.app.costCenter,
  };
}

import { PermissionsBoundary, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { AppConfig } from '../../config/schema';
import { EncryptionKey, type LogGroupPolicy } from '../constructs/encryption';
import { namePrefix, stackName } from '../names';
import { publish } from '../outputs';
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
    return stackName(config.app.name, config.environment.name, layer);
  }

  readonly config: AppConfig;
  /**
   * `<App>-<env>`: the prefix of the environment's stack names and of physical names unique in the account that
   * keep their case (lib/names.ts; RDS identifiers take the lowercase `identifierPrefix`).
   */
  readonly namePrefix: string;
  /**
   * What happens to a stateful resource (key, secret, log group, bucket) that leaves the template: kept in
   * production, deleted elsewhere so that tearing down a dev environment leaves nothing behind to pay for.
   */
  readonly statefulRemovalPolicy: RemovalPolicy;
  /** The policy of every log group of the environment: removal as above; retention under a year acknowledged outside production. */
  readonly logGroupPolicy: Required<LogGroupPolicy>;

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
    this.namePrefix = namePrefix(config.app.name, config.environment.name);
    const production = config.environment.production;
    this.statefulRemovalPolicy = production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.logGroupPolicy = { removalPolicy: this.statefulRemovalPolicy, acknowledgeShortRetention: !production };
    // A stack that reads another's values redeploys when they may change (docs/architecture.md, references).
    followProducers(this);
  }

  override get availabilityZones(): string[] {
    return [...this.config.environment.availabilityZones];
  }

  /**
   * Publishes `value` as a stack output named `key` and as the SSM parameter `/<App>/<env>/<kebab-key>`
   * (lib/outputs.ts): the one way a stack of the environment publishes what tools and people read.
   */
  publish(key: string, value: string, description: string): void {
    publish(this, this.config.app.name, this.config.environment.name, key, value, description);
  }

  /** A customer-managed key for this stack's log groups, removed like every stateful resource of the environment. */
  newLogsKey(id: string, description: string): EncryptionKey {
    return EncryptionKey.forLogs(this, id, { description, removalPolicy: this.statefulRemovalPolicy });
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

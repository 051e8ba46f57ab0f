import { Aws } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { AppConfig } from '../../config/schema';
import { ProtectedVault } from '../constructs/backup-vault';
import { namePrefix } from '../names';
import { EnvironmentStack } from './environment-stack';
import { vaultLockOf } from './recovery-props';

export interface BackupCopyStackProps {
  readonly config: AppConfig;
  /** `recovery.crossRegionCopy.region`. */
  readonly region: string;
}

/**
 * The vault that receives the cross-region copies, with its own key, in `recovery.crossRegionCopy.region`: what
 * is left when the environment's region is not. A stack of its own because a stack has one region; the backup
 * plan in the Data stack names this vault by an ARN built from its fixed name, never by a cross-region reference.
 *
 * Construct IDs below are API: the vault and its key are stateful (tests pin them).
 */
export class BackupCopyStack extends EnvironmentStack {
  readonly vault: ProtectedVault;

  /** The copy vault's name: `<App>-<env>-copy`. */
  static vaultName(config: AppConfig): string {
    return `${namePrefix(config.app.name, config.environment.name)}-copy`;
  }

  /** The copy vault's ARN, as the Data stack's plan names it. */
  static vaultArn(config: AppConfig, region: string): string {
    return `arn:${Aws.PARTITION}:backup:${region}:${config.environment.account}:backup-vault:${BackupCopyStack.vaultName(config)}`;
  }

  constructor(scope: Construct, props: BackupCopyStackProps) {
    const { config } = props;
    super(scope, 'BackupCopy', {
      config,
      region: props.region,
      description: `${config.app.name} ${config.environment.name}: AWS Backup copy vault outside the environment's region (stateful)`,
      terminationProtection: config.environment.production,
    });
    this.vault = new ProtectedVault(this, 'CopyVault', {
      vaultName: BackupCopyStack.vaultName(config),
      keyDescription: 'Encrypts the cross-region copies of the environment backups',
      removalPolicy: this.statefulRemovalPolicy,
      lock: vaultLockOf(config),
    });
  }

  override get availabilityZones(): string[] {
    // The copy region has no VPC here; the environment's zones belong to another region.
    return [];
  }
}

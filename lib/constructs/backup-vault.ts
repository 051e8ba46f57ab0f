import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import { Construct } from 'constructs';
import { EncryptionKey } from './encryption';

export interface VaultLockProps {
  /** Jobs with a shorter retention fail. */
  readonly minRetention: Duration;
  /** Jobs with a longer retention fail. */
  readonly maxRetention: Duration;
  /**
   * Compliance mode: how long after deployment the lock may still be changed or removed; after it, never.
   * @default - governance mode: the lock stays changeable by a principal allowed to remove it
   */
  readonly changeableFor?: Duration;
}

export interface ProtectedVaultProps {
  /** Physical name; other stacks and regions build the vault's ARN from it, so it is fixed. */
  readonly vaultName: string;
  /** Shown in the KMS console. */
  readonly keyDescription: string;
  readonly production: boolean;
  /**
   * AWS Backup Vault Lock.
   * @default - no lock
   */
  readonly lock?: VaultLockProps;
}

/**
 * A backup vault with its own customer-managed key: the recovery points of resources AWS Backup encrypts itself,
 * and every copy made into the vault, are encrypted with a key that nothing else uses. Retained in production (a
 * vault that holds recovery points cannot be deleted anyway).
 *
 * Construct IDs below are API: the vault and its key are stateful (tests pin them).
 */
export class ProtectedVault extends Construct {
  readonly key: EncryptionKey;
  readonly vault: backup.BackupVault;

  constructor(scope: Construct, id: string, props: ProtectedVaultProps) {
    super(scope, id);
    this.key = new EncryptionKey(this, 'Key', { description: props.keyDescription, production: props.production });
    this.vault = new backup.BackupVault(this, 'Resource', {
      backupVaultName: props.vaultName,
      encryptionKey: this.key,
      removalPolicy: props.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      lockConfiguration: props.lock && {
        minRetention: props.lock.minRetention,
        maxRetention: props.lock.maxRetention,
        changeableFor: props.lock.changeableFor,
      },
    });
  }
}

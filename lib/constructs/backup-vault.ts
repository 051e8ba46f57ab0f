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
  /**
   * What CloudFormation does with the vault and its key when they leave the template (a vault that holds
   * recovery points cannot be deleted anyway).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * AWS Backup Vault Lock.
   * @default - no lock
   */
  readonly lock?: VaultLockProps;
}

/**
 * A backup vault with its own customer-managed key: the recovery points of resources AWS Backup encrypts itself,
 * and every copy made into the vault, are encrypted with a key that nothing else uses. Retained unless told
 * otherwise (a vault that holds recovery points cannot be deleted anyway).
 *
 * Construct IDs below are API: the vault and its key are stateful (tests pin them).
 */
export class ProtectedVault extends Construct {
  readonly key: EncryptionKey;
  readonly vault: backup.BackupVault;

  constructor(scope: Construct, id: string, props: ProtectedVaultProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const lock = props.lock;
    if (lock?.minRetention && lock.maxRetention && lock.minRetention.toDays() > lock.maxRetention.toDays()) {
      throw new Error(
        `ProtectedVault ${this.node.path}: expected lock.minRetention (${lock.minRetention.toDays()} days) at most lock.maxRetention (${lock.maxRetention.toDays()} days)`,
      );
    }
    this.key = new EncryptionKey(this, 'Key', { description: props.keyDescription, removalPolicy });
    this.vault = new backup.BackupVault(this, 'Resource', {
      backupVaultName: props.vaultName,
      encryptionKey: this.key,
      removalPolicy,
      lockConfiguration: props.lock && {
        minRetention: props.lock.minRetention,
        maxRetention: props.lock.maxRetention,
        changeableFor: props.lock.changeableFor,
      },
    });
  }
}

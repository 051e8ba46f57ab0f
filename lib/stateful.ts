/**
 * Resource types that hold data (or decrypt it): replacing or deleting one loses what it holds. The offline
 * diff flags their replacement, and tests pin their logical IDs. One list, so the two cannot disagree.
 */
export const STATEFUL_RESOURCE_TYPES: readonly string[] = [
  'AWS::RDS::DBCluster',
  'AWS::RDS::DBInstance',
  'AWS::ElastiCache::ReplicationGroup',
  'AWS::ElastiCache::CacheCluster',
  'AWS::KMS::Key',
  'AWS::SecretsManager::Secret',
  'AWS::S3::Bucket',
  'AWS::Logs::LogGroup',
  // Holds recovery points; CloudFormation cannot delete a vault that holds any, and a locked one never early.
  'AWS::Backup::BackupVault',
];

export function isStatefulType(type: string): boolean {
  return STATEFUL_RESOURCE_TYPES.includes(type);
}

/**
 * A DataProtection construct in a bare stack (account 333333333333, eu-west-1), for the construct's own
 * specifications and the IAM evaluation of its roles; and a resolver of the intrinsic functions in its template,
 * so that policies can be evaluated as AWS will see them once deployed.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { DataProtection, type DataProtectionProps } from '../../lib/constructs/data-protection';

export const ACCOUNT = '333333333333';
export const REGION = 'eu-west-1';
export const COPY_REGION = 'eu-central-1';
export const CLUSTER_ARN = `arn:aws:rds:${REGION}:${ACCOUNT}:cluster:scaledapp-prod`;
export const INSTANCE_ARN = `arn:aws:rds:${REGION}:${ACCOUNT}:db:scaledapp-prod-writer`;
export const COPY_VAULT_ARN = `arn:aws:backup:${COPY_REGION}:${ACCOUNT}:backup-vault:ScaledApp-prod-copy`;

export interface Built {
  readonly stack: Stack;
  readonly construct: DataProtection;
  readonly template: Template;
}

export function buildProtection(kind: 'cluster' | 'instance', overrides: Partial<DataProtectionProps> = {}): Built {
  const app = new App();
  const stack = new Stack(app, 'Data', { env: { account: ACCOUNT, region: REGION } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: [`${REGION}a`, `${REGION}b`], natGateways: 0 });
  const encryptionKey = new kms.Key(stack, 'DatabaseKey', { enableKeyRotation: true });
  const construct = new DataProtection(stack, 'Backup', {
    name: 'ScaledApp-prod',
    database: { kind, arn: kind === 'cluster' ? CLUSTER_ARN : INSTANCE_ARN, subnetGroupName: 'scaledapp-prod-db', vpc, encryptionKey },
    continuousRetention: Duration.days(14),
    rules: [
      { name: 'every-4-hours', schedule: 'cron(30 0/4 * * ? *)', retention: Duration.days(7), copy: true },
      { name: 'monthly', schedule: 'cron(0 5 1 * ? *)', retention: Duration.days(365), copy: false },
    ],
    copies: [{ vaultArn: COPY_VAULT_ARN, retention: Duration.days(35), keyArns: `arn:aws:kms:${COPY_REGION}:${ACCOUNT}:key/*` }],
    lock: { minRetention: Duration.days(7), maxRetention: Duration.days(400) },
    restoreTesting: { planName: 'ScaledApp_prod_database', schedule: 'cron(0 6 ? * SUN *)', startWindowHours: 24, selectionWindowDays: 7 },
    ...overrides,
  });
  return { stack, construct, template: Template.fromStack(stack) };
}

type Json = unknown;

/**
 * Replaces `Ref`, `Fn::GetAtt` and `Fn::Join` the way CloudFormation would: pseudo parameters by the stack's
 * account and region, a key's ARN by `arn:aws:kms:<region>:<account>:key/<logical ID>`, a role's by its logical ID.
 */
export function resolveIntrinsics(value: Json, resources: Record<string, { Type: string }>): Json {
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': REGION,
    'AWS::AccountId': ACCOUNT,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const walk = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v !== 'object' || v === null) return v;
    const o = v as Record<string, Json>;
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, Json[]];
      return parts.map((p) => String(walk(p))).join(sep);
    }
    if ('Ref' in o) return pseudo[o.Ref as string] ?? String(o.Ref);
    if ('Fn::GetAtt' in o) {
      const [id, attribute] = o['Fn::GetAtt'] as [string, string];
      const type = resources[id]?.Type;
      if (type === 'AWS::KMS::Key' && attribute === 'Arn') return `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`;
      if (type === 'AWS::IAM::Role' && attribute === 'Arn') return `arn:aws:iam::${ACCOUNT}:role/${id}`;
      if (type === 'AWS::Backup::BackupVault' && attribute === 'BackupVaultArn')
        return `arn:aws:backup:${REGION}:${ACCOUNT}:backup-vault:${id}`;
      return `${id}.${attribute}`;
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x)]));
  };
  return walk(value);
}

/** The managed policies attached to the role with logical ID prefix `rolePrefix`, resolved. */
export function policiesOfRole(template: Template, rolePrefix: string): { name: string; policy: Json }[] {
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, Json> }>;
  const role = Object.keys(resources).find((id) => resources[id].Type === 'AWS::IAM::Role' && id.startsWith(rolePrefix));
  if (!role) throw new Error(`no role ${rolePrefix}*`);
  const policies = Object.entries(resources).filter(
    ([, r]) =>
      (r.Type === 'AWS::IAM::ManagedPolicy' || r.Type === 'AWS::IAM::Policy') &&
      JSON.stringify(r.Properties.Roles ?? []).includes(`"${role}"`),
  );
  const managedArns = (resources[role].Properties.ManagedPolicyArns ?? []) as Json[];
  if (managedArns.length > 0) throw new Error(`role ${role} has AWS managed policies attached: ${JSON.stringify(managedArns)}`);
  return policies.map(([id, r]) => ({ name: id, policy: resolveIntrinsics(r.Properties.PolicyDocument, resources) }));
}

/**
 * The key policy of every customer-managed key (`EncryptionKey`), evaluated the way KMS evaluates it
 * (@cloud-copilot/iam-simulate over the synthesized policy): only AWS services create grants (Control Tower's
 * CT.KMS.PR.3), and nothing else the account's principals may do with the key changes.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EncryptionKey } from '../lib/constructs/encryption';

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/app`;
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
/** The caller's own permissions: everything on KMS, so that the key policy alone decides. */
const ADMIN = { name: 'admin', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] } };

function keyPolicy(): unknown {
  const stack = new Stack(new App(), 'Keys', { env: { account: ACCOUNT, region: REGION } });
  new EncryptionKey(stack, 'Key', { description: 'test', forCloudWatchLogs: true });
  const keys = Template.fromStack(stack).findResources('AWS::KMS::Key');
  return resolvePseudo(Object.values(keys)[0].Properties.KeyPolicy);
}

/** The template's `Fn::Join`s of pseudo parameters, as CloudFormation resolves them in this account and region. */
function resolvePseudo(value: unknown): unknown {
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': REGION,
    'AWS::AccountId': ACCOUNT,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  if (Array.isArray(value)) return value.map(resolvePseudo);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  if ('Ref' in record) {
    const resolved = pseudo[record.Ref as string];
    if (resolved === undefined) throw new Error(`unexpected Ref ${String(record.Ref)} in a key policy`);
    return resolved;
  }
  if ('Fn::Join' in record) {
    const [separator, parts] = record['Fn::Join'] as [string, unknown[]];
    return parts.map(resolvePseudo).join(separator);
  }
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, resolvePseudo(v)]));
}

type Case = readonly [title: string, principal: string, action: string, context: Record<string, string>, expected: string];

const CASES: Case[] = [
  ['a role cannot create a grant for itself', ROLE, 'kms:CreateGrant', {}, 'ExplicitlyDenied'],
  [
    'a role cannot create a grant by saying it is not for an AWS resource',
    ROLE,
    'kms:CreateGrant',
    { 'kms:GrantIsForAWSResource': 'false' },
    'ExplicitlyDenied',
  ],
  ['the account root cannot create a grant directly either', ROOT, 'kms:CreateGrant', {}, 'ExplicitlyDenied'],
  [
    'an AWS service creates a grant for a resource it manages (RDS, ElastiCache)',
    ROLE,
    'kms:CreateGrant',
    { 'kms:GrantIsForAWSResource': 'true' },
    'Allowed',
  ],
  ['an AWS service principal creates a grant', ROLE, 'kms:CreateGrant', { 'aws:PrincipalIsAWSService': 'true' }, 'Allowed'],
  ['a role still decrypts', ROLE, 'kms:Decrypt', {}, 'Allowed'],
  ['a role IAM lets administer keys still does', ROLE, 'kms:PutKeyPolicy', {}, 'Allowed'],
];

describe('EncryptionKey policy', () => {
  const policy = keyPolicy();

  test.each(CASES)('%s', async (_title, principal, action, contextVariables, expected) => {
    const result = await runSimulation(
      {
        request: { principal, action, resource: { resource: KEY_ARN, accountId: ACCOUNT }, contextVariables },
        identityPolicies: principal === ROLE ? [ADMIN] : [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: policy as Record<string, unknown>,
      },
      {},
    );
    if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
    expect(result.overallResult).toBe(expected);
  });
});

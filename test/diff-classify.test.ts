/**
 * The offline diff's judgement, on hand-made template pairs (fast; no synthesis): how each change is
 * classified, which ones lose a stateful resource, what the allow-list lets through, and what the
 * pull-request comment shows first. test/diff.test.ts runs the whole command on a temporary git repository.
 */
import { fullDiff, ResourceImpact, type TemplateDiff } from '@aws-cdk/cloudformation-diff';
import { parseAllowList } from '../scripts/diff/allow-list';
import { compareRevisions, compareTemplates } from '../scripts/diff/engine';
import { DiffError } from '../scripts/diff/errors';
import { COMMENT_MARKER, MARKDOWN_LIMIT, renderMarkdown, renderText } from '../scripts/diff/report';
import type { CfnTemplate, RevisionTemplates } from '../scripts/diff/synth';
import { templateDiff } from '../scripts/diff/template-diff';

type Resources = Record<string, Record<string, unknown>>;

function template(resources: Resources): CfnTemplate {
  return { Resources: resources };
}

function only(before: Resources, after: Resources) {
  const { changes } = compareTemplates(template(before), template(after));
  expect(changes).toHaveLength(1);
  return changes[0];
}

const REVISION = { ref: 'origin/main', commit: '0123456789abcdef0123456789abcdef01234567' };

describe('classifying one resource change', () => {
  test('a new resource is added', () => {
    const change = only({}, { Topic: { Type: 'AWS::SNS::Topic' } });
    expect(change).toMatchObject({ logicalId: 'Topic', kind: 'added', stateful: false, destructive: false });
  });

  test('a property updated in place is not destructive, even on a stateful resource', () => {
    const change = only(
      { Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 14 } } },
      { Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } } },
    );
    expect(change).toMatchObject({ kind: 'updated in place', stateful: true, destructive: false, replacingProperties: [] });
  });

  test('a property that forces replacement of a stateful resource is destructive and named', () => {
    const change = only(
      { Cluster: { Type: 'AWS::RDS::DBCluster', Properties: { Engine: 'aurora-postgresql', StorageEncrypted: false } } },
      { Cluster: { Type: 'AWS::RDS::DBCluster', Properties: { Engine: 'aurora-postgresql', StorageEncrypted: true } } },
    );
    expect(change).toMatchObject({ kind: 'will replace', stateful: true, destructive: true, replacingProperties: ['StorageEncrypted'] });
  });

  test('a property that may force replacement counts as destructive on a stateful resource', () => {
    const change = only(
      { Db: { Type: 'AWS::RDS::DBInstance', Properties: { Engine: 'postgres', DBSnapshotIdentifier: 'a' } } },
      { Db: { Type: 'AWS::RDS::DBInstance', Properties: { Engine: 'postgres', DBSnapshotIdentifier: 'b' } } },
    );
    expect(change).toMatchObject({ kind: 'may replace', destructive: true, replacingProperties: ['DBSnapshotIdentifier'] });
  });

  test('replacing a stateless resource is not destructive', () => {
    const change = only(
      { Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'a' } } },
      { Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'b' } } },
    );
    expect(change).toMatchObject({ kind: 'will replace', stateful: false, destructive: false });
  });

  test('a removed stateful resource is destructive, even when retained (the app moves to a new, empty one)', () => {
    const deleted = only({ Bucket: { Type: 'AWS::S3::Bucket' } }, {});
    expect(deleted).toMatchObject({ kind: 'removed', destructive: true, retained: false });
    const retained = only({ Bucket: { Type: 'AWS::S3::Bucket', DeletionPolicy: 'Retain' } }, {});
    expect(retained).toMatchObject({ kind: 'removed', destructive: true, retained: true });
  });

  test('a removed stateful resource names the resource of its type added in its place (a renamed construct)', () => {
    const { changes } = compareTemplates(
      template({ OldKey: { Type: 'AWS::KMS::Key', Metadata: { 'aws:cdk:path': 'S/Network/LogsKey/Resource' } } }),
      template({ NewKey: { Type: 'AWS::KMS::Key', Metadata: { 'aws:cdk:path': 'S/Network/FlowLogsKey/Resource' } } }),
    );
    expect(changes).toEqual([
      expect.objectContaining({ logicalId: 'NewKey', kind: 'added', path: 'Network/FlowLogsKey' }),
      expect.objectContaining({
        logicalId: 'OldKey',
        kind: 'removed',
        destructive: true,
        path: 'Network/LogsKey',
        addedSameType: ['NewKey'],
      }),
    ]);
  });

  test('a changed resource type replaces the resource', () => {
    const change = only({ Data: { Type: 'AWS::ElastiCache::CacheCluster' } }, { Data: { Type: 'AWS::ElastiCache::ReplicationGroup' } });
    expect(change).toMatchObject({ kind: 'will replace', destructive: true, replacingProperties: ['Type'] });
  });

  test('every stateful type of lib/stateful.ts is guarded', () => {
    for (const type of [
      'AWS::RDS::DBCluster',
      'AWS::RDS::DBInstance',
      'AWS::ElastiCache::ReplicationGroup',
      'AWS::KMS::Key',
      'AWS::SecretsManager::Secret',
      'AWS::S3::Bucket',
      'AWS::Logs::LogGroup',
    ]) {
      expect(only({ R: { Type: type } }, {})).toMatchObject({ type, destructive: true });
    }
  });

  test('identical templates have no changes and no text', () => {
    const same = template({ Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'b' } } });
    expect(compareTemplates(same, same)).toEqual({ changes: [], security: [], traffic: [], text: '', rollouts: [] });
  });
});

describe('security-relevant changes', () => {
  const policy = (actions: string[]) => ({
    Policy: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        PolicyName: 'p',
        Roles: ['r'],
        PolicyDocument: { Version: '2012-10-17', Statement: actions.map((a) => ({ Effect: 'Allow', Action: a, Resource: '*' })) },
      },
    },
  });
  const group = (ingress: Record<string, unknown>[]) => ({
    Group: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'g', VpcId: 'vpc-1', SecurityGroupIngress: ingress } },
  });

  test('an IAM statement added is listed as broadened, with its action', () => {
    const { security } = compareTemplates(template(policy(['s3:GetObject'])), template(policy(['s3:GetObject', 's3:*'])));
    expect(security).toEqual([expect.objectContaining({ kind: 'iam-statement', broadened: true, added: 1, removed: 0 })]);
    expect(security[0].table.flat()).toContain('s3:*');
  });

  test('an IAM statement removed is listed, not as broadened', () => {
    const { security } = compareTemplates(template(policy(['s3:GetObject', 's3:*'])), template(policy(['s3:GetObject'])));
    expect(security).toEqual([expect.objectContaining({ kind: 'iam-statement', broadened: false, added: 0, removed: 1 })]);
  });

  test('a managed policy attached to a role is listed as broadened', () => {
    const role = (arns: string[]) => ({
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {}, ManagedPolicyArns: arns } },
    });
    const { security } = compareTemplates(template(role([])), template(role(['arn:aws:iam::aws:policy/AdministratorAccess'])));
    expect(security).toEqual([expect.objectContaining({ kind: 'managed-policy', broadened: true, added: 1, removed: 0 })]);
  });

  test('a security-group rule opened to the internet is listed as broadened', () => {
    const { security } = compareTemplates(
      template(group([])),
      template(group([{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, CidrIp: '0.0.0.0/0' }])),
    );
    expect(security).toEqual([expect.objectContaining({ kind: 'security-group', broadened: true, added: 1 })]);
    expect(security[0].table).toContainEqual(['+', '${Group.GroupId}', 'In', 'TCP 5432', 'Everyone (IPv4)']);
  });
});

describe('comparing revisions', () => {
  const key = { Key: { Type: 'AWS::KMS::Key', Properties: { Description: 'k' } } };
  const revision = (envs: Record<string, Record<string, Resources>>): RevisionTemplates =>
    new Map(Object.entries(envs).map(([env, stacks]) => [env, new Map(Object.entries(stacks).map(([s, r]) => [s, template(r)]))]));

  test('exits 1 when a stateful resource would be removed, 0 when nothing changed', () => {
    const base = revision({ dev: { 'App-dev-Data': key } });
    expect(compareRevisions(base, revision({ dev: { 'App-dev-Data': {} } })).exitCode).toBe(1);
    const unchanged = compareRevisions(base, base);
    expect(unchanged.exitCode).toBe(0);
    expect(unchanged.environments[0].stacks[0].status).toBe('unchanged');
    expect(renderText(unchanged, { revision: REVISION })).toContain('SAFE: no changes.');
  });

  test('an allow-list entry lets a deliberate removal pass, still listed as allowed', () => {
    const entry = { env: 'dev', stack: 'App-dev-Data', logicalId: 'Key', reason: 'rotated by replacement' };
    const report = compareRevisions(revision({ dev: { 'App-dev-Data': key } }), revision({ dev: { 'App-dev-Data': {} } }), [entry]);
    expect(report.exitCode).toBe(0);
    expect(report.findings).toEqual([expect.objectContaining({ env: 'dev', stack: 'App-dev-Data', allowedBy: entry })]);
    expect(renderText(report, { revision: REVISION })).toContain(
      'ALLOWED dev App-dev-Data Key (AWS::KMS::Key) removed: allowed: rotated by replacement',
    );
  });

  test('an allow-list entry for another environment does not apply', () => {
    const entry = { env: 'prod', stack: 'App-dev-Data', logicalId: 'Key', reason: 'r' };
    const report = compareRevisions(revision({ dev: { 'App-dev-Data': key } }), revision({ dev: { 'App-dev-Data': {} } }), [entry]);
    expect(report.exitCode).toBe(1);
    expect(report.unusedAllowances).toEqual([entry]);
  });

  test('an environment on one side only is reported as added or removed; a removed stack is not a deletion', () => {
    const report = compareRevisions(revision({ old: { 'App-old-Data': key } }), revision({ perf: { 'App-perf-Data': key } }));
    expect(report.environments.map((e) => [e.name, e.status, e.stacks[0].status])).toEqual([
      ['old', 'removed', 'removed'],
      ['perf', 'added', 'added'],
    ]);
    expect(report.environments[1].stacks[0].changes).toEqual([expect.objectContaining({ kind: 'added' })]);
    // `cdk deploy` never deletes a stack: removing one from the app takes an explicit `cdk destroy`.
    expect(report.exitCode).toBe(0);
  });
});

describe('the pull-request comment', () => {
  const base: RevisionTemplates = new Map([
    [
      'dev',
      new Map([
        [
          'App-dev-Data',
          template({ Key: { Type: 'AWS::KMS::Key' }, Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 1 } } }),
        ],
      ]),
    ],
  ]);
  const head: RevisionTemplates = new Map([
    ['dev', new Map([['App-dev-Data', template({ Logs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 7 } } })]])],
  ]);

  test('carries the marker, then the verdict, the destructive list, the counts, and the diff folded away', () => {
    const markdown = renderMarkdown(compareRevisions(base, head), { revision: REVISION });
    expect(markdown.startsWith(`${COMMENT_MARKER}\n`)).toBe(true);
    expect(markdown).toContain('**BLOCKED: 1 stateful resource would be replaced or removed.');
    expect(markdown).toContain('| ❌ | dev | App-dev-Data | `Key` | AWS::KMS::Key | removed |');
    expect(markdown).toContain('| dev | App-dev-Data |  | 1 |  |  | 1 |');
    const order = ['### Stateful resources replaced or removed', '### Changes by stack', '<details><summary>dev / App-dev-Data'].map((h) =>
      markdown.indexOf(h),
    );
    expect(order.every((i, n) => i >= 0 && (n === 0 || i > order[n - 1]))).toBe(true);
  });

  test('strips terminal colours from the diff it embeds', () => {
    const report = compareRevisions(base, head);
    const red = (text: string) => `\u001b[31m${text}\u001b[39m`;
    const coloured = {
      ...report,
      environments: report.environments.map((e) => ({ ...e, stacks: e.stacks.map((s) => ({ ...s, text: red(s.text) })) })),
    };
    const markdown = renderMarkdown(coloured, { revision: REVISION });
    expect(markdown).toContain('[-] AWS::KMS::Key Key destroy');
    expect(markdown).not.toContain('\u001b[');
  });

  test('stays under the comment size limit when the diff is huge', () => {
    // 600 changed tags print about 80,000 characters of diff: more than a comment holds.
    const tags = (value: string) => Array.from({ length: 600 }, (_, i) => ({ Key: `tag-${i}`, Value: `${value}-${i}` }));
    const topic = (value: string): RevisionTemplates =>
      new Map([['dev', new Map([['S', template({ T: { Type: 'AWS::SNS::Topic', Properties: { Tags: tags(value) } } })]])]]);
    const report = compareRevisions(topic('a'), topic('b'));
    expect(report.environments[0].stacks[0].text.length).toBeGreaterThan(MARKDOWN_LIMIT);
    const markdown = renderMarkdown(report, { revision: REVISION });
    expect(markdown.length).toBeLessThanOrEqual(MARKDOWN_LIMIT);
    expect(markdown).toContain('cut to fit a comment: run `npm run diff -- --base origin/main --env dev`');
  });
});

describe('the allow-list file', () => {
  function problems(text: string): string[] {
    try {
      parseAllowList(text, '.diff-allow.json');
    } catch (e) {
      expect(e).toBeInstanceOf(DiffError);
      return (e as Error).message.split('\n').slice(1);
    }
    throw new Error('expected the allow-list to be rejected');
  }

  test('accepts entries with env, stack, logical ID and reason', () => {
    const entry = { env: 'dev', stack: 'S', logicalId: 'L', reason: 'why' };
    expect(parseAllowList(JSON.stringify([entry]), 'f')).toEqual([entry]);
  });

  test('fails when an entry has no reason, naming the field', () => {
    expect(problems('[{ "env": "dev", "stack": "S", "logicalId": "L" }]')).toEqual([
      '.diff-allow.json: 0.reason: expected a reason a reviewer can check (why losing this resource is safe), got nothing (the field is missing)',
    ]);
  });

  test('fails when a reason is blank', () => {
    expect(problems('[{ "env": "dev", "stack": "S", "logicalId": "L", "reason": "  " }]')).toEqual([
      '.diff-allow.json: 0.reason: expected a reason a reviewer can check (why losing this resource is safe), got "  "',
    ]);
  });

  test('fails on a misspelled field, suggesting the known one', () => {
    expect(problems('[{ "env": "dev", "stack": "S", "logicalID": "L", "reason": "r" }]')).toEqual([
      '.diff-allow.json: 0.logicalId: expected the logical ID as the diff prints it, got nothing (the field is missing)',
      '.diff-allow.json: 0.logicalID: expected "logicalId" or another known field (env, stack, logicalId, reason), got the unknown field "logicalID"',
    ]);
  });

  test('fails when the file is not JSON', () => {
    expect(problems('[{')).toEqual([expect.stringMatching(/^\.diff-allow\.json: expected valid JSON, got an error: /)]);
  });
});

describe('the template diff and its comparison, computed once per pair (scripts/diff/template-diff.ts, engine.ts)', () => {
  const cluster = (name: string) => ({
    Type: 'AWS::RDS::DBCluster',
    Properties: { DBClusterIdentifier: name, Engine: 'aurora-postgresql' },
  });
  const logs = { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 14 } };
  const before = template({ Cluster: cluster('a'), Logs: logs });
  const after = template({ Cluster: cluster('b'), Logs: logs });

  test("is cdk diff's: the same differences and impacts as @aws-cdk/cloudformation-diff's fullDiff", () => {
    const impacts = (diff: TemplateDiff) => {
      const found: string[] = [];
      diff.resources.forEachDifference((id, change) => found.push(`${id} ${change.changeImpact}`));
      return found;
    };
    expect(impacts(templateDiff(before, after))).toEqual(impacts(fullDiff(before, after)));
    expect(impacts(templateDiff(before, after))).toEqual([`Cluster ${ResourceImpact.WILL_REPLACE}`]);
  });

  test('asked again for the same pair, returns the diff it computed', () => {
    expect(templateDiff(before, after)).toBe(templateDiff(before, after));
    // Another pair of objects is another diff, even with the same content.
    expect(templateDiff(structuredClone(before), after)).not.toBe(templateDiff(before, after));
  });

  test('the comparison of a pair (classified changes and cdk diff text) is made once, and frozen, since reports share it', () => {
    const first = compareTemplates(before, after);
    expect(first.changes).toEqual([expect.objectContaining({ logicalId: 'Cluster', destructive: true })]);
    expect(first.text).toContain('Cluster');
    expect(compareTemplates(before, after)).toBe(first);
    // Another pair of objects is compared afresh, to an equal result.
    const again = compareTemplates(structuredClone(before), after);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
    // A caller that changed the shared changes in place (a sort, a push) would change every other report's: it fails instead.
    expect(Object.isFrozen(first) && Object.isFrozen(first.changes) && Object.isFrozen(first.traffic)).toBe(true);
    expect(() => (first.changes as unknown[]).push(first.changes[0])).toThrow(TypeError);
  });

  test('equal templates, keys in another order, have no difference; one value apart, they have', () => {
    const reordered = template({ Logs: { Properties: { RetentionInDays: 14 }, Type: logs.Type }, Cluster: cluster('a') });
    expect(templateDiff(before, reordered).isEmpty).toBe(true);
    expect(fullDiff(before, reordered).isEmpty).toBe(true);
    expect(templateDiff(before, template({ Cluster: cluster('a'), Logs: { ...logs, Properties: { RetentionInDays: 30 } } })).isEmpty).toBe(
      false,
    );
  });
});

import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EncryptedLogGroup, EncryptionKey } from '../../lib/constructs/encryption';
import { bareStack } from './fixtures';

describe('EncryptionKey', () => {
  test('rotates yearly and is retained by default', () => {
    // GIVEN
    const stack = bareStack();
    // WHEN
    new EncryptionKey(stack, 'Key', { description: 'test' });
    // THEN
    Template.fromStack(stack).hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true, Description: 'test' },
      DeletionPolicy: 'Retain',
    });
  });

  test('takes the removal policy it is given', () => {
    const stack = bareStack();
    new EncryptionKey(stack, 'Key', { description: 'test', removalPolicy: RemovalPolicy.DESTROY });
    Template.fromStack(stack).hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  test('forLogs lets CloudWatch Logs of this account use the key; a plain key does not', () => {
    const stack = bareStack();
    EncryptionKey.forLogs(stack, 'Logs', { description: 'logs' });
    new EncryptionKey(stack, 'Plain', { description: 'plain' });
    const keys = Template.fromStack(stack).findResources('AWS::KMS::Key');
    expect(JSON.stringify(Object.values(keys).find((k) => k.Properties.Description === 'logs')!.Properties.KeyPolicy)).toContain('logs.');
    expect(JSON.stringify(Object.values(keys).find((k) => k.Properties.Description === 'plain')!.Properties.KeyPolicy)).not.toContain(
      'logs.',
    );
  });
});

/** The Control Tower (Guard) rules the log group's metadata suppresses. */
function guardSuppressions(template: Template): string[] {
  const [group] = Object.values(template.findResources('AWS::Logs::LogGroup'));
  return group.Metadata?.guard?.SuppressedRules ?? [];
}

describe('EncryptedLogGroup', () => {
  test('is encrypted with the key, keeps the retention and is retained by default', () => {
    // GIVEN
    const stack = bareStack();
    const key = new EncryptionKey(stack, 'Key', { description: 'test' });
    // WHEN
    new EncryptedLogGroup(stack, 'Logs', { encryptionKey: key, retentionDays: 30 });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 30, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] } },
      DeletionPolicy: 'Retain',
    });
    // Not acknowledged: a retention under a year then fails the Control Tower check of a real synth.
    expect(guardSuppressions(template)).toEqual([]);
  });

  test('acknowledges a retention under a year only when told to', () => {
    const stack = bareStack();
    const key = new EncryptionKey(stack, 'Key', { description: 'test' });
    new EncryptedLogGroup(stack, 'Logs', { encryptionKey: key, retentionDays: 30, acknowledgeShortRetention: true });
    expect(guardSuppressions(Template.fromStack(stack))).toEqual([expect.stringMatching(/retention/i)]);
  });

  test('a year or more is never acknowledged', () => {
    const stack = bareStack();
    const key = new EncryptionKey(stack, 'Key', { description: 'test' });
    new EncryptedLogGroup(stack, 'Logs', { encryptionKey: key, retentionDays: 365, acknowledgeShortRetention: true });
    expect(guardSuppressions(Template.fromStack(stack))).toEqual([]);
  });

  test('fails on a retention CloudWatch Logs does not accept', () => {
    const stack = bareStack();
    const key = new EncryptionKey(stack, 'Key', { description: 'test' });
    expect(() => new EncryptedLogGroup(stack, 'Logs', { encryptionKey: key, retentionDays: 31 })).toThrow(
      /EncryptedLogGroup Test\/Logs: expected retentionDays to be one of 1, 3, 5, 7, 14, 30, .*, got 31/,
    );
  });
});

/**
 * The producer digests (lib/producer-digest.ts) on two bare stacks, with cdk.json's weak cross-stack references: a
 * consumer's template changes whenever a resource it reads from another stack changes, and only then.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { followProducers } from '../lib/producer-digest';
import { PRODUCER_DIGEST_METADATA } from '../lib/template-metadata';
import { newApp } from './support/synth';

interface Options {
  /** The visibility timeout of the queue the consumer reads. */
  readTimeout?: number;
  /** The visibility timeout of a queue of the producer that nothing reads. */
  unreadTimeout?: number;
  /** Whether the consumer reads the producer at all. */
  reads?: boolean;
}

/** The templates of a producer with two queues and a consumer that reads one queue's ARN, each following its producers. */
function synthesize({ readTimeout = 30, unreadTimeout = 30, reads = true }: Options = {}) {
  const app = newApp();
  const env = { account: '111111111111', region: 'eu-west-1' };
  const producer = new Stack(app, 'Producer', { env });
  const consumer = new Stack(app, 'Consumer', { env });
  followProducers(producer);
  followProducers(consumer);
  const read = new sqs.Queue(producer, 'Read', { visibilityTimeout: Duration.seconds(readTimeout) });
  new sqs.Queue(producer, 'Unread', { visibilityTimeout: Duration.seconds(unreadTimeout) });
  new sqs.Queue(consumer, 'DeadLetters', reads ? { deadLetterQueue: { queue: read, maxReceiveCount: 3 } } : {});
  const assembly = app.synth();
  const metadata = (stack: Stack) => (assembly.getStackByName(stack.stackName).template as { Metadata?: Record<string, unknown> }).Metadata;
  return { producer: metadata(producer), consumer: metadata(consumer), text: JSON.stringify(assembly.stacks.map((s) => s.template)) };
}

test('GIVEN a consumer that reads a queue of another stack THEN its template carries a digest per producer, and the producer none', () => {
  const { producer, consumer } = synthesize();
  expect(consumer).toEqual({ [PRODUCER_DIGEST_METADATA]: { Producer: expect.stringMatching(/^[0-9a-f]{16}$/) } });
  // A stack that reads nothing has no entry: its metadata is as CDK renders it without one.
  expect(producer).toEqual({});
});

test('WHEN the resource the consumer reads changes THEN the digest changes; WHEN another resource of the producer changes THEN it does not', () => {
  const digest = (options: Options) => (synthesize(options).consumer?.[PRODUCER_DIGEST_METADATA] as Record<string, string>).Producer;
  const before = digest({});
  expect(digest({})).toBe(before);
  expect(digest({ readTimeout: 60 })).not.toBe(before);
  expect(digest({ unreadTimeout: 60 })).toBe(before);
});

test('WHEN the consumer reads nothing THEN neither template has an entry, and no template holds the placeholder', () => {
  const { producer, consumer, text } = synthesize({ reads: false });
  expect(consumer).toEqual({});
  expect(producer).toEqual({});
  expect(text).not.toContain('pending');
  expect(synthesize().text).not.toContain('pending');
});

import { AwsCallError, CredentialsError, allPages, createClients } from '../../scripts/verify/aws';
import { awsError, mockAws } from './support';

describe('call: retries and error classes', () => {
  test('the clients make one attempt each, so that retries happen once, in call', async () => {
    const clients = createClients({
      region: 'eu-west-1',
      copyRegion: 'eu-central-1',
      credentials: async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }),
    });
    for (const client of Object.values(clients)) expect(await client!.config.maxAttempts()).toBe(1);
    // The copy vault's region gets its own Backup client.
    expect(await clients.backupCopy!.config.region()).toBe('eu-central-1');
    expect(await clients.rds.config.region()).toBe('eu-west-1');
  });

  test('retries transient server errors, not client errors', async () => {
    const { aws } = mockAws();
    let attempts = 0;
    const flaky = () => {
      attempts++;
      return attempts < 2
        ? Promise.reject(Object.assign(awsError('InternalFailure'), { $metadata: { httpStatusCode: 503 } }))
        : Promise.resolve('ok');
    };
    await expect(aws.call('x:Flaky', flaky)).resolves.toBe('ok');
    expect(attempts).toBe(2);

    let invalid = 0;
    const bad = () => {
      invalid++;
      return Promise.reject(awsError('InvalidParameterValue', 'bad filter'));
    };
    await expect(aws.call('x:Bad', bad)).rejects.toThrow('x:Bad failed: InvalidParameterValue: bad filter');
    expect(invalid).toBe(1);
  });

  test.each(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation'])('%s is a denial naming the action', async (name) => {
    const { aws } = mockAws();
    const error = await aws.call('ecs:DescribeServices', () => Promise.reject(awsError(name))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCallError);
    expect((error as AwsCallError).accessDenied).toBe(true);
    expect((error as AwsCallError).message).toBe(`access denied: ecs:DescribeServices is not allowed for these credentials (${name})`);
  });

  test.each(['CredentialsProviderError', 'ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException'])(
    '%s stops the run as a CredentialsError, without retrying',
    async (name) => {
      const { aws } = mockAws();
      let attempts = 0;
      const request = () => {
        attempts++;
        return Promise.reject(awsError(name, 'no good'));
      };
      await expect(aws.call('rds:DescribeDBClusters', request)).rejects.toBeInstanceOf(CredentialsError);
      expect(attempts).toBe(1);
    },
  );
});

describe('allPages', () => {
  test('follows tokens to the end, and stops on a token it has seen', async () => {
    const pages: Record<string, { items: number[]; next?: string }> = {
      '': { items: [1], next: 'a' },
      a: { items: [2], next: 'b' },
      b: { items: [3], next: 'a' },
    };
    const read = await allPages(
      async (token) => pages[token ?? ''],
      (page) => page.next,
    );
    expect(read.flatMap((page) => page.items)).toEqual([1, 2, 3]);
  });
});

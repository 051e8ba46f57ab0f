/**
 * The IAM token path of the reference service (services/api/src/iam-token.ts), offline: tokens signed with
 * static credentials by the AWS SDK v3 signer, and when they are refreshed. RDS's acceptance of a token cannot
 * be tested without AWS; what RDS checks (a SigV4 presigned `connect` for the endpoint, port, user and
 * region, valid 900 s) is what these tests read back out of the token.
 */
import { iamTokenSource, TOKEN_LIFETIME_MS, TOKEN_REFRESH_AFTER_MS } from '../../services/api/src/iam-token';

const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const props = { hostname: 'app.proxy-abc123.eu-west-1.rds.amazonaws.com', port: 5432, username: 'api', region: 'eu-west-1', credentials };

/** Only Date is faked: the signer awaits promises, which fake timers must not hold back. */
function freezeClock(iso: string): void {
  jest.useFakeTimers({ now: new Date(iso), doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate', 'setTimeout', 'clearTimeout'] });
}
afterEach(() => jest.useRealTimers());

describe('an IAM authentication token', () => {
  test('is a SigV4-presigned connect for the endpoint, port, user and region, valid 900 s', async () => {
    freezeClock('2026-12-01T12:00:00Z');
    const token = await iamTokenSource(props)();

    // The token is a URL without its scheme: host:port/?query. It goes to the server as the password.
    expect(token.startsWith(`${props.hostname}:5432/?`)).toBe(true);
    const query = new URL(`https://${token}`).searchParams;
    expect(query.get('Action')).toBe('connect');
    expect(query.get('DBUser')).toBe('api');
    expect(query.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(query.get('X-Amz-Credential')).toBe('AKIAIOSFODNN7EXAMPLE/20261201/eu-west-1/rds-db/aws4_request');
    expect(query.get('X-Amz-Date')).toBe('20261201T120000Z');
    expect(query.get('X-Amz-Expires')).toBe(String(TOKEN_LIFETIME_MS / 1000));
    expect(query.get('X-Amz-SignedHeaders')).toBe('host');
    expect(query.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  test('differs per user and per endpoint: a token for one cannot log in as the other', async () => {
    freezeClock('2026-12-01T12:00:00Z');
    const writer = await iamTokenSource(props)();
    const reader = await iamTokenSource({ ...props, username: 'api_reader' })();
    const elsewhere = await iamTokenSource({ ...props, hostname: 'app-readers.endpoint.proxy-abc123.eu-west-1.rds.amazonaws.com' })();
    expect(new Set([writer, reader, elsewhere]).size).toBe(3);
  });
});

describe('token refresh', () => {
  test('reuses the token for new connections until it is 10 minutes old, then signs a new one', async () => {
    freezeClock('2026-12-01T12:00:00Z');
    const token = iamTokenSource(props);
    const first = await token();

    jest.setSystemTime(new Date('2026-12-01T12:09:59Z'));
    expect(await token()).toBe(first);

    jest.setSystemTime(new Date('2026-12-01T12:10:00Z'));
    const second = await token();
    expect(second).not.toBe(first);
    expect(new URL(`https://${second}`).searchParams.get('X-Amz-Date')).toBe('20261201T121000Z');
    // Every token handed out has at least 5 minutes left when a connection presents it.
    expect(TOKEN_LIFETIME_MS - TOKEN_REFRESH_AFTER_MS).toBe(5 * 60_000);
  });

  test('connections opened together share one signing', async () => {
    freezeClock('2026-12-01T12:00:00Z');
    const signs: string[] = [];
    const source = iamTokenSource({
      ...props,
      credentials: async () => {
        signs.push('credentials resolved');
        return credentials;
      },
    });
    const tokens = await Promise.all(Array.from({ length: 20 }, () => source()));
    expect(new Set(tokens).size).toBe(1);
    expect(signs).toHaveLength(1);
  });

  test('a failed signing is not cached: the next connection tries again', async () => {
    freezeClock('2026-12-01T12:00:00Z');
    let calls = 0;
    const source = iamTokenSource({
      ...props,
      credentials: async () => {
        if (++calls === 1) throw new Error('credentials endpoint unreachable');
        return credentials;
      },
    });
    await expect(source()).rejects.toThrow('credentials endpoint unreachable');
    await expect(source()).resolves.toMatch(/^app\.proxy-abc123/);
  });
});

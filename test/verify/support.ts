/**
 * Test doubles for `npm run verify`: real SDK clients whose `send` aws-sdk-client-mock replaces, and the real
 * retry loop with a 1 ms base delay, so a throttling test waits milliseconds, not seconds.
 */
import { mockClient } from 'aws-sdk-client-mock';
import { type Aws, createAws, createClients } from '../../scripts/verify/aws';

// The SDK's notice about future Node versions is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export function mockAws(retry: { maxAttempts?: number; baseDelayMs?: number } = {}) {
  const clients = createClients({
    region: 'eu-west-1',
    credentials: async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }),
    copyRegion: 'eu-central-1',
  });
  const mocks = {
    cloudFormation: mockClient(clients.cloudFormation),
    rds: mockClient(clients.rds),
    elastiCache: mockClient(clients.elastiCache),
    ecs: mockClient(clients.ecs),
    elbv2: mockClient(clients.elbv2),
    cloudWatch: mockClient(clients.cloudWatch),
    backup: mockClient(clients.backup),
    backupCopy: mockClient(clients.backupCopy!),
  };
  const aws: Aws = createAws(clients, { maxAttempts: retry.maxAttempts ?? 3, baseDelayMs: retry.baseDelayMs ?? 1 });
  return { aws, mocks };
}

/** An error as the SDK throws it: its `name` is the service's error code. */
export function awsError(name: string, message = `${name} from the mock`): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 }, $fault: 'client' });
}

export const throttling = () => awsError('ThrottlingException', 'Rate exceeded');
export const accessDenied = () => awsError('AccessDenied', 'User is not authorized to perform this action');
export const noCredentials = () =>
  Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });

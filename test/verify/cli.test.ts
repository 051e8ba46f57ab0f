/**
 * The command-line contract of `npm run verify`, offline:
 * only the paths that need no AWS answer (usage, configuration, credentials) can run here.
 *
 * Each case runs the command's `main` in this process (test/support/in-process.ts), except the last, which runs
 * the entry point in a child process as npm runs it (ts-node, transpile-only).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../scripts/verify';
import { CHILD_NODE_FLAGS } from '../support/child';
import { runInProcess } from '../support/in-process';

const ROOT = path.join(__dirname, '..', '..');
const EMPTY = fs.mkdtempSync(path.join(os.tmpdir(), 'aws-empty-'));
fs.writeFileSync(path.join(EMPTY, 'config'), '');
fs.writeFileSync(path.join(EMPTY, 'credentials'), '');

/** No credentials anywhere, and no instance metadata service to wait for. */
function offlineEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_CONFIG_FILE: path.join(EMPTY, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(EMPTY, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  for (const name of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_WEB_IDENTITY_TOKEN_FILE']) {
    delete env[name];
  }
  for (const name of [
    'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
  ]) {
    delete env[name];
  }
  return env;
}

/** `npm run verify` as npm runs it, in a child process. */
function verifyProcess(args: string[]) {
  const env = offlineEnvironment();
  const result = spawnSync(process.execPath, [...CHILD_NODE_FLAGS, '-r', 'ts-node/register/transpile-only', 'scripts/verify.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The same command's `main`, in this process. */
function verify(args: string[]) {
  return runInProcess('verify', main, args, offlineEnvironment(), 1);
}

describe('npm run verify', () => {
  test('exits 2 with usage when --env is missing', async () => {
    const result = await verify([]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^usage: npm run verify -- --env NAME/);
  });

  test('exits 2 on a replica-lag threshold that is not a positive number', async () => {
    const result = await verify(['--env', 'dev', '--max-replica-lag', 'soon']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^--max-replica-lag: expected a number of seconds > 0, got "soon"/);
  });

  test('exits 1 on an unknown environment, listing the known ones', async () => {
    const result = await verify(['--env', 'prd']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/expected one of dev, prod, staging/);
  });

  test('exits 2 with one clear line, not a stack trace, when the profile has no credentials', async () => {
    const result = await verify(['--env', 'dev', '--profile', 'nobody']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'credentials: CredentialsProviderError: Could not resolve credentials using profile: [nobody] in configuration/credentials file(s). (from profile "nobody"; sign in again, or pass --profile)\n',
    );
  });

  // The entry point itself, in a child process as npm runs it: the AWS SDK's whole default chain, one line, exit 2.
  test('exits 2 with one line when the default chain finds no credentials', () => {
    const result = verifyProcess(['--env', 'dev', '--json']);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^credentials: CredentialsProviderError: Could not load credentials from any providers/);
  });
});

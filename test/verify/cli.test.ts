/**
 * The command-line contract of `npm run verify`, run as npm runs it (ts-node, transpile-only), offline:
 * only the paths that need no AWS answer (usage, configuration, credentials) can run here.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CHILD_NODE_FLAGS } from '../support/child';

const ROOT = path.join(__dirname, '..', '..');
const EMPTY = fs.mkdtempSync(path.join(os.tmpdir(), 'aws-empty-'));
fs.writeFileSync(path.join(EMPTY, 'config'), '');
fs.writeFileSync(path.join(EMPTY, 'credentials'), '');

function verify(args: string[]) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // No credentials anywhere, and no instance metadata service to wait for.
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
  const result = spawnSync(process.execPath, [...CHILD_NODE_FLAGS, '-r', 'ts-node/register/transpile-only', 'scripts/verify.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run verify', () => {
  test('exits 2 with usage when --env is missing', () => {
    const result = verify([]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^usage: npm run verify -- --env NAME/);
  });

  test('exits 2 on a replica-lag threshold that is not a positive number', () => {
    const result = verify(['--env', 'dev', '--max-replica-lag', 'soon']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^--max-replica-lag: expected a number of seconds > 0, got "soon"/);
  });

  test('exits 1 on an unknown environment, listing the known ones', () => {
    const result = verify(['--env', 'prd']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/expected one of dev, prod, staging/);
  });

  test('exits 2 with one clear line, not a stack trace, when the profile has no credentials', () => {
    const result = verify(['--env', 'dev', '--profile', 'nobody']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'credentials: CredentialsProviderError: Could not resolve credentials using profile: [nobody] in configuration/credentials file(s). (from profile "nobody"; sign in again, or pass --profile)\n',
    );
  });

  test('exits 2 with one line when the default chain finds no credentials', () => {
    const result = verify(['--env', 'dev', '--json']);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^credentials: CredentialsProviderError: Could not load credentials from any providers/);
  });
});

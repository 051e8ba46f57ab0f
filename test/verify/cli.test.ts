/**
 * The command-line contract of `npm run verify`, offline:
 * only the paths that need no AWS answer (usage, configuration, credentials) can run here.
 *
 * Each case runs the command's `main` in this process (test/support/commands.ts), except the last, which runs
 * the entry point in a child process as npm runs it (tsx, without a type check).
 */
import { main } from '../../scripts/verify';
import { offlineAwsEnvironment, runInProcess, runScript } from '../support/commands';

/** `npm run verify` as npm runs it, in a child process. */
const verifyProcess = (args: string[]) => runScript('verify.ts', args, offlineAwsEnvironment());

/** The same command's `main`, in this process. */
const verify = (args: string[]) => runInProcess('verify', main, args, offlineAwsEnvironment(), 1);

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

/**
 * The command-line contract of `npm run chaos`, offline: the paths
 * that need no AWS answer (usage, configuration, what the environment has, credentials).
 *
 * Each case runs the command's `main` in this process (test/support/commands.ts), except the last, which runs
 * the entry point in a child process as npm runs it (tsx, without a type check).
 */
import { main } from '../../scripts/chaos';
import { offlineAwsEnvironment, runInProcess, runScript } from '../support/commands';

/** `npm run chaos` as npm runs it, in a child process. */
const chaosProcess = (args: string[]) => runScript('chaos.ts', args, offlineAwsEnvironment());

/** The same command's `main`, in this process. */
const chaos = (args: string[]) => runInProcess('chaos', main, args, offlineAwsEnvironment(), 2);

describe('npm run chaos', () => {
  test('exits 2 with usage when neither --list nor --start is given', async () => {
    const result = await chaos(['--env', 'dev']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^usage: npm run chaos -- --env NAME/);
  });

  test('exits 2 when --list and --start are both given', async () => {
    const result = await chaos(['--env', 'dev', '--list', '--start', 'zone-lost']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^--list and --start exclude each other/);
  });

  test('exits 1 on an unknown environment, listing the known ones', async () => {
    const result = await chaos(['--env', 'prd', '--list']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/expected one of dev, prod, staging/);
  });

  test('exits 2 on an experiment the environment does not have, saying why', async () => {
    const result = await chaos(['--env', 'dev', '--start', 'cache-primary-lost', '--yes']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^dev has no experiment cache-primary-lost: cache tiers critical, hot have no Multi-AZ replica/);
  });

  test('says production has no experiments unless it opts in', async () => {
    const result = await chaos(['--env', 'prod', '--start', 'zone-lost', '--yes']);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('prod has no experiments: a production environment opts in with chaos.enabled: true in its file\n');
  });

  test('exits 2 with one clear line, not a stack trace, when the profile has no credentials', async () => {
    const result = await chaos(['--env', 'staging', '--list', '--profile', 'nobody']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'credentials: CredentialsProviderError: Could not resolve credentials using profile: [nobody] in configuration/credentials file(s). (from profile "nobody"; sign in again, or pass --profile)\n',
    );
  });

  // The entry point itself, in a child process as npm runs it: the AWS SDK's whole default chain, one line, exit 2.
  test('exits 2 with one line when the default chain finds no credentials', () => {
    const result = chaosProcess(['--env', 'staging', '--start', 'zone-lost', '--yes', '--json']);
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^credentials: CredentialsProviderError: Could not load credentials from any providers/);
  });
});

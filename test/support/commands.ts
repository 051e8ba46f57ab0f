/**
 * The review commands (`npm run verify`, `npm run chaos`, `npm run diff`) under test, offline: in this process
 * (`runInProcess`) or, as npm runs them, in a child process (`runScript`; the diff's in its temporary repository,
 * test/support/temp-repo.ts). A child per case cost about 3 s (transpiling what the command imports, the AWS
 * SDK loading), so each command keeps one child-process test for the entry point's wiring.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCommand } from '../../scripts/run-main';
import { CHILD_NODE_FLAGS, TS_LOADER } from './child';

const ROOT = path.join(__dirname, '..', '..');

export interface CommandResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

let emptyDir: string | undefined;

/** This process's environment with no AWS credentials anywhere, and no instance metadata service to wait for. */
export function offlineAwsEnvironment(): NodeJS.ProcessEnv {
  if (!emptyDir) {
    emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aws-empty-'));
    fs.writeFileSync(path.join(emptyDir, 'config'), '');
    fs.writeFileSync(path.join(emptyDir, 'credentials'), '');
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_CONFIG_FILE: path.join(emptyDir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(emptyDir, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  for (const name of [
    'AWS_PROFILE',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_WEB_IDENTITY_TOKEN_FILE',
    'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
  ]) {
    delete env[name];
  }
  return env;
}

/**
 * A TypeScript entry point (`file`, relative to `cwd`: `bin/app.ts`, `scripts/config.ts`) run in a child process as
 * npm's scripts and cdk.json's app run it (`CHILD_NODE_FLAGS`, `TS_LOADER`), with `env` as its whole environment.
 */
export function runEntryPoint(file: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string = ROOT): CommandResult {
  const result = spawnSync(process.execPath, [...CHILD_NODE_FLAGS, ...TS_LOADER, file, ...args], { cwd, encoding: 'utf8', env });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** `scripts/<script>` run as npm runs it, in a child process (in the project at `cwd`: this one by default). */
export function runScript(script: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string = ROOT): CommandResult {
  return runEntryPoint(`scripts/${script}`, args, env, cwd);
}

/**
 * Runs a command's `main` in this process, as `runMain` would in its own: the exit code, and what it wrote to
 * stdout and stderr, with `env` as the whole environment for the call.
 */
export async function runInProcess(
  name: string,
  main: (argv: string[]) => Promise<number>,
  argv: string[],
  env: NodeJS.ProcessEnv,
  unexpectedExitCode?: number,
): Promise<CommandResult> {
  const saved = { ...process.env };
  const stdout: string[] = [];
  const stderr: string[] = [];
  const capture = (into: string[]) => (chunk: string | Uint8Array) => {
    into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture(stdout) as typeof process.stdout.write);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture(stderr) as typeof process.stderr.write);
  for (const key of Object.keys(process.env)) delete process.env[key];
  Object.assign(process.env, env);
  try {
    const status = await runCommand(name, main, argv, unexpectedExitCode);
    return { status, stdout: stdout.join(''), stderr: stderr.join('') };
  } finally {
    out.mockRestore();
    err.mockRestore();
    for (const key of Object.keys(process.env)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

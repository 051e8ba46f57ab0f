/**
 * Runs a command's `main` in this process, as `runMain` would in its own: the exit code, and what it wrote to
 * stdout and stderr, with `env` as the whole environment for the call. A child process per case cost about 3 s
 * (ts-node transpiling what the command imports, the AWS SDK loading); each command keeps one child-process test
 * for the entry point's wiring.
 */
import { runCommand } from '../../scripts/run-main';

export interface CommandResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

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

/**
 * How every command-line entry point ends: `main` returns the exit code; an error it did not expect is one line
 * on stderr, named after the command, and `unexpectedExitCode` (each command documents its codes, docs/review.md).
 * `process.exitCode`, not `process.exit()`: pending output is written before the process ends.
 */
export function runMain(name: string, main: (argv: string[]) => Promise<number>, unexpectedExitCode = 2): void {
  void runCommand(name, main, process.argv.slice(2), unexpectedExitCode).then((code) => {
    process.exitCode = code;
  });
}

/** `main`'s exit code for `argv`, an unexpected error reported as `runMain` reports it (tests run commands in process). */
export async function runCommand(
  name: string,
  main: (argv: string[]) => Promise<number>,
  argv: string[],
  unexpectedExitCode = 2,
): Promise<number> {
  try {
    return await main(argv);
  } catch (e) {
    process.stderr.write(`${name}: unexpected error: ${e instanceof Error ? e.message : String(e)}\n`);
    return unexpectedExitCode;
  }
}

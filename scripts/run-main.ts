/**
 * How every command-line entry point ends: `main` returns the exit code; an error it did not expect is one line
 * on stderr, named after the command, and `unexpectedExitCode` (each command documents its codes, docs/review.md).
 * `process.exitCode`, not `process.exit()`: pending output is written before the process ends.
 */
export function runMain(name: string, main: (argv: string[]) => Promise<number>, unexpectedExitCode = 2): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`${name}: unexpected error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = unexpectedExitCode;
    },
  );
}

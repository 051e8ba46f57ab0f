/**
 * Jest setup (`setupFilesAfterEnv`), for the benchmark: with TEST_CPU_REPORT=FILE set, each test file appends one
 * line to FILE: the CPU time its worker spent on it (user + system, from before the file's imports to its end)
 * and that of the child processes it waited for (the app, the commands, cfn-guard, esbuild, git), both in clock
 * ticks (`getconf CLK_TCK` a second), its wall-clock milliseconds and its path, tab-separated. jest's own report
 * has only wall clock, which on a busy machine says more about the other worker than about the file; `scripts/bench-suite.sh` sets the variable and
 * prints the files that cost most. Reads /proc/self/stat, so Linux only; without the variable it does nothing.
 */
import * as fs from 'fs';

const report = process.env.TEST_CPU_REPORT;

/** [own, children] CPU clock ticks so far: utime + stime, cutime + cstime (proc(5), fields 14 to 17). */
function cpuTicks(): [number, number] {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  // The command name (field 2) may hold spaces; the fields after it start after its closing parenthesis.
  const fields = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  // Field 3 (state) is fields[0]: utime is field 14, so fields[11].
  return [fields[11] + fields[12], fields[13] + fields[14]];
}

if (report && fs.existsSync('/proc/self/stat')) {
  const [ownStart, childrenStart] = cpuTicks();
  const wallStart = Date.now();
  afterAll(() => {
    const [own, children] = cpuTicks();
    fs.appendFileSync(report, `${own - ownStart}\t${children - childrenStart}\t${Date.now() - wallStart}\t${expect.getState().testPath}\n`);
  });
}

// jest's own order of test files (failed first, then the slowest by the last run's timings, else the largest file
// first), with one exception: a file that mostly waits on child processes does not start a worker. Such a file's
// children then run beside the static checks and the other worker's first file, which loads and warms the CDK
// libraries: five CPU-bound processes on two cores. On a fresh clone, where jest orders by size, test/diff.test.ts
// grew past test/cost.test.ts and started first: `npm test` took 301.6 s of CPU against 273.7 s for the same suite in
// the order before (docs/testing.md). It now starts right after the first file of every worker (third on two cores),
// whatever its size or last duration.
const os = require('os');
const Sequencer = require('@jest/test-sequencer').default;

/** Files whose work is mostly child processes (the offline diff's syntheses), by path from the project root. */
const NOT_FIRST = ['test/diff.test.ts'];

class SuiteSequencer extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    // One first file per worker: jest starts one worker per core here (`maxWorkers: '100%'`, jest.config.js).
    const workers = os.availableParallelism();
    const late = sorted.filter((t, i) => i < workers && NOT_FIRST.some((f) => t.path.endsWith(f)));
    if (late.length === 0) return sorted;
    const rest = sorted.filter((t) => !late.includes(t));
    return [...rest.slice(0, workers), ...late, ...rest.slice(workers)];
  }
}

module.exports = SuiteSequencer;

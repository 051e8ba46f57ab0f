// The suite's order of test files: jest's own (failed first, then the slowest first, else the largest file first),
// with two changes.
//
// - Where jest has no timing of a file (a fresh clone, CI, a file never run here), it takes the file's duration from
//   test/support/test-durations.json, recorded from a whole run (`npm run test:durations`, docs/testing.md). jest
//   keeps timings in its cache only, so on a fresh clone it ordered by size: the same suite took 108.9 s of wall clock
//   and 202.4 s of CPU in that order, against 93.4 s and 176.6 s in the order of the last run's timings (one clone,
//   its caches warm but for jest's timings). The longest files first keep both workers busy to the end, and the files
//   that synthesize the environments every other file reads go first, rather than two first files synthesizing prod
//   at once. A timing jest has of its own wins: it was measured on this machine. A file named in neither runs before
//   the timed ones, largest first, as jest runs files it has no timing of.
// - A file that mostly waits on child processes does not start a worker. Such a file's children then run beside the
//   static checks and the other worker's first file, which loads and warms the CDK libraries: five CPU-bound processes
//   on two cores. On a fresh clone, where jest orders by size, test/diff.test.ts grew past test/cost.test.ts and
//   started first: `npm test` took 301.6 s of CPU against 273.7 s for the same suite in the order before
//   (docs/testing.md). It now starts right after the first file of every worker (third on two cores), whatever its
//   size or duration.
const fs = require('fs');
const os = require('os');
const path = require('path');
const Sequencer = require('@jest/test-sequencer').default;

/** Files whose work is mostly child processes (the offline diff's syntheses), by path from the project root. */
const NOT_FIRST = ['test/diff.test.ts'];

/** Where the recorded durations are kept: milliseconds of wall clock by path from the project root. */
const DURATIONS_FILE = path.join(__dirname, 'test-durations.json');
const ROOT = path.join(__dirname, '..', '..');

class SuiteSequencer extends Sequencer {
  /** @param {Record<string, number>} [durations] the recorded durations (the file's, unless a test gives its own) */
  constructor(durations) {
    super();
    this.recorded = durations ?? JSON.parse(fs.readFileSync(DURATIONS_FILE, 'utf8'));
  }

  /** jest's timing of the file, else the recorded one, else none (jest then orders by size). */
  time(test) {
    return super.time(test) ?? this.recorded[path.relative(ROOT, test.path).split(path.sep).join('/')];
  }

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
module.exports.DURATIONS_FILE = DURATIONS_FILE;

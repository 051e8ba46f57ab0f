/**
 * jest's node environment (`testEnvironment` in jest.config.js), with one global context per worker process
 * instead of one per test file: the context the modules of runtime.js's shared registry were loaded in, and whose
 * globals (Array, Error, Buffer, ...) they were built with. A test file gets it with its own console and jest
 * globals (jest-runner and jest-circus set them for each file).
 */
// Like runtime.js, it sets jest's environment's fields by name; test/shared-modules.test.ts fails if they change.
const { TestEnvironment: NodeEnvironment } = require('jest-environment-node');

/** The first environment of this worker: its context is the worker's. */
let first;

class SharedContextEnvironment extends NodeEnvironment {
  constructor(...args) {
    super(...args);
    if (first === undefined) {
      first = this;
      return;
    }
    this.context = first.context;
    this.global = first.global;
    this.moduleMocker = first.moduleMocker;
    this.fakeTimers = first.fakeTimers;
    this.fakeTimersModern = first.fakeTimersModern;
  }

  /** Unlike jest's, it keeps the context for the worker's next file, with real timers again if the file faked them. */
  async teardown() {
    // Modern first: uninstalling @sinonjs/fake-timers deletes a global it finds no longer faked, which is what the
    // legacy timers' restore would leave (test/shared-modules.test.ts failed with `setTimeout` gone the other way round).
    this.fakeTimersModern.useRealTimers();
    this.fakeTimers.useRealTimers();
  }
}

module.exports = SharedContextEnvironment;

/**
 * Node flags for the processes tests spawn (the app, the config printer, the diff and verify commands). One
 * garbage-collector thread: on a 2-core machine running two jest workers, parallel GC threads only compete
 * with the other worker, and measured here they cost about a quarter more CPU per synthesis.
 */
export const CHILD_NODE_FLAGS: readonly string[] = ['--single-threaded-gc'];

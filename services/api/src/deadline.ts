/** Deadlines for the dependency checks: a dependency that accepts a connection and then says nothing is as down as one that refuses it. */

/** Work that did not finish within its deadline. */
export class DeadlineError extends Error {
  readonly code = 'DEADLINE';
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
    this.name = 'DeadlineError';
  }
}

/** Settles as `work` does, or rejects with a DeadlineError after `timeoutMs`; the caller closes what `work` opened. */
export async function withDeadline<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** A problem that stops the diff (bad REF, failed synthesis, bad allow-list): the CLI prints it and exits 2. */
export class DiffError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiffError';
  }
}

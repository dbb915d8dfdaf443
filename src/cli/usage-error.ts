/** A bad command line: main.ts prints the reason and the usage, and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A bad command line: main.ts prints the reason and the usage (a subcommand's own, when given), and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(message: string, readonly usage?: string) {
    super(message);
  }
}

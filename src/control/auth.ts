/**
 * The drive token. Compared in constant time on SHA-256 digests (equal lengths, so timingSafeEqual
 * leaks neither the content nor the length of the token). The token is never logged or echoed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Wrong tokens a connection may present before it is closed with 1008. */
export const MAX_AUTH_FAILURES = 5;

export class TokenCheck {
  private readonly digest: Buffer;

  constructor(token: string) {
    if (token.length === 0) throw new Error('the token must not be empty');
    this.digest = sha256(token);
  }

  matches(candidate: string): boolean {
    return timingSafeEqual(sha256(candidate), this.digest);
  }

  /** Keeps the token out of util.inspect and JSON (e.g. a logged options object). */
  toJSON(): string {
    return '[token]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'TokenCheck [token]';
  }
}

/** Per connection: whether it authenticated and how many wrong tokens it sent. */
export class ClientAuth {
  private failures = 0;
  authenticated: boolean;

  constructor(private readonly check: TokenCheck | null) {
    this.authenticated = check === null;
  }

  /** 'locked' means close the connection with 1008 (too many wrong tokens). */
  present(token: string): 'ok' | 'wrong' | 'locked' {
    if (this.check === null || this.check.matches(token)) {
      this.authenticated = true;
      return 'ok';
    }
    this.failures += 1;
    return this.failures >= MAX_AUTH_FAILURES ? 'locked' : 'wrong';
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

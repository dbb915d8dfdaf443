/**
 * The drive token. Compared in constant time on SHA-256 digests (equal lengths, so timingSafeEqual
 * leaks neither the content nor the length of the token). The token is never logged or echoed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { NAME_KEY_SUBPROTOCOL_PREFIX, RESUME_SUBPROTOCOL_PREFIX, TOKEN_SUBPROTOCOL_PREFIX } from '../protocol/messages.js';

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

  /** `presented`: the client already proved it has the token (at the upgrade, see upgradeToken). */
  constructor(private readonly check: TokenCheck | null, presented = false) {
    this.authenticated = check === null || presented;
  }

  /** Authorized by other means: the client took back a seat it held (a resume token). */
  grant(): void {
    this.authenticated = true;
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

/** Wrong tokens one address may send, over any number of connections, per window. */
export const MAX_ADDRESS_FAILURES = 20;
export const ADDRESS_WINDOW_MS = 10 * 60_000;
/** Addresses remembered at most; the oldest are forgotten first, so a spray of addresses costs bounded memory. */
const MAX_TRACKED_ADDRESSES = 10_000;

/**
 * Per remote address: the per-connection limit alone lets a guesser reconnect and try again, so wrong
 * tokens are also counted by address, and an address over its budget may not try again until its
 * window (counted from its first failure) is over.
 */
export class AddressLockout {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(private readonly now: () => number) {}

  locked(address: string): boolean {
    const entry = this.current(address);
    return entry !== undefined && entry.count >= MAX_ADDRESS_FAILURES;
  }

  /** Counts a wrong token; true when the address is now locked out. */
  fail(address: string): boolean {
    const entry = this.current(address) ?? { count: 0, since: this.now() };
    entry.count += 1;
    this.failures.delete(address); // re-insert: the Map's order is then oldest activity first
    this.failures.set(address, entry);
    if (this.failures.size > MAX_TRACKED_ADDRESSES) this.failures.delete(this.failures.keys().next().value as string);
    return entry.count >= MAX_ADDRESS_FAILURES;
  }

  private current(address: string): { count: number; since: number } | undefined {
    const entry = this.failures.get(address);
    if (entry !== undefined && this.now() - entry.since >= ADDRESS_WINDOW_MS) {
      this.failures.delete(address);
      return undefined;
    }
    return entry;
  }
}

/**
 * The drive token a client offered at the upgrade, as a WebSocket subprotocol `webracer.token.<base64url>`
 * next to `webracer` (browsers cannot set other headers on a WebSocket). Knowing it before the connection is
 * accepted lets the server keep slots for token holders (admission.ts). Undefined when none was offered.
 */
export function upgradeToken(protocolHeader: string | undefined): string | undefined {
  const offered = offeredWithPrefix(protocolHeader, TOKEN_SUBPROTOCOL_PREFIX);
  if (offered === undefined) return undefined;
  const token = Buffer.from(offered, 'base64url').toString('utf8');
  return token.length > 0 && token.length <= 512 ? token : undefined;
}

/**
 * The resume token a returning driver's page offered at the upgrade (`webracer.resume.<token>`): a seat
 * it held may be waiting for it, and with it a connection slot (admission.ts). Undefined when none (or
 * not one the server could have issued: base64url, at most 64 characters).
 */
export function upgradeResumeToken(protocolHeader: string | undefined): string | undefined {
  const offered = offeredWithPrefix(protocolHeader, RESUME_SUBPROTOCOL_PREFIX);
  return offered !== undefined && /^[A-Za-z0-9_-]{1,64}$/.test(offered) ? offered : undefined;
}

/**
 * The name key a page offered at the upgrade (`webracer.name.<key>`, name-keys.ts), when it has the shape
 * of one (base64url, at most 64 characters); whether this run issued it is NameKeys' to say.
 */
export function upgradeNameKey(protocolHeader: string | undefined): string | undefined {
  const offered = offeredWithPrefix(protocolHeader, NAME_KEY_SUBPROTOCOL_PREFIX);
  return offered !== undefined && /^[A-Za-z0-9_-]{1,64}$/.test(offered) ? offered : undefined;
}

function offeredWithPrefix(protocolHeader: string | undefined, prefix: string): string | undefined {
  for (const offered of protocolHeader?.split(',') ?? []) {
    const name = offered.trim();
    if (name.startsWith(prefix)) return name.slice(prefix.length);
  }
  return undefined;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

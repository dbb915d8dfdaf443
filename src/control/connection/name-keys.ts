/**
 * Name keys: each browser's key to its default name ("Driver 3", race/driver-names.ts) for one run of the
 * server. Every welcome carries one (`nameKey`); the page keeps it and offers it at later upgrades
 * (`webracer.name.<key>`), and goes on under the same default over a reload, a resume or a hold that ran
 * out. A key is a random nonce sealed with an HMAC under a secret of this run: one offered that this run
 * did not issue (made up, edited, from an earlier run) is replaced by a new one, so nobody goes by a
 * default the server gave someone else without that browser's key, and nothing offered is stored.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const NONCE_BYTES = 16;
const SEAL_BYTES = 16;
/** A key as issued: base64url of the nonce and its seal, 43 characters. */
const KEY_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export class NameKeys {
  private readonly secret = randomBytes(32);

  /** The key a connection goes by: the one it offered, when this run issued it, else a new one. */
  keyFor(offered: string | undefined): string {
    return offered !== undefined && this.issued(offered) ? offered : this.mint();
  }

  private mint(): string {
    const nonce = randomBytes(NONCE_BYTES);
    return Buffer.concat([nonce, this.seal(nonce)]).toString('base64url');
  }

  private issued(key: string): boolean {
    if (!KEY_SHAPE.test(key)) return false;
    const bytes = Buffer.from(key, 'base64url');
    if (bytes.length !== NONCE_BYTES + SEAL_BYTES || bytes.toString('base64url') !== key) return false;
    return timingSafeEqual(this.seal(bytes.subarray(0, NONCE_BYTES)), bytes.subarray(NONCE_BYTES));
  }

  private seal(nonce: Buffer): Buffer {
    return createHmac('sha256', this.secret).update(nonce).digest().subarray(0, SEAL_BYTES);
  }
}

// This browser's key to the default name the server gave it ("Driver 3", docs/protocol.md `nameKey`): kept
// in localStorage, so every tab of this browser and every visit goes by the same default, as they do by a
// typed name; offered at each upgrade (connection.ts), so the server knows it before anything is named.
// Every welcome's key replaces it: the server issues a new one when it did not issue the one offered (after
// a restart, say). The key is a secret: it goes nowhere but the upgrade.

const KEY = 'webracer-name-key';
/** What a key the server issues looks like (base64url); anything else in storage is not offered. */
const SHAPE = /^[A-Za-z0-9_-]{1,64}$/;

/** What is used of localStorage; null where the browser refuses storage (then each connection is new). */
type Store = Pick<Storage, 'getItem' | 'setItem'> | null;

export class NameKey {
  constructor(private readonly store: Store) {}

  /** The key to offer at the upgrade, or null. */
  get value(): string | null {
    try {
      const key = this.store?.getItem(KEY) ?? null;
      return key !== null && SHAPE.test(key) ? key : null;
    } catch {
      return null;
    }
  }

  /** A welcome's `nameKey` (absent from older servers). */
  welcome(key: string | undefined): void {
    if (key === undefined || !SHAPE.test(key)) return;
    try {
      this.store?.setItem(KEY, key);
    } catch {
      // storage full or refused: the next connection gets a new default, nothing worse
    }
  }
}

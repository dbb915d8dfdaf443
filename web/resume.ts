// Getting the driver's seat back after a reload or a network blip (docs/protocol.md, `resume`).
//
// Every welcome carries a resume token for that connection. The page keeps the newest one, and whether
// that connection held the seat, in sessionStorage: this tab only, for the tab's life (the token is a
// seat: it must not reach other tabs or outlive the tab). When a new connection's welcome arrives and the
// previous connection drove, the page presents the previous token; the server gives the seat back (a
// `role` message) or answers `resume_failed`. A seat given back obeys arming like any other (arming.ts).
// The same token is offered at the new connection's upgrade (offer(), a subprotocol): a server full of
// other clients keeps a slot for a held seat's driver, and lets in only a page that shows its token.

import type { Role, WelcomeMessage } from './messages.js';

const KEY = 'webracer-resume';

interface Saved {
  token: string;
  driver: boolean;
  /** Wall-clock milliseconds when that connection ended (Date.now() survives a reload). */
  endedAt?: number;
  /** How long that server holds a departed driver's seat (its welcome's limits.resumeWindowMs). */
  windowMs?: number;
}

/** What is used of sessionStorage (tests give a stand-in). */
interface Store {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export class SeatResume {
  constructor(private readonly store: Store, private readonly clock: () => number = Date.now) {}

  /**
   * A new connection's welcome. Returns the token to present (the previous connection drove, and ended
   * within the server's resume window), or null; from now on keeps this connection's token.
   */
  welcome(message: Pick<WelcomeMessage, 'resumeToken' | 'role' | 'limits'>): string | null {
    const previous = this.read();
    const windowMs = message.limits.resumeWindowMs;
    this.write(message.resumeToken ? { token: message.resumeToken, driver: message.role === 'driver', windowMs } : null);
    if (!previous?.driver || message.role === 'driver') return null; // no seat to ask for, or it is ours already
    return this.late(previous, windowMs) ? null : previous.token;
  }

  /**
   * The token to offer at a new connection's upgrade: the newest connection's, if it drove and ended
   * within its server's window. Only offered: it is still presented after the welcome (`resume`).
   */
  offer(): string | null {
    const saved = this.read();
    return saved?.driver && !this.late(saved, saved.windowMs) ? saved.token : null;
  }

  /** This connection's role changed (a claim, a release, a take-over, a resume, a seat passed on). */
  role(role: Role): void {
    const saved = this.read();
    if (saved) this.write({ ...saved, driver: role === 'driver' });
  }

  /** The connection ended (closed, or the page is going away). The first end counts. */
  ended(): void {
    const saved = this.read();
    if (saved && saved.endedAt === undefined) this.write({ ...saved, endedAt: this.clock() });
  }

  /** `resume_failed`: the seat went to someone else; nothing to come back to. */
  failed(): void {
    this.role('spectator');
  }

  private late(saved: Saved, windowMs: number | undefined): boolean {
    return saved.endedAt !== undefined && windowMs !== undefined && this.clock() - saved.endedAt > windowMs;
  }

  private read(): Saved | null {
    try {
      const value: unknown = JSON.parse(this.store.getItem(KEY) ?? 'null');
      if (typeof value !== 'object' || value === null) return null;
      const { token, driver, endedAt, windowMs } = value as Partial<Saved>;
      if (typeof token !== 'string' || typeof driver !== 'boolean') return null;
      const saved: Saved = { token, driver };
      if (typeof endedAt === 'number') saved.endedAt = endedAt;
      if (typeof windowMs === 'number') saved.windowMs = windowMs;
      return saved;
    } catch {
      return null; // unreadable: as if there were nothing
    }
  }

  private write(saved: Saved | null): void {
    try {
      if (saved) this.store.setItem(KEY, JSON.stringify(saved));
      else this.store.removeItem(KEY);
    } catch {
      // Storage refused (a private window out of quota): the seat simply cannot be resumed.
    }
  }
}

/**
 * Keeps an eye on the driver's connection, so a driver whose page froze or whose network vanished loses
 * its connection (and the seat goes to the resume reservation) within limits.driverSilenceMs instead of
 * the WebSocket heartbeat's 30 s. The car itself stopped long before, by the watchdog.
 *
 * Silent (no message, no pong) for pingAfterMs, the driver is pinged (browsers answer pings themselves,
 * even from a background tab); silent for silenceMs, it is terminated. One timer, re-armed from the last
 * time the driver was heard: nothing is done per message.
 */
import type { ClientSession } from '../connection/client-session.js';
import type { Logger } from '../log.js';

/** A driver silent this long (or a quarter of the silence limit, if less) gets a WebSocket ping. */
const PING_SILENT_DRIVER_MS = 1000;

export class DriverLiveness {
  private timer: NodeJS.Timeout | null = null;
  private readonly pingAfterMs: number;

  constructor(
    private readonly silenceMs: number,
    private readonly now: () => number,
    private readonly log: Logger,
  ) {
    this.pingAfterMs = Math.min(PING_SILENT_DRIVER_MS, silenceMs / 4); // a few pings before the limit
  }

  /** Watches this driver from now on (undefined: nobody drives). */
  watch(session: ClientSession | undefined): void {
    this.cancel();
    if (!session) return;
    let pingedAt = -Infinity;
    const check = (): void => {
      this.timer = null;
      const silent = this.now() - session.lastHeardAt;
      if (silent >= this.silenceMs) {
        this.log.warn('dropped', { client: session.id, reason: 'silent while driving', silentMs: Math.round(silent) });
        return session.terminateFor('silent while driving'); // its 'close' detaches it (and keeps the seat for a resume)
      }
      let next = this.silenceMs - silent;
      if (silent < this.pingAfterMs) {
        next = this.pingAfterMs - silent;
      } else if (pingedAt < session.lastHeardAt || this.now() - pingedAt >= this.pingAfterMs) {
        pingedAt = this.now();
        session.ws.ping();
        next = Math.min(next, this.pingAfterMs);
      }
      this.timer = setTimeout(check, next);
      this.timer.unref();
    };
    check();
  }

  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

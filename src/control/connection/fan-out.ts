/**
 * Sends one text to many clients a few at a time, letting the event loop read its sockets between
 * slices (setImmediate), so a crowd's telemetry never holds a driver's command behind it for longer than
 * one slice: each send is a write to the kernel (about 10 µs), and 100 of them in one go would be a
 * millisecond in front of any command that arrives meanwhile.
 *
 * For best-effort messages only (telemetry, the arena's poses): a client whose outgoing buffer is backed
 * up skips one, and a newer text given while one is still going out waits for it and then replaces any
 * other waiting text (the newest pose is the one that matters), so nothing queues up under load.
 */
import type { ClientSession } from './client-session.js';

/** Sends per turn of the event loop. */
const SLICE = 2;
/** A client with more than this queued skips best-effort messages; the next one replaces them. */
export const BACKLOG_BYTES = 64 * 1024;

export class FanOut {
  private json = '';
  private targets: ClientSession[] = [];
  private next = 0;
  private waiting: { json: string; targets: ClientSession[] } | null = null;
  private immediate: NodeJS.Immediate | null = null;

  /** Sends `json` to each of `targets` (taken now), after what is still going out. */
  send(json: string, targets: Iterable<ClientSession>): void {
    const list = [...targets];
    // Busy while slices are due, including the turn between one text's end and the waiting one's start:
    // starting at once there sent this text before the older waiting one (poses going backwards).
    if (this.immediate !== null || this.next < this.targets.length) {
      this.waiting = { json, targets: list };
      return;
    }
    this.start(json, list);
  }

  cancel(): void {
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.immediate = null;
    this.targets = [];
    this.next = 0;
    this.waiting = null;
  }

  private start(json: string, targets: ClientSession[]): void {
    this.json = json;
    this.targets = targets;
    this.next = 0;
    this.slice();
  }

  private slice(): void {
    this.immediate = null;
    const end = Math.min(this.targets.length, this.next + SLICE);
    for (; this.next < end; this.next++) {
      const session = this.targets[this.next];
      if (session.ws.bufferedAmount <= BACKLOG_BYTES) session.sendText(this.json);
    }
    if (this.next < this.targets.length) {
      this.immediate = setImmediate(() => this.slice());
      return;
    }
    this.targets = [];
    this.next = 0;
    if (this.waiting) this.immediate = setImmediate(() => this.startWaiting());
  }

  /** The newest text given meanwhile: a send() before this turn replaced the waiting one, never jumped it. */
  private startWaiting(): void {
    this.immediate = null;
    const waiting = this.waiting;
    this.waiting = null;
    if (waiting) this.start(waiting.json, waiting.targets);
  }
}

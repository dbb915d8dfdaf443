/**
 * Drive input that travels two paths (the WebSocket and the drive channel, docs/protocol.md "Drive
 * channel") carries one rising count per connection, `seq`. The data channel is unordered and never
 * retransmits, so a drive may arrive after a newer one: it is ignored, never allowed to move the car back
 * to an older position. A stop or release is sent on both paths: the second copy is ignored. A stop is
 * never ignored for being older than a drive, only for being a copy: stopping late is safe, not stopping
 * is not. Messages without seq (older pages, scripts, the seed's commands) are taken as they come.
 */
import type { ClientMessage } from '../protocol/messages.js';

/** Stop seqs remembered to recognise their second copy (the two paths differ by milliseconds). */
const REMEMBERED_STOPS = 16;

export class InputSequence {
  /** The highest seq taken so far (of a drive, stop or release). */
  private newest = 0;
  private readonly stops: number[] = [];

  /** Whether to act on this message: false for a late drive or a stop's second copy. */
  admits(message: ClientMessage): boolean {
    if (!('type' in message) || !('seq' in message) || message.seq === undefined) return true;
    const { seq } = message;
    if (message.type === 'drive') {
      if (seq <= this.newest) return false;
      this.newest = seq;
      return true;
    }
    if (this.stops.includes(seq)) return false;
    this.stops.push(seq);
    if (this.stops.length > REMEMBERED_STOPS) this.stops.shift();
    this.newest = Math.max(this.newest, seq);
    return true;
  }
}

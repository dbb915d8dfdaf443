/**
 * The log line every ended connection gets: the client, the close code, and why. An operator whose
 * camera or driver vanished must read what happened, not guess it from a code: the server's own reasons
 * (ClientSession.closeFor / terminateFor: flooding, wrong tokens, a silent driver, shutdown), the
 * WebSocket layer's (a message too big, a protocol violation, no answer to its pings, a reader so far
 * behind that its buffer overflowed), or the client's own close.
 */
import type { ClientSession } from './client-session.js';
import type { Logger } from '../log.js';

/** Codes our WebSocket layer closes with when the peer broke the protocol (its reason says how). */
const PROTOCOL_CLOSES: ReadonlySet<number> = new Set([1002, 1007, 1009, 1011]);
const NO_CLOSE_FRAME = 1006;

export function logClosed(log: Logger, session: ClientSession, code: number, reason: Buffer): void {
  const client = session.id;
  const said = reason.toString('utf8');
  if (session.closedBecause !== null) {
    log.info('closed', { client, code, reason: session.closedBecause });
  } else if (PROTOCOL_CLOSES.has(code) || (code === NO_CLOSE_FRAME && said !== '')) {
    log.warn('dropped', { client, code, reason: said || 'protocol violation' });
  } else if (code === NO_CLOSE_FRAME) {
    log.info('closed', { client, code, reason: 'connection lost (no close frame)' });
  } else {
    // The client's own words, as it sent them (at most 123 bytes; the log quotes what needs it).
    log.info('closed', { client, code, reason: 'closed by the client', said: said || undefined });
  }
}

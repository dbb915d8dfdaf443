/**
 * Close frames (RFC 6455 section 5.5.1) and status codes (section 7.4 and the IANA
 * "WebSocket Close Code Number Registry").
 */
import { Buffer } from 'node:buffer';
import { ProtocolError } from './errors.js';
import { isValidUtf8 } from './utf8.js';

/** Reported when a close frame carried no status code (section 7.1.5); never sent on the wire. */
export const NO_STATUS = 1005;
/** Reported when the connection ended without a close frame (section 7.1.5); never sent. */
export const ABNORMAL = 1006;

/** Control frame payloads are at most 125 bytes, 2 of which are the code (section 5.5). */
export const MAX_REASON_BYTES = 123;

/**
 * Whether a code may appear in a close frame. 1004 is reserved, 1005/1006/1015 are for reporting
 * only (section 7.4.1); 1016-2999 are unassigned protocol codes; 3000-3999 are registered by
 * libraries and frameworks, 4000-4999 are private (section 7.4.2).
 */
export function isValidCloseCode(code: number): boolean {
  if (!Number.isInteger(code)) return false;
  if (code >= 1000 && code <= 1003) return true;
  if (code >= 1007 && code <= 1014) return true;
  return code >= 3000 && code <= 4999;
}

export interface ClosePayload {
  readonly code: number;
  readonly reason: Uint8Array;
}

const EMPTY: Uint8Array = Buffer.alloc(0);

/**
 * Reads a received close frame's payload. Empty: no status (1005). One byte cannot hold a code
 * (1002). The code must be valid (1002) and the reason valid UTF-8 (1007, section 5.5.1).
 */
export function parseClosePayload(payload: Uint8Array): ClosePayload {
  if (payload.length === 0) return { code: NO_STATUS, reason: EMPTY };
  if (payload.length === 1) throw new ProtocolError(1002, 'close frame payload of 1 byte');
  const code = (payload[0] << 8) | payload[1];
  if (!isValidCloseCode(code)) throw new ProtocolError(1002, `invalid close code ${code}`);
  const reason = payload.subarray(2);
  if (!isValidUtf8(reason)) throw new ProtocolError(1007, 'close reason is not valid UTF-8');
  return { code, reason };
}

/** Builds a close frame payload; a code of NO_STATUS gives an empty payload. */
export function encodeClosePayload(code: number, reason: string | Uint8Array = EMPTY): Buffer {
  if (code === NO_STATUS) return Buffer.alloc(0);
  if (!isValidCloseCode(code)) throw new RangeError(`invalid close code ${code}`);
  const text = typeof reason === 'string' ? Buffer.from(reason, 'utf8') : reason;
  if (text.length > MAX_REASON_BYTES) throw new RangeError('close reason longer than 123 bytes');
  const out = Buffer.allocUnsafe(2 + text.length);
  out.writeUInt16BE(code, 0);
  out.set(text, 2);
  return out;
}

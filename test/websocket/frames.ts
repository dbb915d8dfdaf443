/** Test-only helpers: client frames with an injected mask, and a reader for what the server sends. */
import { Buffer } from 'node:buffer';
import { Connection, type ProtocolEvent, type ProtocolOptions } from '../../src/websocket/protocol.js';
import { encodeFrame, headerSize, newHeader, readHeader, type FrameSpec } from '../../src/websocket/frame.js';

export const MASK = Uint8Array.from([0x37, 0xfa, 0x21, 0x3d]);

/** A masked client frame (the mask is injected so vectors are repeatable). */
export function client(opcode: number, payload: string | Uint8Array = '', spec: Partial<FrameSpec> = {}): Buffer {
  const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return encodeFrame({ opcode, payload: bytes, mask: MASK, ...spec });
}

export interface SentFrame {
  fin: boolean;
  rsv1: boolean;
  opcode: number;
  payload: Buffer;
}

/** Splits the server's output into frames (server frames are unmasked). */
export function readFrames(chunks: readonly Uint8Array[]): SentFrame[] {
  const bytes = Buffer.concat(chunks);
  const frames: SentFrame[] = [];
  const h = newHeader();
  let off = 0;
  while (off < bytes.length) {
    readHeader(bytes, off, h);
    if (h.masked) throw new Error('server frame is masked');
    const start = off + headerSize(bytes[off + 1]);
    frames.push({ fin: h.fin, rsv1: h.rsv1, opcode: h.opcode, payload: bytes.subarray(start, start + h.payloadLength) });
    off = start + h.payloadLength;
  }
  if (off !== bytes.length) throw new Error('truncated server frame');
  return frames;
}

/** The close code of a sent close frame (or null without a payload). */
export function closeCodeOf(frame: SentFrame): number | null {
  return frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : null;
}

/** Feeds copies of the given chunks (the core unmasks in place), answering events as the adapter does. */
export function feed(conn: Connection, ...chunks: Uint8Array[]): ProtocolEvent[] {
  const events: ProtocolEvent[] = [];
  for (const chunk of chunks) {
    for (const event of conn.receive(Buffer.from(chunk))) {
      conn.respond(event);
      events.push(event);
    }
  }
  return events;
}

/** A fresh connection fed the chunks: its events and what it sent. */
export function run(chunks: Uint8Array[], options?: ProtocolOptions): { events: ProtocolEvent[]; sent: SentFrame[]; conn: Connection } {
  const conn = new Connection(options);
  const events = feed(conn, ...chunks);
  return { events, sent: readFrames(conn.takeOutput()), conn };
}

/** Splits bytes into pieces of `size` (the last may be shorter). */
export function chop(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/** The error close code of a run, or null when the connection did not fail. */
export function errorCode(events: readonly ProtocolEvent[]): number | null {
  const error = events.find((e) => e.type === 'error');
  return error && error.type === 'error' ? error.error.closeCode : null;
}

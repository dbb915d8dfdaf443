/**
 * The sans-I/O WebSocket connection, server side (RFC 6455 sections 5-7). It is fed the bytes that
 * arrived (`receive`), returns what they mean as events, and queues the bytes to send
 * (`takeOutput`). No socket, timer or event emitter lives here: the Node adapter owns those, and
 * tests can drive every rule with plain byte arrays.
 */
import { Buffer } from 'node:buffer';
import { encodeClosePayload, parseClosePayload } from './close.js';
import { ProtocolError } from './errors.js';
import type { PerMessageExtension } from './extension.js';
import { checkClientHeader, headerSize, isControl, newHeader, Opcode, pushFrame, pushTextFrame, readHeader } from './frame.js';
import { applyMaskKey } from './mask.js';
import { MessageBuffer } from './message-buffer.js';
import { isValidUtf8, Utf8Validator } from './utf8.js';

/** What the peer did. Plain readonly values, handled with an exhaustive switch. */
export type ProtocolEvent =
  | { readonly type: 'message'; readonly data: Uint8Array; readonly isBinary: boolean }
  | { readonly type: 'ping'; readonly data: Uint8Array }
  | { readonly type: 'pong'; readonly data: Uint8Array }
  /** The peer's close frame (code 1005 when it carried none): answer it with respond(). */
  | { readonly type: 'close'; readonly code: number; readonly reason: Uint8Array }
  /** The peer broke the protocol and input is over: send the close frame with respond(). */
  | { readonly type: 'error'; readonly error: ProtocolError };

export interface ProtocolOptions {
  /** Largest message accepted, in bytes (after decompression too); larger ones close with 1009. */
  maxPayload?: number;
  /** A negotiated extension that owns RSV1 (permessage-deflate). */
  extension?: PerMessageExtension;
}

export const DEFAULT_MAX_PAYLOAD = 100 * 1024 * 1024;

const READ_HEADER = 0;
const READ_PAYLOAD = 1;

const EMPTY: Uint8Array = Buffer.alloc(0);
const NO_OUTPUT: readonly Uint8Array[] = [];

export class Connection {
  private readonly maxPayload: number;
  private readonly extension: PerMessageExtension | undefined;

  private state = READ_HEADER;
  private readonly header = newHeader();
  /** A header split across reads is gathered here (at most 14 bytes); allocated on first need. */
  private spill: Uint8Array | null = null;
  private spillLength = 0;
  /** Payload bytes of the current frame not yet received, and the masking key position. */
  private remaining = 0;
  private phase = 0;

  /** Opcode of the data message in progress (0: none), and whether its first frame had RSV1. */
  private messageOpcode = 0;
  private compressed = false;
  /** Assembles messages split across frames or reads; created on first need (idle connections hold none). */
  private message: MessageBuffer | null = null;
  private control: MessageBuffer | null = null;
  private utf8: Utf8Validator | null = null;

  /** Bytes produced by decompress so far (the adapter throttles peers that make us inflate a lot). */
  inflatedBytes = 0;

  private output: Uint8Array[] | null = null;
  private closeSentFlag = false;
  private inputEnded = false;
  private disposed = false;

  constructor(options: ProtocolOptions = {}) {
    this.maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    this.extension = options.extension;
  }

  /** True once we sent (queued) a close frame: no more data frames may follow (section 5.5.1). */
  get closeSent(): boolean {
    return this.closeSentFlag;
  }

  /**
   * True once the peer's close arrived or the connection failed: nothing more will be read, and
   * after flushing the output the server closes the TCP connection (section 7.1.1).
   */
  get inputDone(): boolean {
    return this.inputEnded;
  }

  /**
   * Takes ownership of `bytes` (payloads are unmasked in place and returned as views of them)
   * and returns the events they complete. Never throws: violations become an 'error' event.
   */
  receive(bytes: Uint8Array): ProtocolEvent[] {
    const events: ProtocolEvent[] = [];
    try {
      let off = 0;
      while (off < bytes.length && !this.inputEnded) {
        off = this.state === READ_HEADER ? this.readFrameHeader(bytes, off, events) : this.readPayload(bytes, off, events);
      }
    } catch (err) {
      this.fail(err, events);
    }
    return events;
  }

  /** The bytes queued since the last call, in order; write them all. */
  takeOutput(): readonly Uint8Array[] {
    const out = this.output;
    if (out === null) return NO_OUTPUT;
    this.output = null;
    return out;
  }

  /** Queues a data message: text (strings, or bytes known to be UTF-8 with isBinary false) or binary. */
  send(data: string | Uint8Array, isBinary: boolean): void {
    if (this.closeSentFlag) throw new Error('cannot send after the close frame');
    const opcode = isBinary ? Opcode.Binary : Opcode.Text;
    if (this.extension) {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      const packed = this.extension.compress(bytes);
      pushFrame(this.out(), opcode, packed ?? bytes, packed !== null);
    } else if (typeof data === 'string') {
      if (isBinary) pushFrame(this.out(), opcode, Buffer.from(data, 'utf8'), false);
      else pushTextFrame(this.out(), data);
    } else {
      pushFrame(this.out(), opcode, data, false);
    }
  }

  ping(data: Uint8Array = EMPTY): void {
    if (data.length > 125) throw new RangeError('ping payload longer than 125 bytes');
    if (!this.closeSentFlag) pushFrame(this.out(), Opcode.Ping, data, false);
  }

  pong(data: Uint8Array = EMPTY): void {
    if (data.length > 125) throw new RangeError('pong payload longer than 125 bytes');
    if (!this.closeSentFlag) pushFrame(this.out(), Opcode.Pong, data, false);
  }

  /** Starts (or answers) the closing handshake. 1005 sends a close frame without a code. */
  close(code: number, reason: string | Uint8Array = EMPTY): void {
    if (this.closeSentFlag) return;
    pushFrame(this.out(), Opcode.Close, encodeClosePayload(code, reason), false);
    this.closeSentFlag = true;
  }

  /**
   * Answers a 'close' event (echoing its code, section 5.5.1) or an 'error' event (a close frame
   * with its code, section 7.1.7: always a real close frame, never just a dropped connection);
   * other events need no answer. Call it when the event's turn comes, after the application
   * handled the events before it: replies to messages that arrived just before a close (or
   * before a bad frame) in the same read then still go out first, as Autobahn 3.x and 7.1.x expect.
   */
  respond(event: ProtocolEvent): void {
    if (event.type === 'close') {
      this.close(event.code);
    } else if (event.type === 'error') {
      const code = event.error.closeCode;
      // A 1011 says nothing of our internals; other reasons are our own short ASCII messages.
      this.close(code, code === 1011 ? '' : event.error.message.replace(/[^\x20-\x7e]/g, '?').slice(0, 123));
    }
  }

  /** Releases the extension; call once when the connection is gone. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.message = null;
    this.extension?.dispose();
  }

  private readFrameHeader(bytes: Uint8Array, off: number, events: ProtocolEvent[]): number {
    const available = bytes.length - off;
    if (this.spillLength === 0 && available >= 2 && available >= headerSize(bytes[off + 1])) {
      readHeader(bytes, off, this.header);
      off += headerSize(bytes[off + 1]);
    } else {
      // Gather a header that is split across reads, byte by byte (14 bytes at most).
      const spill = (this.spill ??= new Uint8Array(14));
      while (off < bytes.length) {
        spill[this.spillLength++] = bytes[off++];
        if (this.spillLength >= 2 && this.spillLength === headerSize(spill[1])) break;
      }
      if (this.spillLength < 2 || this.spillLength < headerSize(spill[1])) return off;
      this.spillLength = 0;
      readHeader(spill, 0, this.header);
    }
    this.startFrame(events);
    return off;
  }

  /** A header is complete: its rules (sections 5.1-5.5), then the message size against maxPayload. */
  private startFrame(events: ProtocolEvent[]): void {
    const h = this.header;
    const op = h.opcode;
    checkClientHeader(h, this.messageOpcode !== 0, this.extension !== undefined);
    if (op === Opcode.Text || op === Opcode.Binary) {
      this.messageOpcode = op;
      this.compressed = h.rsv1;
      if (op === Opcode.Text && !h.rsv1) (this.utf8 ??= new Utf8Validator()).reset();
    }
    if (!isControl(op) && this.buffered() + h.payloadLength > this.maxPayload) {
      throw new ProtocolError(1009, 'message too big'); // before a single excess byte is buffered
    }
    this.remaining = h.payloadLength;
    this.phase = 0;
    this.state = READ_PAYLOAD;
    if (this.remaining === 0) this.endFrame(EMPTY, events);
  }

  private readPayload(bytes: Uint8Array, off: number, events: ProtocolEvent[]): number {
    const h = this.header;
    const take = Math.min(this.remaining, bytes.length - off);
    const piece = bytes.subarray(off, off + take);
    applyMaskKey(piece, h.maskKey, this.phase);
    this.phase = (this.phase + take) & 3;
    const whole = take === h.payloadLength;
    this.remaining -= take;
    if (isControl(h.opcode)) {
      if (whole) {
        this.endFrame(piece, events);
      } else {
        const control = (this.control ??= new MessageBuffer(125));
        control.push(piece);
        if (this.remaining === 0) this.endFrame(control.take(), events);
      }
      return off + take;
    }
    // Text is checked as it arrives, so bad UTF-8 fails in the piece that carries it (section 8.1).
    if (this.messageOpcode === Opcode.Text && !this.compressed && !(this.utf8 as Utf8Validator).push(piece)) {
      throw new ProtocolError(1007, 'invalid UTF-8 in text message');
    }
    if (whole && h.fin && this.buffered() === 0) {
      this.endFrame(piece, events); // a message in one frame in one read: a view, no copy
    } else {
      const message = (this.message ??= new MessageBuffer(this.maxPayload));
      // One frame split across reads: reserve its whole size once, then copy each piece once.
      if (this.remaining > 0 && h.fin && message.length === 0) message.reserve(h.payloadLength);
      message.push(piece);
      if (this.remaining === 0) this.endFrame(null, events);
    }
    return off + take;
  }

  /** A frame is complete. `payload` is its payload, or null when it went into the message buffer. */
  private endFrame(payload: Uint8Array | null, events: ProtocolEvent[]): void {
    this.state = READ_HEADER;
    const h = this.header;
    switch (h.opcode) {
      case Opcode.Ping:
        events.push({ type: 'ping', data: payload as Uint8Array });
        this.pong(payload as Uint8Array); // section 5.5.2: same application data
        return;
      case Opcode.Pong:
        events.push({ type: 'pong', data: payload as Uint8Array });
        return;
      case Opcode.Close:
        this.receiveClose(payload as Uint8Array, events);
        return;
    }
    if (!h.fin) {
      if (payload !== null && payload.length > 0) (this.message ??= new MessageBuffer(this.maxPayload)).push(payload);
      return;
    }
    // A whole message in one frame is the payload itself; otherwise the pieces were gathered.
    if (payload === null || this.buffered() > 0) {
      if (payload !== null && payload.length > 0) (this.message as MessageBuffer).push(payload);
      payload = (this.message as MessageBuffer).take();
    }
    this.endMessage(payload, events);
  }

  /** Bytes of the current message gathered so far. */
  private buffered(): number {
    return this.message === null ? 0 : this.message.length;
  }

  /** The output queue, created when the first frame is queued. */
  private out(): Uint8Array[] {
    return (this.output ??= []);
  }

  private endMessage(data: Uint8Array, events: ProtocolEvent[]): void {
    const opcode = this.messageOpcode;
    this.messageOpcode = 0;
    if (this.compressed) {
      data = (this.extension as PerMessageExtension).decompress([data], this.maxPayload);
      this.inflatedBytes += data.length;
      if (opcode === Opcode.Text && !isValidUtf8(data)) throw new ProtocolError(1007, 'invalid UTF-8 in text message');
    } else if (opcode === Opcode.Text && !(this.utf8 as Utf8Validator).complete) {
      throw new ProtocolError(1007, 'text message ends inside a UTF-8 sequence');
    }
    events.push({ type: 'message', data, isBinary: opcode === Opcode.Binary });
  }

  /** Section 5.5.1: after a close frame nothing more is read; respond() answers it. */
  private receiveClose(payload: Uint8Array, events: ProtocolEvent[]): void {
    const { code, reason } = parseClosePayload(payload);
    this.inputEnded = true;
    events.push({ type: 'close', code, reason });
  }

  /** Section 7.1.7, "Fail the WebSocket Connection": stop reading; respond() sends the close frame. */
  private fail(err: unknown, events: ProtocolEvent[]): void {
    // Anything but a ProtocolError is our own bug: it closes with 1011.
    const error = err instanceof ProtocolError ? err : new ProtocolError(1011, 'internal error');
    this.inputEnded = true;
    this.message = null;
    events.push({ type: 'error', error });
  }
}

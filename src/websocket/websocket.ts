/**
 * The Node adapter for one connection: a TCP (or TLS) socket on one side, the sans-I/O core on
 * the other, and the ws-like API in between. All timers and socket handling live here.
 *
 * Application code (event listeners, send callbacks) is called inside a try/catch, so that what
 * it throws never unwinds into the socket's event handlers and out of the process: the error is
 * reported to the server ('listenerError') and that connection alone is closed with 1011.
 */
import { Buffer } from 'node:buffer';
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { ABNORMAL } from './close.js';
import { BackpressureError } from './backpressure.js';
import type { ConnectionSettings, Negotiated } from './connection-settings.js';
import { InflateBudget } from './inflate-budget.js';
import { Connection, type ProtocolEvent } from './protocol.js';
import { attach, destroySocket, PAUSED_FOR_DRAIN, PAUSED_FOR_INFLATE, releaseOnDrain, type Carrier, type SocketOwner } from './socket-events.js';

type ReadyState = 0 | 1 | 2 | 3;
type SendCallback = (err?: Error) => void;
type WriteCallback = (err?: Error | null) => void;

export interface SendOptions {
  /** Send as a binary frame (default: true for bytes, false for strings). */
  binary?: boolean;
}

const EMPTY = Buffer.alloc(0);
const NOTHING_NEGOTIATED: Negotiated = { protocol: '', extensions: '' };

// Per-connection flags, in one number (a field each would cost 8 bytes per idle connection).
// Bits 0-1 are the PAUSED_FOR_* reasons reading is paused for.
const PAUSED = PAUSED_FOR_DRAIN | PAUSED_FOR_INFLATE;
/** Heartbeat: bytes arrived since the last tick. */
const SEEN = 4;
/** Heartbeat: our ping is unanswered. */
const PING_OUTSTANDING = 8;
/** Heartbeat: a backlog waited for the peer at the last tick. */
const BACKLOG_AT_TICK = 16;
/** The peer's own read is being dispatched: replies to it are flow-controlled by pausing reads. */
const REPLYING = 32;
/** An application handler threw: the connection is closing, its handlers get no more events. */
const HANDLER_FAILED = 64;

/** RFC 6455 section 7.4.1: "an unexpected condition that prevented it from fulfilling the request". */
const INTERNAL_ERROR = 1011;

export class WebSocket extends EventEmitter implements SocketOwner {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  // On the prototype, not copied into every instance.
  get CONNECTING(): 0 {
    return 0;
  }
  get OPEN(): 1 {
    return 1;
  }
  get CLOSING(): 2 {
    return 2;
  }
  get CLOSED(): 3 {
    return 3;
  }

  readyState: ReadyState = WebSocket.OPEN;
  readonly protocol: string;
  readonly extensions: string;

  private flags = SEEN;
  /** Heartbeat: bytes the kernel had taken at the last tick. */
  private flushedAtTick = 0;
  private readonly socket: Carrier;
  private readonly core: Connection;
  private readonly settings: ConnectionSettings<WebSocket>;
  private readonly inflateBudget: InflateBudget | null;
  private inflateTimer: NodeJS.Timeout | null = null;
  private closeTimer: NodeJS.Timeout | null = null;
  private closeCode: number = ABNORMAL;
  private closeReason: Buffer = EMPTY;
  /** Send callbacks waiting for their write, in write order (created on first need). */
  private sendCallbacks: SendCallback[] | null = null;
  private onWritten: WriteCallback | null = null;

  /** @internal created by WebSocketServer after a successful handshake. */
  constructor(socket: Duplex, head: Buffer, settings: ConnectionSettings<WebSocket>, negotiated: Negotiated = NOTHING_NEGOTIATED) {
    super();
    this.socket = socket as Carrier;
    this.settings = settings;
    this.core = new Connection({ maxPayload: settings.maxPayload, extension: negotiated.extension });
    const rate = negotiated.extension ? (settings.maxInflateRate ?? 0) : 0;
    this.inflateBudget = rate > 0 ? new InflateBudget(rate, performance.now()) : null;
    this.protocol = negotiated.protocol;
    this.extensions = negotiated.extensions;
    // A steering command must not wait for Nagle's algorithm.
    this.socket.setNoDelay?.(true);
    attach(this.socket, this, head);
  }

  /** Bytes written but not yet handed to the kernel: grows while the peer or network is slow. */
  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  /**
   * Sends a message; `cb` runs once its bytes are flushed to the kernel (or with the error). While
   * more than maxBufferedAmount waits for this peer, a message sent from outside the peer's own
   * message handlers is dropped (cb gets a BackpressureError) or the connection is terminated,
   * per the server's `backpressure` option.
   */
  send(data: string | Buffer | Uint8Array, options?: SendOptions | SendCallback, cb?: SendCallback): void {
    if (typeof options === 'function') {
      cb = options;
      options = undefined;
    }
    if (this.readyState !== WebSocket.OPEN || this.core.closeSent) {
      if (cb) process.nextTick(callBack, this, cb, new Error(`WebSocket is not open (readyState ${this.readyState})`));
      return;
    }
    const buffered = this.socket.writableLength;
    if (buffered > this.settings.maxBufferedAmount && !(this.flags & REPLYING)) {
      this.overflow(buffered, cb);
      return;
    }
    this.core.send(data, options?.binary ?? typeof data !== 'string');
    this.flush(cb);
  }

  /** A send past the high-water mark from outside the peer's own reads: the backpressure policy. */
  private overflow(buffered: number, cb: SendCallback | undefined): void {
    const err = new BackpressureError(buffered);
    if (cb) process.nextTick(callBack, this, cb, err);
    if (this.settings.backpressure === 'drop') return;
    // No close frame: it would wait behind the very backlog that the peer does not read.
    this.closeReason = Buffer.from('send buffer overflow');
    this.terminate();
  }

  ping(data: Buffer | Uint8Array | string = EMPTY): void {
    if (this.readyState !== WebSocket.OPEN) return;
    this.core.ping(typeof data === 'string' ? Buffer.from(data) : data);
    this.flush();
  }

  pong(data: Buffer | Uint8Array | string = EMPTY): void {
    if (this.readyState !== WebSocket.OPEN) return;
    this.core.pong(typeof data === 'string' ? Buffer.from(data) : data);
    this.flush();
  }

  /**
   * Starts the closing handshake (section 7.1.2). The TCP connection is closed when the peer
   * answers, or after closeTimeoutMs. Throws RangeError for a code that may not be sent.
   */
  close(code = 1000, reason: string | Buffer = ''): void {
    if (this.readyState !== WebSocket.OPEN) return;
    this.core.close(code, reason);
    this.readyState = WebSocket.CLOSING;
    this.flush();
    this.armCloseTimer();
  }

  /** Drops the TCP connection at once, without a closing handshake. */
  terminate(): void {
    if (this.readyState === WebSocket.CLOSED) return;
    this.readyState = WebSocket.CLOSING;
    this.socket.destroy();
  }

  /** @internal called by the server's shared heartbeat interval (one timer for all clients). */
  heartbeat(): void {
    if (this.readyState !== WebSocket.OPEN) return;
    if (this.drainedSinceTick()) this.flags |= SEEN;
    if (this.flags & SEEN) {
      this.flags &= ~(SEEN | PING_OUTSTANDING);
    } else if (this.flags & PING_OUTSTANDING) {
      // Silent for two whole intervals: the peer is gone. The close event says so (no frame is sent).
      this.closeReason = Buffer.from('no answer to ping');
      this.terminate();
    } else {
      this.flags |= PING_OUTSTANDING;
      this.ping();
    }
  }

  /**
   * A peer whose reading we paused (or that is slowly downloading a large backlog) cannot answer
   * pings that wait behind that backlog; if the kernel took more of the backlog since the last
   * tick, the peer is reading, so it is alive. A vanished peer's backlog never moves. Only a
   * backlog counts: our own small ping reaches the kernel at once even when the peer is gone.
   */
  private drainedSinceTick(): boolean {
    const socket = this.socket;
    if (typeof socket.bytesWritten !== 'number') return false;
    const backlog = socket.writableLength;
    const flushed = socket.bytesWritten - backlog;
    const drained = (this.flags & BACKLOG_AT_TICK) !== 0 && flushed !== this.flushedAtTick;
    this.flushedAtTick = flushed;
    this.flags = backlog > 0 ? this.flags | BACKLOG_AT_TICK : this.flags & ~BACKLOG_AT_TICK;
    return drained;
  }

  /** @internal */
  receive(chunk: Buffer): void {
    this.flags |= SEEN;
    const events = this.core.receive(chunk);
    if (events.length === 0) return;
    // Everything produced while handling one read leaves in a single write.
    this.socket.cork();
    this.flags |= REPLYING;
    try {
      for (const event of events) this.dispatch(event);
      this.flush();
    } finally {
      this.flags &= ~REPLYING;
      this.socket.uncork();
    }
    if (this.core.inputDone) {
      this.endTransport();
      return;
    }
    if (this.inflateBudget?.owes(this.core.inflatedBytes)) this.chargeInflate(this.inflateBudget);
    if (this.socket.writableNeedDrain && this.socket.writableLength > this.settings.maxBufferedAmount && !(this.flags & PAUSED_FOR_DRAIN)) {
      // A peer that sends (pings, or messages an app answers) without reading our replies would
      // grow this buffer without bound: stop reading until it drains, and TCP slows the peer down.
      this.hold(PAUSED_FOR_DRAIN);
      releaseOnDrain(this.socket);
    }
  }

  /** A peer over its inflate budget is not read until the budget refills (see InflateBudget). */
  private chargeInflate(budget: InflateBudget): void {
    const waitMs = budget.charge(this.core.inflatedBytes, performance.now());
    if (waitMs > 0 && this.inflateTimer === null) {
      this.hold(PAUSED_FOR_INFLATE);
      this.inflateTimer = setTimeout(refillInflate, waitMs, this);
    }
  }

  private hold(reason: number): void {
    this.flags |= reason;
    this.socket.pause();
  }

  /** @internal a reason to pause reading is over. */
  release(reason: number): void {
    if (reason === PAUSED_FOR_INFLATE) this.inflateTimer = null;
    this.flags &= ~reason;
    if ((this.flags & PAUSED) === 0 && !this.socket.destroyed) this.socket.resume();
  }

  private dispatch(event: ProtocolEvent): void {
    switch (event.type) {
      case 'message':
        if (this.flags & HANDLER_FAILED) return;
        try {
          this.emit('message', asBuffer(event.data), event.isBinary);
        } catch (err) {
          this.listenerFailed(err, 'message');
        }
        return;
      case 'ping':
        if (this.flags & HANDLER_FAILED) return;
        try {
          this.emit('ping', asBuffer(event.data));
        } catch (err) {
          this.listenerFailed(err, 'ping');
        }
        return;
      case 'pong':
        if (this.flags & HANDLER_FAILED) return;
        try {
          this.emit('pong', asBuffer(event.data));
        } catch (err) {
          this.listenerFailed(err, 'pong');
        }
        return;
      case 'close':
        this.core.respond(event); // after the handlers of the messages that came before it
        this.closeCode = event.code;
        this.closeReason = asBuffer(event.reason);
        this.readyState = WebSocket.CLOSING;
        return;
      case 'error':
        this.core.respond(event);
        this.closeCode = event.error.closeCode;
        this.closeReason = Buffer.from(event.error.message);
        this.readyState = WebSocket.CLOSING;
        // An unhandled 'error' would throw: a misbehaving client must never crash the server.
        if (this.listenerCount('error') === 0 || this.flags & HANDLER_FAILED) return;
        try {
          this.emit('error', event.error);
        } catch (err) {
          this.listenerFailed(err, 'error');
        }
        return;
      default: {
        const never: never = event;
        throw new Error(`unknown event ${String(never)}`);
      }
    }
  }

  /** Writes whatever the core queued; header and payload of a big frame go out as two writes, corked. */
  private flush(cb?: SendCallback): void {
    const chunks = this.core.takeOutput();
    if (this.socket.destroyed || !this.socket.writable) {
      if (cb) process.nextTick(callBack, this, cb, new Error('WebSocket is closed'));
      return;
    }
    const n = chunks.length;
    if (n === 0) {
      if (cb) process.nextTick(callBack, this, cb, undefined);
      return;
    }
    const written = cb ? this.queueSendCallback(cb) : undefined;
    if (n === 1) {
      this.socket.write(chunks[0], written);
      return;
    }
    this.socket.cork();
    for (let i = 0; i < n - 1; i++) this.socket.write(chunks[i]);
    this.socket.write(chunks[n - 1], written);
    this.socket.uncork();
  }

  /**
   * A send callback runs from the stream's write completion; to call it inside a try/catch without
   * a closure per message, the callbacks wait in write order and one function per connection
   * (made on first need) takes the next one (the stream completes writes in order).
   */
  private queueSendCallback(cb: SendCallback): WriteCallback {
    (this.sendCallbacks ??= []).push(cb);
    return (this.onWritten ??= (err?: Error | null) => {
      const next = this.sendCallbacks!.shift();
      if (next) callBack(this, next, err ?? undefined);
    });
  }

  /**
   * @internal an application handler threw `error` while handling `event`: report it to the server,
   * and close this connection with 1011 and no reason, so nothing about the error reaches the peer
   * (RFC 6455 section 7.4.1). Other connections are not affected.
   */
  listenerFailed(error: unknown, event: string): void {
    this.flags |= HANDLER_FAILED;
    if (this.settings.onListenerError) this.settings.onListenerError(error, this, event);
    else reportUnheard(error, event);
    if (this.readyState === WebSocket.OPEN) this.close(INTERNAL_ERROR);
  }

  /** The close handshake is done (or the connection failed): the server closes TCP first (section 7.1.1). */
  private endTransport(): void {
    this.readyState = WebSocket.CLOSING;
    this.socket.end();
    this.armCloseTimer();
  }

  private armCloseTimer(): void {
    if (this.closeTimer === null) this.closeTimer = setTimeout(destroySocket, this.settings.closeTimeoutMs, this.socket);
  }

  /** @internal the socket is gone. */
  closed(): void {
    if (this.readyState === WebSocket.CLOSED) return;
    this.readyState = WebSocket.CLOSED;
    if (this.closeTimer !== null) clearTimeout(this.closeTimer);
    if (this.inflateTimer !== null) clearTimeout(this.inflateTimer);
    this.core.dispose();
    // Every 'close' listener runs even if one throws: each is some part of the application letting go
    // of this connection (a seat, a subscription), and a skipped one would hold on to it forever.
    for (const listener of this.rawListeners('close') as Array<(code: number, reason: Buffer) => void>) {
      try {
        listener.call(this, this.closeCode, this.closeReason);
      } catch (err) {
        this.listenerFailed(err, 'close');
      }
    }
    this.settings.onClosed?.(this);
  }

  /** @internal the peer sent FIN: if it did so without a close frame, the connection is over. */
  peerEnded(): void {
    if (this.readyState === WebSocket.OPEN) this.readyState = WebSocket.CLOSING;
    this.socket.end();
    this.armCloseTimer();
  }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

function refillInflate(ws: WebSocket): void {
  ws.release(PAUSED_FOR_INFLATE);
}

/** Calls an application's send callback; what it throws is that connection's handler failure. */
function callBack(ws: WebSocket, cb: SendCallback, err: Error | undefined): void {
  try {
    if (err === undefined) cb();
    else cb(err);
  } catch (thrown) {
    ws.listenerFailed(thrown, 'send callback');
  }
}

/** Without a server to report to (not in normal use): a process warning, like Node's own. */
export function reportUnheard(error: unknown, event: string): void {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.emitWarning(`a WebSocket '${event}' handler threw: ${detail}`, { code: 'WEBSOCKET_LISTENER_ERROR' });
}

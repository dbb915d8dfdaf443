/**
 * The Node adapter for one connection: a TCP (or TLS) socket on one side, the sans-I/O core on
 * the other, and the ws-like API in between. All timers and socket handling live here.
 */
import { Buffer } from 'node:buffer';
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { ABNORMAL } from './close.js';
import { BackpressureError, type BackpressurePolicy } from './backpressure.js';
import type { PerMessageExtension } from './extension.js';
import { InflateBudget } from './inflate-budget.js';
import { Connection, type ProtocolEvent } from './protocol.js';

type ReadyState = 0 | 1 | 2 | 3;
type SendCallback = (err?: Error) => void;
type WriteCallback = (err?: Error | null) => void;

export interface SendOptions {
  /** Send as a binary frame (default: true for bytes, false for strings). */
  binary?: boolean;
}

/** @internal what the server hands to each connection. */
export interface ConnectionSettings {
  maxPayload: number;
  closeTimeoutMs: number;
  /** High-water mark: above it, reading from the peer pauses and sends follow `backpressure`. */
  maxBufferedAmount: number;
  backpressure?: BackpressurePolicy;
  /** Bytes per second this peer may make us inflate (0 or absent: no limit). */
  maxInflateRate?: number;
  protocol: string;
  extensions: string;
  extension?: PerMessageExtension;
  /** Called once when the connection is closed (the server forgets it). */
  onClosed?: (ws: WebSocket) => void;
}

// The socket carries its WebSocket under this key, so the socket listeners are shared functions
// rather than closures made per connection.
const kWebSocket = Symbol('websocket');
type Carrier = Duplex & { [kWebSocket]?: WebSocket; setNoDelay?: (on: boolean) => void };

const EMPTY = Buffer.alloc(0);

// Why reading from a peer is paused (both may hold at once; reading resumes when neither does).
const PAUSED_FOR_DRAIN = 1;
const PAUSED_FOR_INFLATE = 2;

export class WebSocket extends EventEmitter {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;

  readyState: ReadyState = WebSocket.OPEN;
  readonly protocol: string;
  readonly extensions: string;

  /** @internal heartbeat bookkeeping: bytes arrived since the last tick, and a ping is unanswered. */
  seen = true;
  pingOutstanding = false;
  /** @internal heartbeat bookkeeping: bytes the kernel had taken, and whether a backlog waited, at the last tick. */
  private flushedAtTick = 0;
  private backlogAtTick = false;

  private readonly socket: Carrier;
  private readonly core: Connection;
  private readonly closeTimeoutMs: number;
  private readonly maxBufferedAmount: number;
  private readonly dropOnBackpressure: boolean;
  /** True while the peer's own read is dispatched: replies to it are flow-controlled by pausing reads. */
  private replying = false;
  private pausedFor = 0;
  private readonly inflateBudget: InflateBudget | null;
  private inflateTimer: NodeJS.Timeout | null = null;
  private readonly onClosed: ((ws: WebSocket) => void) | undefined;
  private closeTimer: NodeJS.Timeout | null = null;
  private closeCode: number = ABNORMAL;
  private closeReason: Buffer = EMPTY;

  /** @internal created by WebSocketServer after a successful handshake. */
  constructor(socket: Duplex, head: Buffer, settings: ConnectionSettings) {
    super();
    this.socket = socket as Carrier;
    this.core = new Connection({ maxPayload: settings.maxPayload, extension: settings.extension });
    this.closeTimeoutMs = settings.closeTimeoutMs;
    this.maxBufferedAmount = settings.maxBufferedAmount;
    this.dropOnBackpressure = settings.backpressure === 'drop';
    const rate = settings.extension ? (settings.maxInflateRate ?? 0) : 0;
    this.inflateBudget = rate > 0 ? new InflateBudget(rate, performance.now()) : null;
    this.protocol = settings.protocol;
    this.extensions = settings.extensions;
    this.onClosed = settings.onClosed;
    this.socket[kWebSocket] = this;
    // A steering command must not wait for Nagle's algorithm.
    this.socket.setNoDelay?.(true);
    socket.on('error', onSocketError);
    socket.on('end', onSocketEnd);
    socket.on('close', onSocketClose);
    // Bytes that came with the upgrade request are frames: parse them before newer reads, but
    // after the 'connection' handlers had a chance to subscribe.
    if (head.length > 0) process.nextTick(receiveHead, this, head);
    socket.on('data', onSocketData);
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
      if (cb) process.nextTick(cb, new Error(`WebSocket is not open (readyState ${this.readyState})`));
      return;
    }
    const buffered = this.socket.writableLength;
    if (buffered > this.maxBufferedAmount && !this.replying) {
      this.overflow(buffered, cb);
      return;
    }
    this.core.send(data, options?.binary ?? typeof data !== 'string');
    this.flush(cb);
  }

  /** A send past the high-water mark from outside the peer's own reads: the backpressure policy. */
  private overflow(buffered: number, cb: SendCallback | undefined): void {
    const err = new BackpressureError(buffered);
    if (cb) process.nextTick(cb, err);
    if (this.dropOnBackpressure) return;
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
    if (this.drainedSinceTick()) this.seen = true;
    if (this.seen) {
      this.seen = false;
      this.pingOutstanding = false;
    } else if (this.pingOutstanding) {
      this.terminate(); // silent for two whole intervals: the peer is gone
    } else {
      this.pingOutstanding = true;
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
    const socket = this.socket as Carrier & { bytesWritten?: number };
    if (typeof socket.bytesWritten !== 'number') return false;
    const backlog = socket.writableLength;
    const flushed = socket.bytesWritten - backlog;
    const drained = this.backlogAtTick && flushed !== this.flushedAtTick;
    this.flushedAtTick = flushed;
    this.backlogAtTick = backlog > 0;
    return drained;
  }

  /** @internal */
  receive(chunk: Buffer): void {
    this.seen = true;
    const events = this.core.receive(chunk);
    if (events.length === 0) return;
    // Everything produced while handling one read leaves in a single write.
    this.socket.cork();
    this.replying = true;
    try {
      for (const event of events) this.dispatch(event);
      this.flush();
    } finally {
      this.replying = false;
      this.socket.uncork();
    }
    if (this.core.inputDone) {
      this.endTransport();
      return;
    }
    if (this.inflateBudget?.owes(this.core.inflatedBytes)) this.chargeInflate(this.inflateBudget);
    if (this.socket.writableNeedDrain && this.socket.writableLength > this.maxBufferedAmount && !(this.pausedFor & PAUSED_FOR_DRAIN)) {
      // A peer that sends (pings, or messages an app answers) without reading our replies would
      // grow this buffer without bound: stop reading until it drains, and TCP slows the peer down.
      this.hold(PAUSED_FOR_DRAIN);
      this.socket.once('drain', onSocketDrain);
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
    this.pausedFor |= reason;
    this.socket.pause();
  }

  /** @internal a reason to pause reading is over. */
  release(reason: number): void {
    if (reason === PAUSED_FOR_INFLATE) this.inflateTimer = null;
    this.pausedFor &= ~reason;
    if (this.pausedFor === 0 && !this.socket.destroyed) this.socket.resume();
  }

  private dispatch(event: ProtocolEvent): void {
    switch (event.type) {
      case 'message':
        this.emit('message', asBuffer(event.data), event.isBinary);
        return;
      case 'ping':
        this.emit('ping', asBuffer(event.data));
        return;
      case 'pong':
        this.emit('pong', asBuffer(event.data));
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
        if (this.listenerCount('error') > 0) this.emit('error', event.error);
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
      if (cb) process.nextTick(cb, new Error('WebSocket is closed'));
      return;
    }
    const n = chunks.length;
    if (n === 0) {
      if (cb) process.nextTick(cb);
      return;
    }
    if (n === 1) {
      this.socket.write(chunks[0], cb as WriteCallback);
      return;
    }
    this.socket.cork();
    for (let i = 0; i < n - 1; i++) this.socket.write(chunks[i]);
    this.socket.write(chunks[n - 1], cb as WriteCallback);
    this.socket.uncork();
  }

  /** The close handshake is done (or the connection failed): the server closes TCP first (section 7.1.1). */
  private endTransport(): void {
    this.readyState = WebSocket.CLOSING;
    this.socket.end();
    this.armCloseTimer();
  }

  private armCloseTimer(): void {
    if (this.closeTimer === null) this.closeTimer = setTimeout(destroySocket, this.closeTimeoutMs, this.socket);
  }

  /** @internal the socket is gone. */
  closed(): void {
    if (this.readyState === WebSocket.CLOSED) return;
    this.readyState = WebSocket.CLOSED;
    if (this.closeTimer !== null) clearTimeout(this.closeTimer);
    if (this.inflateTimer !== null) clearTimeout(this.inflateTimer);
    this.core.dispose();
    try {
      this.emit('close', this.closeCode, this.closeReason);
    } finally {
      this.onClosed?.(this);
    }
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

function receiveHead(ws: WebSocket, head: Buffer): void {
  if (ws.readyState !== WebSocket.CLOSED) ws.receive(head);
}

function onSocketData(this: Carrier, chunk: Buffer): void {
  this[kWebSocket]?.receive(chunk);
}

function onSocketDrain(this: Carrier): void {
  this[kWebSocket]?.release(PAUSED_FOR_DRAIN);
}

function refillInflate(ws: WebSocket): void {
  ws.release(PAUSED_FOR_INFLATE);
}

function onSocketEnd(this: Carrier): void {
  this[kWebSocket]?.peerEnded();
}

function onSocketClose(this: Carrier): void {
  this[kWebSocket]?.closed();
}

// Network errors (resets, timeouts) end in 'close' with 1006; there is nothing else to report.
function onSocketError(): void {}

function destroySocket(socket: Duplex): void {
  socket.destroy();
}

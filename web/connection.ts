// The page's one WebSocket to the server: connect, reconnect with backoff, and measure latency.
import { backoffDelay } from './backoff.js';
import { LatencyWindow } from './latency.js';
import { encode, parseServerMessage, type ClientMessage, type ServerMessage } from './messages.js';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting';

export interface ConnectionHandlers {
  state(state: ConnectionState, retryInMs?: number): void;
  message(message: ServerMessage): void;
  latency(medianMs: number | null): void;
}

export interface ConnectionOptions {
  url: string;
  pingIntervalMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  random?: () => number;
}

/** `/ws` on the page's own host, wss: when the page came over https (a mixed-content ws: would be blocked). */
export function socketUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}

/** Pings unanswered for this many intervals mean a dead path (a phone that changed networks): reconnect. */
const MAX_MISSED_PINGS = 3;

/**
 * Bytes waiting in the socket above which a droppable message (a drive refresh) is skipped: on a slow
 * link a queue of old positions would reach the car late, and the next refresh carries the newest anyway.
 */
const CONGESTED_BYTES = 1024;

export class Connection {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private nextPingId = 1;
  private readonly pending = new Map<number, number>(); // ping id -> performance.now() when sent
  private readonly latency = new LatencyWindow();
  private stopped = false;
  private readonly pingIntervalMs: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly random: () => number;

  constructor(private readonly opts: ConnectionOptions, private readonly on: ConnectionHandlers) {
    this.pingIntervalMs = opts.pingIntervalMs ?? 2000;
    this.backoffBaseMs = opts.backoffBaseMs ?? 500;
    this.backoffMaxMs = opts.backoffMaxMs ?? 15_000;
    this.random = opts.random ?? Math.random;
  }

  get isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  start(): void {
    this.stopped = false;
    this.open('connecting');
  }

  /**
   * Sends one message if the socket is open; returns false (and drops it) otherwise, never queues for
   * later. A `droppable` message is also dropped while the socket is congested.
   */
  send(message: ClientMessage, droppable = false): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    if (droppable && socket.bufferedAmount > CONGESTED_BYTES) return false;
    socket.send(encode(message));
    return true;
  }

  /** Reconnects now if waiting to retry, skipping the rest of the backoff (the network came back). */
  retryNow(): void {
    if (this.socket || this.stopped) return;
    clearTimeout(this.retryTimer);
    this.open('connecting');
  }

  close(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.drop();
  }

  private open(state: ConnectionState): void {
    this.on.state(state);
    const socket = new WebSocket(this.opts.url);
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.on.state('open');
      this.startPings();
    };
    socket.onmessage = (event: MessageEvent) => {
      if (typeof event.data !== 'string') return; // the protocol is text only
      const message = parseServerMessage(event.data);
      if (!message) return;
      if (message.type === 'pong') this.pong(message.id);
      this.on.message(message);
    };
    // 'error' is always followed by 'close'; reconnecting from 'close' alone avoids doing it twice.
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.drop();
      if (!this.stopped) this.scheduleRetry();
    };
  }

  private scheduleRetry(): void {
    const delay = backoffDelay(this.attempt++, this.backoffBaseMs, this.backoffMaxMs, this.random);
    this.on.state('reconnecting', delay);
    this.retryTimer = setTimeout(() => this.open('reconnecting'), delay);
  }

  private drop(): void {
    clearInterval(this.pingTimer);
    this.pending.clear();
    this.latency.clear();
    this.on.latency(null);
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = null;
      if (socket.readyState <= WebSocket.OPEN) socket.close(1000);
    }
  }

  private startPings(): void {
    const ping = () => {
      if (this.pending.size >= MAX_MISSED_PINGS) {
        this.drop();
        this.scheduleRetry();
        return;
      }
      const id = this.nextPingId++;
      this.pending.set(id, performance.now());
      this.send({ type: 'ping', id });
    };
    ping();
    this.pingTimer = setInterval(ping, this.pingIntervalMs);
  }

  private pong(id: number | string): void {
    const sentAt = typeof id === 'number' ? this.pending.get(id) : undefined;
    if (sentAt === undefined) return;
    // Older pings still pending were lost or overtaken: forget them so they do not count as missed.
    for (const key of this.pending.keys()) if (key <= (id as number)) this.pending.delete(key);
    this.latency.add(performance.now() - sentAt);
    this.on.latency(this.latency.median());
  }
}

// The page's one WebSocket to the server: connect, reconnect with backoff, and measure latency.
//
// The backoff starts again from the beginning only after a connection has stayed up for STABLE_MS: a
// server that accepts and then closes at once (a wrong token's 1008, a 1013, an upgrade refused with
// 503) must see fewer and fewer attempts, never a steady two a second.
import { backoffDelay } from './backoff.js';
import { LatencyWindow } from './latency.js';
import {
  NAME_KEY_SUBPROTOCOL_PREFIX, RESUME_SUBPROTOCOL_PREFIX, SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX, encode, parseServerMessage, type ClientMessage, type ServerMessage,
} from './messages.js';

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
  /** The subprotocols to offer, asked afresh for each connection (the token may have changed). */
  protocols?: () => string[];
  /** Tests give a stand-in; the page uses the browser's WebSocket. */
  createSocket?: (url: string, protocols: string[]) => WebSocket;
}

/**
 * `/ws` on the page's own host, wss: when the page came over https (a mixed-content ws: would be
 * blocked). The page at `/car/NAME` drives that car: `/ws?car=NAME`; with `?watch` (the lobby's Watch)
 * it comes to watch and never takes a free seat by itself (`role=watch`).
 */
export function socketUrl(location: { protocol: string; host: string; pathname: string; search?: string }): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const car = carOfPath(location.pathname);
  const params = [car === null ? '' : `car=${encodeURIComponent(car)}`, watching(location.search) ? 'role=watch' : ''].filter(Boolean);
  return `${scheme}//${location.host}/ws${params.length > 0 ? `?${params.join('&')}` : ''}`;
}

/** The car a page's path names (`/car/NAME`), or null for the first car's page. */
export function carOfPath(pathname: string): string | null {
  const car = /^\/car\/([^/]+)\/?$/.exec(pathname);
  return car ? decoded(car[1]) : null;
}

export function watching(search = ''): boolean {
  return new URLSearchParams(search).has('watch');
}

/**
 * What the page offers at the upgrade (docs/protocol.md, subprotocols): `webracer`; with a known drive
 * token, one carrying it, `webracer.token.` + base64url of its UTF-8 (a subprotocol must be an RFC 7230
 * token, and browsers let a page set no other header on a WebSocket); and when this tab drove the car
 * until its last connection ended, `webracer.resume.` + that connection's resume token (already
 * base64url), so a full server still lets it in to take its seat back (resume.ts); and with a name key
 * from an earlier welcome, `webracer.name.` + that key, so it goes on under its default name (name-key.ts).
 */
export function offeredSubprotocols(token: string | null, resumeToken: string | null = null, nameKey: string | null = null): string[] {
  const offered = [SUBPROTOCOL];
  if (token) {
    let binary = '';
    for (const byte of new TextEncoder().encode(token)) binary += String.fromCharCode(byte);
    offered.push(TOKEN_SUBPROTOCOL_PREFIX + btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
  }
  if (resumeToken && /^[A-Za-z0-9_-]{1,64}$/.test(resumeToken)) offered.push(RESUME_SUBPROTOCOL_PREFIX + resumeToken);
  if (nameKey && /^[A-Za-z0-9_-]{1,64}$/.test(nameKey)) offered.push(NAME_KEY_SUBPROTOCOL_PREFIX + nameKey);
  return offered;
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // not valid percent-encoding: the server will say the car does not exist
  }
}

/** WebSocket.OPEN (the HTML standard's readyState), spelled out so the class also runs where there is no WebSocket global. */
const OPEN = 1;

/** A connection that stayed up this long was a real one: the next drop starts the backoff afresh. */
export const STABLE_MS = 10_000;

/** Closes that tell the client to stay away for a while (RFC 6455 section 7.4.1: 1008 policy violation;
 *  1013 try again later): not even the page coming back into view skips the rest of the backoff. */
const STAY_AWAY_CODES = new Set([1008, 1013]);

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
  private stableTimer: ReturnType<typeof setTimeout> | undefined;
  private toldToWait = false;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private nextPingId = 1;
  private readonly pending = new Map<number, number>(); // ping id -> performance.now() when sent
  private readonly latency = new LatencyWindow();
  private stopped = false;
  private readonly pingIntervalMs: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly random: () => number;
  private readonly createSocket: (url: string, protocols: string[]) => WebSocket;

  constructor(private readonly opts: ConnectionOptions, private readonly on: ConnectionHandlers) {
    this.pingIntervalMs = opts.pingIntervalMs ?? 2000;
    this.backoffBaseMs = opts.backoffBaseMs ?? 500;
    this.backoffMaxMs = opts.backoffMaxMs ?? 15_000;
    this.random = opts.random ?? Math.random;
    this.createSocket = opts.createSocket ?? ((url, protocols) => new WebSocket(url, protocols));
  }

  /** The subprotocol the server chose for the open connection ('' for none). */
  get protocol(): string {
    return this.socket?.protocol ?? '';
  }

  get isOpen(): boolean {
    return this.socket?.readyState === OPEN;
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
    if (!socket || socket.readyState !== OPEN) return false;
    if (droppable && socket.bufferedAmount > CONGESTED_BYTES) return false;
    socket.send(encode(message));
    return true;
  }

  /**
   * Reconnects now if waiting to retry, skipping the rest of the backoff (the network came back, the
   * page came back into view), unless the server's last close asked for the wait.
   */
  retryNow(): void {
    if (this.socket || this.stopped || this.toldToWait) return;
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
    const socket = this.createSocket(this.opts.url, this.opts.protocols?.() ?? []);
    this.socket = socket;
    this.toldToWait = false;
    socket.onopen = () => {
      this.stableTimer = setTimeout(() => { this.attempt = 0; }, STABLE_MS);
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
    socket.onclose = (event: { code: number }) => {
      if (this.socket !== socket) return;
      this.toldToWait = STAY_AWAY_CODES.has(event.code);
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
    clearTimeout(this.stableTimer);
    clearInterval(this.pingTimer);
    this.pending.clear();
    this.latency.clear();
    this.on.latency(null);
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = null;
      if (socket.readyState <= OPEN) socket.close(1000);
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

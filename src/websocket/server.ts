/**
 * WebSocketServer: the opening handshake on a node:http(s) server (standalone, attached, or
 * driven by the application through handleUpgrade), the set of clients and their heartbeat.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { DEFAULT_MAX_PAYLOAD } from './protocol.js';
import { acceptResponse, rejectResponse, validateRequest } from './handshake.js';
import { negotiateDeflate, resolveDeflateOptions, type DeflateOptions, type ResolvedDeflateOptions } from './permessage-deflate.js';
import type { BackpressurePolicy } from './backpressure.js';
import type { ConnectionSettings } from './connection-settings.js';
import { reportUnheard, WebSocket } from './websocket.js';

export interface ServerOptions {
  /** Standalone: create an http server listening on this port (0: ephemeral). */
  port?: number;
  host?: string;
  /** Attach to an existing server's 'upgrade' event. */
  server?: HttpServer | HttpsServer;
  /** The application calls handleUpgrade itself. */
  noServer?: boolean;
  /** Only upgrade requests for this path (others get 400). */
  path?: string;
  /** Largest message in bytes (default 100 MiB); larger ones close with 1009. */
  maxPayload?: number;
  /** Standalone: time allowed for the request headers to arrive (default 10 s). */
  handshakeTimeoutMs?: number;
  /** Wait for the peer's side of the closing handshake before dropping TCP (default 5 s). */
  closeTimeoutMs?: number;
  /** Ping peers idle this long, terminate those still silent an interval later; 0 = off (default 30 s). */
  heartbeatIntervalMs?: number;
  /**
   * High-water mark of bytes waiting to be sent to one peer (default 16 MiB). Above it, reading
   * from that peer pauses (its requests wait, TCP slows it down), and messages sent to it from
   * elsewhere follow `backpressure`.
   */
  maxBufferedAmount?: number;
  /** Past maxBufferedAmount: 'terminate' the peer (default) or 'drop' the message (its callback gets an error). */
  backpressure?: BackpressurePolicy;
  /** Upgrades beyond this many open connections get 503 (default: no limit). */
  maxConnections?: number;
  /** Largest request head accepted, in bytes (default 16 KiB); larger ones get 431. */
  maxHeaderBytes?: number;
  verifyClient?: (req: IncomingMessage) => true | { status: number; reason: string };
  handleProtocols?: (offered: string[], req: IncomingMessage) => string | false;
  /** RFC 7692 permessage-deflate: false (default) = off, true = on with defaults, or its options. */
  perMessageDeflate?: boolean | DeflateOptions;
}

type UpgradeCallback = (ws: WebSocket, req: IncomingMessage) => void;

export class WebSocketServer extends EventEmitter {
  readonly clients = new Set<WebSocket>();
  readonly options: Readonly<ServerOptions>;
  private readonly maxPayload: number;
  private readonly closeTimeoutMs: number;
  private readonly maxHeaderBytes: number;
  private readonly maxConnections: number;
  private readonly deflate: ResolvedDeflateOptions | false;
  /** Shared by every connection of this server (nothing copied per connection). */
  private readonly settings: ConnectionSettings<WebSocket>;
  private readonly httpServer: HttpServer | HttpsServer | null;
  private readonly ownsServer: boolean;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private closing = false;
  private serverClosed = false;
  private closeEmitted = false;
  private closeWaiters: Array<() => void> = [];
  private readonly forget = (ws: WebSocket): void => {
    this.clients.delete(ws);
    if (this.closing && this.clients.size === 0) this.finishClose();
  };
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    this.handleUpgrade(req, socket, head, noop);
  };
  private readonly onListening = (): void => {
    this.emitContained('listening');
  };
  private readonly onError = (err: Error & { syscall?: string }): void => {
    // A failed accept (EMFILE under a connection flood) leaves the server listening: without a
    // listener it must not throw and take every open connection down with the process.
    if (err.syscall === 'accept' && this.listenerCount('error') === 0) return;
    // Not contained when nobody listens: an unhandled 'error' throws, as for any Node server.
    if (this.listenerCount('error') === 0) this.emit('error', err);
    else this.emitContained('error', err);
  };
  /**
   * What an application handler threw ('connection', a socket's 'message', 'close', 'ping', 'pong',
   * 'error', a send callback, ...): 'listenerError' (error, ws or null, event name) to whoever
   * listens, else a process warning. Never throws.
   */
  private readonly reportListenerError = (error: unknown, ws: WebSocket | null, event: string): void => {
    if (event !== 'listenerError' && this.listenerCount('listenerError') > 0) {
      try {
        this.emit('listenerError', error, ws, event);
        return;
      } catch (thrown) {
        error = thrown;
        event = 'listenerError';
      }
    }
    reportUnheard(error, event);
  };

  constructor(options: ServerOptions, onListening?: () => void) {
    super();
    const modes = [options.port !== undefined, options.server !== undefined, options.noServer === true];
    if (modes.filter(Boolean).length !== 1) throw new TypeError('exactly one of port, server or noServer is required');
    this.options = options;
    this.maxPayload = options.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 5_000;
    this.maxHeaderBytes = options.maxHeaderBytes ?? 16 * 1024;
    this.maxConnections = options.maxConnections ?? Infinity;
    if (options.backpressure !== undefined && options.backpressure !== 'drop' && options.backpressure !== 'terminate') {
      throw new RangeError(`backpressure must be 'drop' or 'terminate', got ${String(options.backpressure)}`);
    }
    // A bad deflate option is a RangeError here, at startup, not on a client's request.
    const deflate = options.perMessageDeflate ?? false;
    this.deflate = deflate === false ? false : resolveDeflateOptions(deflate === true ? {} : deflate);
    this.settings = {
      maxPayload: this.maxPayload,
      closeTimeoutMs: this.closeTimeoutMs,
      maxBufferedAmount: options.maxBufferedAmount ?? 16 * 1024 * 1024,
      backpressure: options.backpressure ?? 'terminate',
      maxInflateRate: this.deflate === false ? 0 : this.deflate.maxInflateRate,
      onClosed: this.forget,
      onListenerError: this.reportListenerError,
    };
    if (onListening) this.once('listening', onListening);
    if (options.port !== undefined) {
      const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
      const server = createServer({
        maxHeaderSize: this.maxHeaderBytes, // Node answers 431 past it
        connectionsCheckingInterval: Math.max(100, Math.min(handshakeTimeoutMs / 2, 30_000)),
      });
      server.headersTimeout = handshakeTimeoutMs;
      server.requestTimeout = handshakeTimeoutMs;
      server.on('request', answerPlainRequest);
      server.listen(options.port, options.host);
      this.httpServer = server;
      this.ownsServer = true;
    } else {
      this.httpServer = options.server ?? null;
      this.ownsServer = false;
    }
    if (this.httpServer) {
      this.httpServer.on('upgrade', this.onUpgrade);
      this.httpServer.on('listening', this.onListening);
      this.httpServer.on('error', this.onError);
    }
    const interval = options.heartbeatIntervalMs ?? 30_000;
    if (interval > 0) {
      // One timer for every client, not one per connection.
      this.heartbeatTimer = setInterval(tickHeartbeat, interval, this.clients);
      this.heartbeatTimer.unref();
    }
  }

  /** The listening address in standalone mode. */
  address(): AddressInfo | null {
    if (!this.ownsServer || !this.httpServer) return null;
    const address = this.httpServer.address();
    return typeof address === 'object' ? address : null;
  }

  /**
   * Validates an upgrade request (RFC 6455 section 4.2) and answers 101, calling `cb` and emitting
   * 'connection'; or answers 4xx with a one-line reason and closes the socket.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, cb: UpgradeCallback): void {
    socket.on('error', noop); // a reset during the handshake must not crash the process
    if (this.closing) return refuse(socket, 503, 'server is closing');
    if (this.clients.size >= this.maxConnections) return refuse(socket, 503, 'too many connections');
    if (this.options.path !== undefined && pathOf(req.url) !== this.options.path) {
      return refuse(socket, 400, 'unknown path');
    }
    if (headBytes(req) > this.maxHeaderBytes) return refuse(socket, 431, 'request headers too large');
    const result = validateRequest(req);
    if (!result.ok) return refuse(socket, result.status, result.reason, result.headers);
    let protocol = '';
    let negotiated: ReturnType<typeof negotiateDeflate> = null;
    try {
      if (this.options.verifyClient) {
        const verdict = this.options.verifyClient(req);
        if (verdict !== true) return refuse(socket, verdict.status, verdict.reason);
      }
      if (result.protocols.length > 0) {
        const chosen = this.options.handleProtocols
          ? this.options.handleProtocols([...result.protocols], req)
          : result.protocols[0];
        // Section 4.2.2: the answer must be one the client offered; anything else is a bug of the
        // application, refused as a 500 rather than sent as a handshake every client would fail.
        if (chosen !== false && !result.protocols.includes(chosen)) throw new Error('handleProtocols chose a protocol not offered');
        if (chosen !== false) protocol = chosen;
      }
      // Last, so that no codec is built for a request refused above (RFC 7692 section 5).
      if (this.deflate !== false) negotiated = negotiateDeflate(req.headers['sec-websocket-extensions'], this.deflate);
    } catch {
      return refuse(socket, 500, 'internal error');
    }
    if (negotiated?.kind === 'reject') return refuse(socket, negotiated.status, negotiated.reason);
    const accepted = negotiated ?? undefined;
    if (!socket.writable) {
      accepted?.extension.dispose();
      socket.destroy();
      return;
    }
    // The 101 and whatever the connection handlers send at once (a greeting, a state snapshot)
    // leave in one packet.
    socket.cork();
    socket.write(acceptResponse(result.accept, protocol || undefined, accepted?.response));
    const ws = new WebSocket(socket, head, this.settings, { protocol, extensions: accepted?.response ?? '', extension: accepted?.extension });
    socket.off('error', noop); // the connection's own listener took over
    this.clients.add(ws);
    try {
      cb(ws, req);
      this.emit('connection', ws, req);
    } catch (err) {
      // The 101 is corked with the close frame: the client sees the upgrade, then 1011.
      ws.listenerFailed(err, 'connection');
    } finally {
      socket.uncork();
    }
  }

  /** Stops listening (own server only), closes every client with 1001, then calls cb. */
  close(cb?: () => void): void {
    if (cb) this.closeWaiters.push(cb);
    if (this.closing) {
      this.finishClose();
      return;
    }
    this.closing = true;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.httpServer) {
      this.httpServer.off('upgrade', this.onUpgrade);
      this.httpServer.off('listening', this.onListening);
      this.httpServer.off('error', this.onError);
    }
    for (const ws of this.clients) ws.close(1001, 'server shutting down');
    if (this.ownsServer && this.httpServer) {
      const server = this.httpServer;
      server.close(() => {
        this.serverClosed = true;
        this.finishClose();
      });
      server.closeIdleConnections();
    } else if (this.clients.size === 0) {
      this.finishClose();
    }
  }

  /** Runs the close callbacks once the clients are gone and the own server stopped. */
  private finishClose(): void {
    if (this.clients.size > 0 || (this.ownsServer && !this.serverClosed)) return;
    const waiters = this.closeWaiters;
    this.closeWaiters = [];
    for (const waiter of waiters) {
      try {
        waiter();
      } catch (err) {
        this.reportListenerError(err, null, 'close callback');
      }
    }
    if (!this.closeEmitted) {
      this.closeEmitted = true;
      this.emitContained('close');
    }
  }

  /** Emits a server event; a listener that throws is reported, not thrown into Node's code. */
  private emitContained(event: string, ...args: unknown[]): void {
    try {
      this.emit(event, ...args);
    } catch (err) {
      this.reportListenerError(err, null, event);
    }
  }
}

function noop(): void {}

function tickHeartbeat(clients: Set<WebSocket>): void {
  for (const ws of clients) ws.heartbeat();
}

function pathOf(url: string | undefined): string {
  const path = url ?? '/';
  const q = path.indexOf('?');
  return q === -1 ? path : path.slice(0, q);
}

/** Size of the request head as received (names, values and the separators around them). */
function headBytes(req: IncomingMessage): number {
  let total = (req.url ?? '').length + 16;
  for (const field of req.rawHeaders) total += field.length + 2;
  return total;
}

function refuse(socket: Duplex, status: number, reason: string, headers?: Readonly<Record<string, string>>): void {
  if (socket.writable) {
    socket.end(rejectResponse(status, reason, headers));
    socket.once('finish', () => socket.destroy());
  } else {
    socket.destroy();
  }
}

/** A standalone server answers plain HTTP requests with why they are not a WebSocket handshake. */
function answerPlainRequest(req: IncomingMessage, res: ServerResponse): void {
  const result = validateRequest(req);
  const status = result.ok ? 426 : result.status;
  const reason = result.ok ? 'WebSocket upgrade required' : result.reason;
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close', ...(result.ok ? {} : result.headers) });
  res.end(reason);
}

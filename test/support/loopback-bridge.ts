// A TCP bridge on loopback for the vehicle link tests (it plays ser2net or an ESP32 sketch): it records the
// bytes of each connection, may answer each chunk (an echo, or anything else), can stop reading (stall:
// socket.pause(), so its kernel still acknowledges and only a missing answer can tell), and can go away and
// come back on the same port. Waits are on its own events, never on sleeps.
import { once } from 'node:events';
import net from 'node:net';
import type { TestContext } from 'node:test';
import { LINK_WAIT_MS } from './link-state.js';

export interface BridgeOptions {
  /** What the bridge writes back for each chunk it reads; nothing by default (`echo` sends the chunk back). */
  answer?: (chunk: Buffer) => Buffer;
  /** Starts stalled: it accepts, then reads nothing until unstall() (or the test resumes the socket). */
  stalled?: boolean;
  /** Keeps each connection's bytes in `connections` (off for a test that sends megabytes). */
  record?: boolean;
  /** Each new connection, for a test that watches the socket itself. */
  onConnection?: (socket: net.Socket) => void;
}

export const echo = (chunk: Buffer): Buffer => chunk;

export class LoopbackBridge {
  readonly connections: number[][] = [];
  readonly #sockets = new Set<net.Socket>();
  #server: net.Server | null = null;
  #stalled: boolean;
  #waiters: Array<() => void> = [];
  port = 0;

  constructor(private readonly opts: BridgeOptions = {}) {
    this.#stalled = opts.stalled ?? false;
  }

  /** A bridge listening on a free port, stopped when the test ends. */
  static async start(t: TestContext, opts: BridgeOptions = {}): Promise<LoopbackBridge> {
    const bridge = new LoopbackBridge(opts);
    t.after(() => bridge.stop());
    await bridge.listen();
    return bridge;
  }

  /** Listens on `port` (0: a free one) and resolves with it. */
  async listen(port = 0): Promise<number> {
    const server = net.createServer((s) => this.#accept(s));
    this.#server = server;
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    this.port = (server.address() as net.AddressInfo).port;
    return this.port;
  }

  #accept(s: net.Socket): void {
    const bytes: number[] = [];
    this.connections.push(bytes);
    this.#sockets.add(s);
    if (this.#stalled) s.pause();
    this.opts.onConnection?.(s); // first: the test's own listeners have seen a chunk when until() looks
    s.on('data', (d: Buffer) => {
      if (this.opts.record !== false) bytes.push(...d);
      if (this.opts.answer) s.write(this.opts.answer(d));
      this.#notify();
    });
    s.on('error', () => {});
    s.on('close', () => this.#sockets.delete(s));
    this.#notify();
  }

  /** The bridge's program stops reading (and so answering); its kernel still acknowledges. */
  stall(): void {
    this.#stalled = true;
    for (const s of this.#sockets) s.pause();
  }

  unstall(): void {
    this.#stalled = false;
    for (const s of this.#sockets) s.resume();
  }

  /** Drops every connection and stops listening, like a bridge that lost power. */
  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy(); // a paused socket would not even notice our reset
    const server = this.#server;
    this.#server = null;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  /** Resolves once `check` holds, looked at on every connection and every chunk read. */
  until(check: () => boolean, what: string, timeoutMs = LINK_WAIT_MS): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}: ${JSON.stringify(this.connections)}`)), timeoutMs);
      const w = (): void => {
        if (!check()) return;
        clearTimeout(timer);
        this.#waiters = this.#waiters.filter((x) => x !== w);
        resolve();
      };
      this.#waiters.push(w);
    });
  }

  #notify(): void {
    for (const w of [...this.#waiters]) w();
  }
}

// The car behind a TCP serial bridge (ser2net, an ESP32), as the safety tests and the bench see it: a
// loopback listener that keeps every byte it receives, per connection, with the monotonic time it was
// read, so a test can say which byte the car held last and how long after a fault it came.
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export interface ReceivedByte {
  value: number;
  /** performance.now() in this process when the byte was read. */
  at: number;
}

export interface RecordedConnection {
  readonly openedAt: number;
  readonly bytes: ReceivedByte[];
  /** When the peer's side ended (FIN or reset), or null while it is open. */
  endedAt: number | null;
}

export interface ByteRecorderOptions {
  /** false: never end our side after the peer's FIN (a bridge that does not answer), so the peer's
   *  close must give up by itself. Default true. */
  answerFin?: boolean;
}

export class ByteRecorder {
  readonly connections: RecordedConnection[] = [];
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #answerFin: boolean;
  #reading = true;
  #wake: Array<() => void> = [];

  private constructor(server: Server, options: ByteRecorderOptions) {
    this.#server = server;
    this.#answerFin = options.answerFin ?? true;
    server.on('connection', (socket) => this.#record(socket));
  }

  /** Listens on 127.0.0.1 and an ephemeral port. */
  static async start(options: ByteRecorderOptions = {}): Promise<ByteRecorder> {
    const server = createServer({ allowHalfOpen: true });
    const recorder = new ByteRecorder(server, options);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return recorder;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** `tcp:127.0.0.1:PORT`, the --link value that reaches this recorder. */
  get link(): string {
    return `tcp:127.0.0.1:${this.port}`;
  }

  /** Every byte of every connection, in order of arrival. */
  get bytes(): ReceivedByte[] {
    return this.connections.flatMap((c) => c.bytes);
  }

  /** The byte the car holds: the last one it got, over all connections. */
  get last(): ReceivedByte | undefined {
    return this.bytes.at(-1);
  }

  /** Stops reading every connection, present and future: our receive window fills up and the sender
   *  sees its writes queue (after the kernel's buffers, so only for a sender that writes a lot). */
  stopReading(): void {
    this.#reading = false;
    for (const socket of this.#sockets) socket.pause();
  }

  resumeReading(): void {
    this.#reading = true;
    for (const socket of this.#sockets) socket.resume();
  }

  /** Cuts every open connection, as a bridge that reboots would (the peer sees a reset). */
  dropConnections(): void {
    for (const socket of this.#sockets) socket.resetAndDestroy();
  }

  /**
   * Resolves with the first truthy value of `check`, tried now and after every byte, connection and
   * end; rejects after timeoutMs with `what` and the bytes so far.
   */
  waitFor<T>(check: () => T | undefined | null | false, what: string, timeoutMs = 15_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#wake = this.#wake.filter((w) => w !== test);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the car got ${this.describe()}`));
      }, timeoutMs);
      const test = (): void => {
        const value = check();
        if (value) {
          clearTimeout(timer);
          resolve(value);
        } else {
          this.#wake.push(test);
        }
      };
      test();
    });
  }

  /** Waits until the car holds a byte that satisfies `ok` (e.g. a drive byte, or the stop). */
  holds(ok: (value: number) => boolean, what: string, timeoutMs?: number): Promise<ReceivedByte> {
    return this.waitFor(() => {
      const last = this.last;
      return last !== undefined && ok(last.value) ? last : undefined;
    }, what, timeoutMs);
  }

  /** The bytes per connection, for failure messages: `[00 1f] [00]`. */
  describe(): string {
    if (this.connections.length === 0) return 'no connection';
    return this.connections.map((c) => `[${c.bytes.map((b) => b.value.toString(16).padStart(2, '0')).join(' ')}]`).join(' ');
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #record(socket: Socket): void {
    const connection: RecordedConnection = { openedAt: performance.now(), bytes: [], endedAt: null };
    this.connections.push(connection);
    this.#sockets.add(socket);
    socket.on('data', (chunk: Buffer) => {
      const at = performance.now();
      for (const value of chunk) connection.bytes.push({ value, at });
      this.#notify();
    });
    socket.on('end', () => {
      connection.endedAt = performance.now();
      if (this.#answerFin) socket.end();
      this.#notify();
    });
    socket.on('error', () => {}); // a reset: 'close' follows
    socket.on('close', () => {
      connection.endedAt ??= performance.now();
      this.#sockets.delete(socket);
      this.#notify();
    });
    if (!this.#reading) socket.pause();
    this.#notify();
  }

  #notify(): void {
    for (const wake of this.#wake.splice(0)) wake();
  }
}

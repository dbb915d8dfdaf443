// A raw TCP byte stream to a serial bridge: ser2net in raw mode, an ESP32 or ESP8266 running a
// WiFi-to-UART bridge. Each byte we write reaches the car's UART unchanged.
//
// Delivered means acknowledged by the bridge's TCP stack (tcp-unacked.ts), or, with `ack: 'echo'`, echoed by
// the bridge's program (echo.ts): the link's write timeout then catches a bridge that vanished while we were
// writing, and, with the echo, one whose program stopped reading too. An idle connection (the car stopped,
// nothing to write) is watched by TCP keepalive: with Node 20's libuv, probes start after KEEPALIVE_IDLE_MS and
// go every second, and the kernel drops the connection after 10 unanswered ones, so a bridge that vanished while
// we were idle is found within about 11 s.
//
// Newest only, as far as we can see (docs/safety.md, "The link to the car"): the link keeps one write in a slot
// for as long as the transport has not taken the last one, and this transport takes the next write only once
// - with the echo, the last write has been echoed: at most one write is ever unanswered, anywhere;
// - without it (Linux), fewer than UNACKED_BUDGET bytes wait unacknowledged in our kernel. A bridge that stops
//   acknowledging (its buffer full, a Wi-Fi outage shorter than the link timeout) can then be sent at most that
//   many stale bytes when it is back, then the newest: at 9600 baud the car's UART passes them in about 17 ms.
//   A budget, not "the previous write acknowledged": knowing costs a read of /proc/net/tcp (tcp-unacked.ts),
//   and the kernel walks its whole connection table for it (0.4 ms of a core on a 24 GiB machine, whose
//   table has 262,144 buckets). Looking once per write made a 60 Hz stick cost 60 walks a second per car and
//   the command path's p99 on one core ten times longer; with the budget, the link's own confirmations (four
//   a second) keep it from ever filling at 60 Hz, and a flood that fills it looks at most every BUDGET_LOOK_MS.
// What a bridge's kernel has acknowledged and its program has not read, we cannot see: only the echo can.

import net from 'node:net';
import type { LinkOptions } from '../link.js';
import type { LinkSpec } from '../link-spec.js';
import { EchoWatch } from './echo.js';
import { ReconnectingLink, type BackoffOptions, type Connector, type Transport } from './reconnect.js';
import { unackedProbe, type UnackedProbe } from './tcp-unacked.js';

type TcpSpec = Extract<LinkSpec, { kind: 'tcp' }>;

/** A connect attempt that hangs (a silent host) counts as a failure after this long. */
const CONNECT_TIMEOUT_MS = 5_000;
/** Idle time before the first keepalive probe (Node rounds to whole seconds; 1 s is the least). */
const KEEPALIVE_IDLE_MS = 1_000;
/**
 * While a confirmation waits for an ACK, it looks again after 10 ms, then at most every MAX_LOOK_MS: a write
 * acknowledged just before the link's deadline may be seen up to that much late.
 */
const MAX_LOOK_MS = 50;
/** Bytes that may wait unacknowledged in our kernel before the next write waits for room (see above). */
export const UNACKED_BUDGET = 16;
/** A write waiting for room looks at most this often (each look is a walk of the kernel's connection table). */
const BUDGET_LOOK_MS = 100;

export function tcpConnector(spec: TcpSpec, options: LinkOptions = {}): Connector {
  return (lost) => new Promise<Transport>((resolve, reject) => {
    const socket = net.connect({ host: spec.host, port: spec.port });
    const where = `${spec.host}:${spec.port}`;
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => socket.destroy(new Error(`connect to ${where} timed out`)));
    socket.once('error', (err) => reject(new Error(`cannot connect to ${where}: ${err.message}`)));
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.setNoDelay(true); // a steering byte must not wait for Nagle
      socket.setKeepAlive(true, KEEPALIVE_IDLE_MS);
      socket.removeAllListeners('error');
      const echo = options.ack === 'echo' ? new EchoWatch(where) : null;
      // Without the echo, a bridge may still echo or chatter: that is dropped.
      socket.on('data', (chunk: Buffer) => {
        const wrong = echo?.received(chunk) ?? null;
        if (wrong !== null) socket.destroy(wrong);
      });
      let ended = false;
      let failure: Error | null = null;
      socket.on('error', (err) => (failure = err)); // 'close' follows and reports the loss
      socket.on('close', () => {
        const why = new Error(`connection to ${where} lost${failure ? `: ${failure.message}` : ''}`);
        echo?.fail(why);
        if (!ended) lost(why);
      });
      resolve(new TcpTransport(socket, where, unackedProbe(socket), echo, () => (ended = true)));
    });
  });
}

class TcpTransport implements Transport {
  #handed = 0;   // bytes given to socket.write
  #inKernel = 0; // of those, bytes whose write completed: the kernel has them
  #acked = 0;    // of those, bytes seen acknowledged by the bridge
  #lastLook = -Infinity; // when the table was last read for this connection (performance.now())

  constructor(
    private readonly socket: net.Socket,
    private readonly where: string,
    private readonly unacked: UnackedProbe | null,
    private readonly echo: EchoWatch | null,
    private readonly ending: () => void,
  ) {}

  write(bytes: Uint8Array, done: (err?: Error | null) => void): void {
    if (!this.socket.writable) return void process.nextTick(done, new Error(`connection to ${this.where} is closed`));
    const before = this.#handed;
    this.#send(bytes, (err) => {
      if (err) return done(err);
      // Take the next write only once this one is echoed, or (no echo) the budget has room.
      const settled = this.echo !== null ? this.echo.echoed(before + bytes.length) : this.#room();
      settled.then(() => done(), (e: Error) => done(e));
    });
  }

  writeNow(bytes: Uint8Array): boolean {
    if (!this.socket.writable) return false;
    // With nothing queued in Node, libuv writes at once (a synchronous try-write), and the stream's count of
    // pending bytes is back to 0 before write() returns: the bytes are in the kernel.
    const idle = this.socket.writableLength === 0;
    this.#send(bytes, () => {});
    return idle && this.socket.writableLength === 0;
  }

  #send(bytes: Uint8Array, done: (err?: Error | null) => void): void {
    const n = bytes.length;
    this.#handed += n;
    this.echo?.sent(bytes);
    this.socket.write(bytes, (err) => {
      if (!err) this.#inKernel += n;
      done(err);
    });
  }

  /**
   * Byte counts, not "nothing unacknowledged": ACKs are cumulative, so the bytes handed over before the call
   * are delivered once the peer acknowledged (or, with the echo, echoed) that far, even while newer writes
   * keep the queue from emptying.
   */
  delivered(): Promise<void> {
    return this.echo !== null ? this.echo.echoed(this.#handed) : this.#acknowledged(this.#handed, 10);
  }

  /** A reading of the table begun now (Transport.lookNow); null with the echo, or with no table to read. */
  lookNow(): Promise<void> | null {
    if (this.echo !== null || this.unacked === null) return null;
    return this.unacked().then(() => {});
  }

  /** Resolves once the first `target` bytes handed over are acknowledged, looking from `firstLookMs` on. */
  async #acknowledged(target: number, firstLookMs: number): Promise<void> {
    for (let pause = 0; ; pause = Math.min(Math.max(pause * 2, firstLookMs), MAX_LOOK_MS)) {
      if (pause > 0) await sleep(pause);
      if (this.#acked >= target) return;
      await this.#look(target);
      if (this.#acked >= target) return;
    }
  }

  /**
   * Resolves once fewer than UNACKED_BUDGET bytes are unacknowledged, looking at most every BUDGET_LOOK_MS.
   * Half spent, it looks ahead without waiting, so a steady stream finds room instead of waiting for it.
   */
  async #room(): Promise<void> {
    if (this.#handed - this.#acked >= UNACKED_BUDGET / 2 && performance.now() - this.#lastLook >= BUDGET_LOOK_MS) {
      this.#look(this.#handed).catch(() => {}); // a failure shows in the next look, or in the link's confirmation
    }
    while (this.#handed - this.#acked >= UNACKED_BUDGET) {
      const wait = this.#lastLook + BUDGET_LOOK_MS - performance.now();
      if (wait > 0) await sleep(wait);
      await this.#look(this.#handed - UNACKED_BUDGET + 1);
    }
  }

  /** Reads how much the bridge has acknowledged (when the kernel has all of the first `target` bytes). */
  async #look(target: number): Promise<void> {
    if (this.socket.destroyed) throw new Error(`connection to ${this.where} closed`);
    this.#lastLook = performance.now(); // a look skipped below counts too: #room waits before the next
    const inKernel = this.#inKernel; // before the look: bytes arriving meanwhile can only make it more careful
    if (inKernel < target) return;
    // Without a probe (not Linux), what Node has handed to the kernel is all we can know.
    const unacked = this.unacked === null ? null : await this.unacked();
    this.#acked = Math.max(this.#acked, unacked === null ? inKernel : inKernel - unacked);
  }

  end(): Promise<void> {
    this.ending();
    return new Promise((done) => {
      if (this.socket.destroyed) return done();
      this.socket.once('close', () => done());
      this.socket.end();
    });
  }

  destroy(): void {
    this.ending();
    if (this.socket.destroyed) return;
    // A reset, not a FIN: the kernel discards what the bridge has not acknowledged instead of retransmitting
    // it (a stale drive byte must not reach the car after we gave the connection up).
    if (this.socket.connecting || this.socket.readyState === 'closed') this.socket.destroy();
    else this.socket.resetAndDestroy();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function createTcpLink(spec: TcpSpec, options: LinkOptions & BackoffOptions = {}): ReconnectingLink {
  return new ReconnectingLink(spec, tcpConnector(spec, options), options);
}

// A serial port: a paired Bluetooth SPP car (/dev/rfcomm0, /dev/tty.<name>, COM5) or a USB serial
// adapter. 8 data bits, no parity, 1 stop bit, no flow control (PROTOCOL.md section 1).
//
// Delivered means drained: port.drain() waits for the write in progress, then tcdrain() (FlushFileBuffers on
// Windows) until the tty driver says its output queue is empty. What that proves depends on the driver
// (docs/vehicle.md, "Link liveness"): on rfcomm, that the bytes left RFCOMM's queue, which needs credits from
// the car; on a pseudo-terminal, nothing beyond the write itself. With `ack: 'echo'` (echo.ts), delivered
// means echoed by the car's sketch, and the next write waits for the last one's echo (one unanswered at most).

import { writeSync } from 'node:fs';
import { SerialPort } from 'serialport';
import type { LinkOptions } from '../link.js';
import type { LinkSpec } from '../link-spec.js';
import { EchoWatch } from './echo.js';
import { ReconnectingLink, type BackoffOptions, type Connector, type Transport } from './reconnect.js';

type SerialSpec = Extract<LinkSpec, { kind: 'serial' }>;

export function serialConnector(spec: SerialSpec, options: LinkOptions = {}): Connector {
  return (lost) => new Promise<Transport>((resolve, reject) => {
    const port = new SerialPort({
      path: spec.path, baudRate: spec.baudRate, dataBits: 8, parity: 'none', stopBits: 1,
      rtscts: false, xon: false, xoff: false, autoOpen: false,
    });
    port.open((err) => {
      if (err) {
        reject(new Error(`cannot open ${spec.path}: ${err.message}`));
        return;
      }
      const echo = options.ack === 'echo' ? new EchoWatch(spec.path) : null;
      const transport = new SerialTransport(port, spec.path, echo, lost);
      // Without the echo, the car may still talk back (some HC-05 sketches echo): nobody listens, so it is dropped.
      let owed = echo === null; // with the echo: from the flush below on
      port.on('data', (chunk: Buffer) => {
        if (!owed) return;
        const wrong = echo?.received(chunk) ?? null;
        if (wrong !== null) transport.vanish(wrong);
      });
      port.on('error', (e: Error) => transport.vanish(new Error(`${spec.path}: ${e.message}`)));
      port.on('close', () => transport.vanish(new Error(`${spec.path} closed`)));
      // An echo still in the port from before a reopen is not one this connection is owed: discard it before
      // the first write (a flush after it could discard that write too).
      if (owed) return resolve(transport);
      port.flush(() => {
        owed = true;
        resolve(transport);
      });
    });
  });
}

class SerialTransport implements Transport {
  #gone = false;     // lost, or closed by us: report nothing more
  #writing = 0;      // our writes the port has not finished
  #sent = 0;         // bytes handed to the port, for the echo

  constructor(
    private readonly port: SerialPort,
    private readonly path: string,
    private readonly echo: EchoWatch | null,
    private readonly lost: (err: Error) => void,
  ) {}

  /** A vanished device shows up as an error, a close, or both; report it once. */
  vanish(why: Error): void {
    this.echo?.fail(why);
    if (this.#gone) return;
    this.#gone = true;
    if (this.port.isOpen) this.port.close(() => {});
    this.lost(why);
  }

  write(bytes: Uint8Array, done: (err?: Error | null) => void): void {
    this.#writing++;
    this.#sent += bytes.length;
    this.echo?.sent(bytes);
    const echoed = this.#sent;
    this.port.write(Buffer.from(bytes), (err) => {
      this.#writing--;
      if (err) this.vanish(new Error(`${this.path}: write failed: ${err.message}`));
      if (err || this.echo === null) return done(err ? new Error(`${this.path}: write failed: ${err.message}`) : null);
      this.echo.echoed(echoed).then(() => done(), (e: Error) => done(e));
    });
  }

  writeNow(bytes: Uint8Array): boolean {
    if (!this.port.isOpen) return false;
    // The port's own writes run on libuv's thread pool and may not happen before the process exits, so
    // write to its descriptor directly (POSIX: the binding's fd).
    const fd = (this.port.port as { fd?: unknown } | undefined)?.fd;
    let sync = false;
    if (typeof fd === 'number' && process.platform !== 'win32') {
      try {
        sync = writeSync(fd, bytes) === bytes.length;
        if (sync) {
          this.#sent += bytes.length;
          this.echo?.sent(bytes);
        }
      } catch {
        // EAGAIN (the driver's buffer is full) and the like: queued below
      }
    }
    // A write of ours still on the thread pool may land after those bytes: queue them once more, behind it,
    // so that they are the last the car gets either way (a repeated stop is harmless).
    const racing = this.#writing > 0;
    if (!sync || racing) this.write(bytes, () => {});
    return sync && !racing;
  }

  delivered(): Promise<void> {
    if (this.echo !== null) return this.echo.echoed(this.#sent);
    return new Promise((resolve, reject) => {
      if (!this.port.isOpen) return reject(new Error(`${this.path} is closed`));
      this.port.drain((err) => (err ? reject(err) : resolve()));
    });
  }

  end(): Promise<void> {
    this.#gone = true; // our own close is not a loss
    this.echo?.fail(new Error(`${this.path} closed`));
    return new Promise((done) => {
      if (!this.port.isOpen) return done();
      this.port.close(() => done());
    });
  }

  destroy(): void {
    this.#gone = true;
    this.echo?.fail(new Error(`${this.path} closed`));
    if (!this.port.isOpen) return;
    // Discard what the driver still holds (tcflush): a stale byte queued in a stalled rfcomm channel would
    // otherwise reach the car when it comes back, and closing would wait for it.
    this.port.flush(() => {
      if (this.port.isOpen) this.port.close(() => {});
    });
  }
}

export function createSerialLink(spec: SerialSpec, options: LinkOptions & BackoffOptions = {}): ReconnectingLink {
  return new ReconnectingLink(spec, serialConnector(spec, options), options);
}

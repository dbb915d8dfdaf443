// An i-Racer (or rc-app car) device emulator: it opens a serial port, e.g. one end of a socat pty pair,
// and decodes every byte it receives the way the car would. For users without a car (see
// emulator-main.ts) and for end-to-end tests.

import { SerialPort } from 'serialport';
import type { CodecName } from './codec.js';
import { createCodec } from './create-codec.js';
import { STOP, type Intent } from './demand.js';
import { DEFAULT_BAUD } from './link-spec.js';
import { SafeEmitter } from './safe-emitter.js';

export interface EmulatorOptions {
  baudRate?: number; // default 9600
  codec?: CodecName; // default 'iracer'
  /** Send every byte back once it is taken, as a sketch does for `--link-ack echo` (links/echo.ts). */
  echo?: boolean;
}

export interface ReceivedByte {
  byte: number;
  /** The car's motion after this byte, or null when the byte means nothing to the car. */
  motion: Intent | null;
  at: number; // Date.now()
}

export class Emulator extends SafeEmitter {
  readonly bytes: number[] = [];
  readonly received: ReceivedByte[] = [];
  /** Resolves once the port is open; rejects if it cannot be opened. */
  readonly opened: Promise<void>;
  #motion: Intent = STOP;
  readonly #port: SerialPort;

  constructor(readonly path: string, opts: EmulatorOptions = {}) {
    super();
    const decode = createCodec(opts.codec ?? 'iracer').decoder();
    this.#port = new SerialPort({
      path, baudRate: opts.baudRate ?? DEFAULT_BAUD, dataBits: 8, parity: 'none', stopBits: 1, autoOpen: false,
    });
    this.opened = new Promise<void>((resolve, reject) => {
      this.#port.open((err) => (err ? reject(new Error(`emulator: cannot open ${path}: ${err.message}`)) : resolve()));
    });
    this.opened.then(() => this.emit('open'), (err: Error) => this.emit('failure', err));
    this.#port.on('data', (chunk: Buffer) => {
      for (const byte of chunk) {
        const motion = decode(byte);
        if (motion) this.#motion = motion;
        const r: ReceivedByte = { byte, motion, at: Date.now() };
        this.bytes.push(byte);
        this.received.push(r);
        this.emit('byte', byte, r);
      }
      if (opts.echo) this.#port.write(chunk);
    });
    // A vanished peer is reported, never thrown: an 'error' event without a listener would crash.
    this.#port.on('error', (err: Error) => this.emit('failure', err));
    this.#port.on('close', () => this.emit('close'));
  }

  /** What the emulated car is doing now. */
  get motion(): Intent {
    return this.#motion;
  }

  /** Resolves once at least n bytes have arrived in total; rejects after timeoutMs. */
  waitForBytes(n: number, timeoutMs = 5_000): Promise<number[]> {
    if (this.bytes.length >= n) return Promise.resolve(this.bytes.slice());
    return new Promise((resolve, reject) => {
      const onByte = (): void => {
        if (this.bytes.length < n) return;
        clearTimeout(timer);
        this.off('byte', onByte);
        resolve(this.bytes.slice());
      };
      const timer = setTimeout(() => {
        this.off('byte', onByte);
        reject(new Error(`emulator: ${this.bytes.length} of ${n} bytes after ${timeoutMs} ms: [${this.bytes.map(hex).join(' ')}]`));
      }, timeoutMs);
      this.on('byte', onByte);
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.#port.isOpen) return resolve();
      this.#port.close(() => resolve());
    });
  }
}

export const hex = (b: number): string => `0x${b.toString(16).padStart(2, '0')}`;

/** Opens the emulator on a serial path. Not a promise: await `.opened` to know the port is open. */
export function startEmulator(path: string, opts: EmulatorOptions = {}): Emulator {
  const emulator = new Emulator(path, opts);
  emulator.opened.catch(() => {}); // reported through 'failure'; awaiting .opened still sees the error
  return emulator;
}

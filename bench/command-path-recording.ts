/**
 * The car's command path with session recording on (--record), against the same without, in one run:
 * from a drive message arriving on the control server's socket to its byte being handed to the car's link.
 * Run as its own process (command-path-section.ts pins it to the server's core, like bench/command-path.ts):
 *
 *   node --import tsx bench/command-path-recording.ts [--messages 100000]
 *
 * What is measured, exactly. Three control servers share this process: two as `webracer` runs by
 * default, one recording every session into a temporary folder (src/recording/, as `--record DIR` sets it
 * up). Each drives a tcp: link to a byte sink in this process (like an ESP32 serial bridge), and has one
 * `ws` client on a real loopback socket. The messages go to the three in turn, in blocks of BLOCK, so a
 * change in the machine's load (two shared cores) falls on all alike. The ratio of the recording server's
 * p99 to the first plain one's is the recorder's cost; the second plain one's ratio to the first is the
 * noise of the measurement itself, in the same run. t0 and t1 as in bench/command-path.ts; between them,
 * with recording on, the car events the recorder queues (the message, the demand, the write). The
 * recorder's own work (building lines, writing the file) runs later on the same event loop, so it is in
 * the figure only when it delays the next message.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import type { ServerAddOn } from '../src/control/add-on.js';
import { startControlServer, type ControlServer } from '../src/control/server.js';
import { recordingAddOn } from '../src/recording/add-on.js';
import { listenSink, percentile } from './byte-sink.js';
import type { CommandPathFigures, RecordingCommandPathResult as Result } from './command-path-section.js';

const BLOCK = 100;

/** One server with its sink and client; `run` sends messages one at a time and keeps their times. */
class Rig {
  buffered = 0;
  #awaiting = false;
  #t0 = 0n;
  #lastError = '';
  #onByte: ((ns: number) => void) | null = null;
  #next: (() => void) | null = null;
  #refused: (() => void) | null = null;

  private constructor(readonly control: ControlServer, readonly ws: WebSocket, readonly sink: Server, readonly bytes: () => number) {
    control.driver.prependListener('state', (s: { direction: string }) => {
      if (!this.#awaiting || s.direction === 'stop') return; // a stop is the watchdog's (a stalled machine), not this message's byte
      const t1 = process.hrtime.bigint();
      this.#awaiting = false;
      this.#onByte?.(Number(t1 - this.#t0));
    });
    // The next message goes once the client has the state broadcast its previous one caused.
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { type: string; message?: string; lastCommand?: string; code?: string };
      if (msg.type === 'error') this.#lastError = msg.message ?? 'error';
      if (msg.type === 'notice' && msg.code !== 'duration_clamped') this.#rearm();
      if (msg.type === 'state' && msg.lastCommand === 'drive' && !this.#awaiting && this.#next) setImmediate(this.#next);
    });
  }

  /** The watchdog stopped the car (this process stalled past it): neutral again, and a refused message goes again. */
  #rearm(): void {
    this.ws.send('{"type":"drive","x":0,"y":0}');
    if (!this.#awaiting || !this.#next) return;
    this.#awaiting = false;
    this.#refused?.(); // it goes again, in its own place
    setImmediate(this.#next);
  }

  static async start(addOns: ServerAddOn[]): Promise<Rig> {
    const { sink, port, bytes } = await listenSink();
    const control = await startControlServer({
      port: 0, host: '127.0.0.1', link: `tcp:127.0.0.1:${port}`, codec: 'iracer', watchdogMs: 500,
      driveRatePerSecond: 1e9, // the bench sends as fast as it can; the default (60/s) would refuse it
      addOns,
    });
    const ws = new WebSocket(`ws://127.0.0.1:${control.port}/ws`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    await waitFor(() => control.driver.state.link === 'connected', 10_000, 'the link to the sink never connected');
    ws.send('{"type":"claim"}');
    return new Rig(control, ws, sink, bytes);
  }

  /** Sends `count` messages; each one's time goes to samples[from + i] (none when from < 0: warm-up). */
  run(count: number, samples: Float64Array, from: number): Promise<void> {
    let sent = 0;
    return new Promise<void>((resolve, reject) => {
      const timeout = setTimeout(() => reject(new Error(`stalled (last error: ${this.#lastError || 'none'})`)), 60_000);
      this.#onByte = (ns) => {
        if (from >= 0) samples[from + sent - 1] = ns;
      };
      this.#refused = () => { sent--; };
      // The stick at neutral first: the driver is new, or the watchdog stopped the car since the last run
      // (docs/protocol.md "Arming"). It changes no byte, so it is no sample.
      this.ws.send('{"type":"drive","x":0,"y":0}');
      this.#next = () => {
        if (this.#awaiting) return; // a second broadcast already scheduled this send
        if (sent >= count) {
          clearTimeout(timeout);
          this.#next = null;
          resolve();
          return;
        }
        this.#awaiting = true;
        this.ws.send(sent % 2 === 0 ? '{"type":"drive","x":0,"y":1}' : '{"type":"drive","x":0,"y":0.5}');
        this.#t0 = process.hrtime.bigint();
        sent++;
        if (this.ws.bufferedAmount !== 0) this.buffered++;
      };
      setImmediate(this.#next);
    });
  }

  async close(): Promise<void> {
    this.ws.terminate();
    await this.control.close();
    this.sink.close();
  }
}

function figures(samples: Float64Array): CommandPathFigures {
  samples.sort();
  let sum = 0;
  for (const s of samples) sum += s;
  const us = (ns: number): number => Math.round(ns / 10) / 100;
  return {
    p50_us: us(percentile(samples, 50)),
    p99_us: us(percentile(samples, 99)),
    p999_us: us(percentile(samples, 99.9)),
    max_us: us(samples[samples.length - 1]),
    mean_us: us(sum / samples.length),
  };
}

async function measure(count: number, warmup: number): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'webracer-bench-rec-'));
  const plain = await Rig.start([]);
  const control = await Rig.start([]);
  const recording = await Rig.start([recordingAddOn({ dir, maxFileBytes: 64 << 20, maxTotalBytes: 1 << 30 }, () => {})]);
  const rigs = [plain, control, recording];
  try {
    const none = new Float64Array(0);
    for (const rig of rigs) await rig.run(warmup, none, -1);
    const samples = rigs.map(() => new Float64Array(count));
    for (let done = 0, turn = 0; done < count; done += BLOCK, turn++) {
      const n = Math.min(BLOCK, count - done);
      // Rotate which goes first, so none always follows another's leftovers.
      for (let k = 0; k < rigs.length; k++) {
        const i = (turn + k) % rigs.length;
        await rigs[i].run(n, samples[i], done);
      }
    }
    if (rigs.some((rig) => rig.bytes() === 0)) throw new Error('no byte reached a sink');
    const [a, noise, b] = samples.map(figures);
    const ratio = (x: CommandPathFigures): number => Math.round((x.p99_us / a.p99_us) * 100) / 100;
    return {
      messages: count, buffered_sends: rigs.reduce((sum, rig) => sum + rig.buffered, 0),
      off: a, on: b, p99_ratio: ratio(b), noise_p99_ratio: ratio(noise),
    };
  } finally {
    for (const rig of rigs) await rig.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(what);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const at = process.argv.indexOf('--messages');
const count = at > 0 ? Number(process.argv[at + 1]) : 100_000;
if (!Number.isInteger(count) || count < 100) {
  console.error('command-path-recording: --messages must be an integer >= 100');
  process.exit(2);
}
measure(count, Math.min(5000, count / 10)).then(
  (result) => {
    console.log(JSON.stringify(result));
    process.exit(0); // the server's sockets are closed; do not wait for lingering timers
  },
  (err: Error) => {
    console.error(`command-path-recording: ${err.message}`);
    process.exit(1);
  },
);

/**
 * The car's command path: from a drive message arriving on the control server's socket to its byte
 * being handed to the car's link. Run as its own process (run.ts pins it to the server's core):
 *
 *   node --import tsx bench/command-path.ts [--messages 100000]
 *
 * What is measured, exactly. The control server (startControlServer, a tcp: link to a byte sink in this
 * process, like an ESP32 serial bridge) and one `ws` client share this process and a real loopback socket.
 * - t0: right after the client's ws.send() returns with bufferedAmount 0: the frame was written to the
 *   kernel in that call, and loopback TCP queues it on the server socket during the write, so the message
 *   is waiting on the server's socket. (A send that left bytes buffered is counted and reported.)
 * - t1: the Driver's 'state' event, which it emits synchronously right after link.write() accepted the
 *   byte; our listener is prepended so the car world's own state broadcast is not in the figure.
 * t1 - t0 is one event-loop wake-up, the read, WebSocket unframing and UTF-8 check, JSON parse and schema
 * validation, seat and rate checks, quantizing, encoding and link.write(). Not in it: the client's framing
 * (before t0) and the kernel's delivery of the byte to the car (after t1).
 * Messages go one at a time (the next after the client has the state broadcast for the previous one, on
 * a quiet loop), alternating full and half speed forward so every one changes the car's byte.
 *
 * With `--cars N --spectators M` the same car is measured the same way on a busier server: N - 1 more
 * cars, all simulated (one arena, its poses at 20 Hz to their pages, laps counted), each with a driver
 * sending drive input at 20 Hz, and M spectators spread over all N cars. Those clients run in another
 * process (bench/fleet-load.ts, on `--load-core` when given) so their own work is not on the server's
 * event loop; what the figure shows is the server's extra work delaying the measured car's messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { WebSocket } from 'ws';
import { startControlServer } from '../src/control/server.js';
import { listenSink, percentile } from './byte-sink.js';
import type { CommandPathResult as Result } from './command-path-section.js';

interface Load { cars: number; spectators: number; core: string | null }

async function measure(count: number, warmup: number, load: Load): Promise<Result> {
  const { sink, port: sinkPort, bytes } = await listenSink();
  const link = `tcp:127.0.0.1:${sinkPort}`;
  const others = Array.from({ length: load.cars - 1 }, (_, i) => `sim${i + 1}`);
  const control = await startControlServer({
    port: 0, host: '127.0.0.1', link, codec: 'iracer', watchdogMs: 500,
    driveRatePerSecond: 1e9, // the bench sends as fast as it can; the default (60/s) would refuse it
    ...(others.length > 0 ? {
      cars: [{ name: 'measured', link, codec: 'iracer' as const }, ...others.map((name) => ({ name, link: 'sim', codec: 'iracer' as const }))],
      maxClients: 10_000, maxClientsPerAddress: 10_000, // every load client comes from 127.0.0.1
    } : {}),
  });
  const ws = new WebSocket(`ws://127.0.0.1:${control.port}/ws`); // the first car: the measured one
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  opened.catch(() => {}); // awaited below; this only keeps an early failure from counting as unhandled
  try {
    await waitFor(() => control.driver.state.link === 'connected', 10_000, 'the link to the sink never connected');
    await opened;
    if (others.length > 0) loadProcess = await startLoad(control.port, others, ['measured', ...others], load);
    const samples = new Float64Array(count);
    let t0 = 0n;
    let index = -warmup;
    let buffered = 0;
    let awaitingByte = false;
    let lastError = '';
    const done = new Promise<void>((resolve, reject) => {
      const timeout = setTimeout(() => reject(new Error(`stalled at message ${index} (last error: ${lastError || 'none'})`)), 120_000);
      control.driver.prependListener('state', (s: { direction: string }) => {
        if (!awaitingByte || s.direction === 'stop') return; // a stop is the watchdog's (a stalled machine), not this message's byte
        const t1 = process.hrtime.bigint();
        awaitingByte = false;
        if (index >= 0) samples[index] = Number(t1 - t0);
        index++;
      });
      const sendNext = (): void => {
        if (awaitingByte) return; // a second broadcast already scheduled this send
        if (index >= count) {
          clearTimeout(timeout);
          resolve();
          return;
        }
        awaitingByte = true;
        ws.send(index % 2 === 0 ? '{"type":"drive","x":0,"y":1}' : '{"type":"drive","x":0,"y":0.5}');
        t0 = process.hrtime.bigint();
        if (ws.bufferedAmount !== 0) buffered++;
      };
      // The watchdog stopped the car (this process stalled past it): the driver is disarmed, so it shows
      // neutral again, and a message refused meanwhile goes again (docs/protocol.md "Arming").
      const rearm = (): void => {
        ws.send('{"type":"drive","x":0,"y":0}');
        if (!awaitingByte) return;
        awaitingByte = false;
        setImmediate(sendNext);
      };
      // The next message goes once the client has the state broadcast its previous one caused.
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data)) as { type: string; message?: string; lastCommand?: string; code?: string };
        if (msg.type === 'error') lastError = msg.message ?? 'error';
        if (msg.type === 'notice' && msg.code !== 'duration_clamped') rearm();
        if (msg.type === 'state' && msg.lastCommand === 'drive' && !awaitingByte) setImmediate(sendNext);
      });
      ws.send('{"type":"claim"}');
      ws.send('{"type":"drive","x":0,"y":0}'); // a new driver shows the stick at neutral first (docs/protocol.md "Arming")
      setImmediate(sendNext);
    });
    await done;
    if (bytes() === 0) throw new Error('no byte reached the sink');
    samples.sort();
    let sum = 0;
    for (const s of samples) sum += s;
    const us = (ns: number): number => Math.round(ns / 10) / 100;
    return {
      messages: count,
      p50_us: us(percentile(samples, 50)),
      p99_us: us(percentile(samples, 99)),
      p999_us: us(percentile(samples, 99.9)),
      max_us: us(samples[count - 1]),
      mean_us: us(sum / count),
      buffered_sends: buffered,
    };
  } finally {
    loadProcess?.kill('SIGKILL');
    ws.terminate();
    await control.close();
    sink.close();
  }
}

let loadProcess: ChildProcess | undefined;

/** Starts bench/fleet-load.ts and waits for its clients to be connected. */
function startLoad(port: number, drive: string[], watch: string[], load: Load): Promise<ChildProcess> {
  const script = new URL('./fleet-load.ts', import.meta.url).pathname;
  const node = [process.execPath, '--import', 'tsx', script, '--url', `ws://127.0.0.1:${port}`,
    '--drive', drive.join(','), '--watch', watch.join(','), '--spectators', String(load.spectators)];
  // The load gets a core of its own when there is one (the measured process is pinned by run.ts).
  const argv = load.core === null ? node : ['taskset', '-c', load.core, ...node];
  const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the load clients did not connect within 60 s')), 60_000);
    child.once('exit', (code) => reject(new Error(`the load process exited with ${code}`)));
    child.stdout!.setEncoding('utf8').on('data', (text: string) => {
      if (!text.includes('ready')) return;
      clearTimeout(timer);
      resolve(child);
    });
  });
}

async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(what);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at > 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0) {
    console.error(`command-path: --${name} must be a whole number`);
    process.exit(2);
  }
  return value;
}

const count = option('messages', 100_000);
if (count < 100) {
  console.error('command-path: --messages must be at least 100');
  process.exit(2);
}
const coreAt = process.argv.indexOf('--load-core');
const load: Load = { cars: Math.max(1, option('cars', 1)), spectators: option('spectators', 0), core: coreAt > 0 ? process.argv[coreAt + 1] : null };
measure(count, Math.min(5000, count / 10), load).then(
  (result) => {
    console.log(JSON.stringify(result));
    process.exit(0); // the server's sockets are closed; do not wait for lingering timers
  },
  (err: Error) => {
    console.error(`command-path: ${err.message}`);
    process.exit(1);
  },
);

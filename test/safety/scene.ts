// The set of every fault-injection test: the real CLI driving a TCP byte recorder (the car), and ws
// clients holding the stick. Everything registers its cleanup with t.after, failing test or not.
import type { TestContext } from 'node:test';
import { connect, type Client } from '../control/helpers.js';
import { ByteRecorder } from '../support/byte-recorder.js';
import { startWebracer, type StartOptions, type WebracerProcess } from './webracer-process.js';

/** i-Racer bytes: the stop, the stick held forward at full deflection, the seed's "up". */
export const STOP = 0x00;
export const FULL_FORWARD = 0x1f;
export const SEED_UP = 0x16;
export const isStop = (b: number): boolean => b >> 4 === 0;
export const isMoving = (b: number): boolean => !isStop(b);

/**
 * Added to every bound a test asserts: the machine's two cores are shared, so a bound is checked as
 * "bound + slack". The slack is far below what separates the mechanisms the tests tell apart (a stop
 * "at once" vs a 10 s hold or a 10 s watchdog); the exact times are the bench's job (bench/safety.ts).
 */
export const SLACK_MS = 1_500;
/** The hard deadline of the CLI's shutdown (src/cli/shutdown.ts). */
export const DEADLINE_MS = 2_000;

export interface Scene {
  car: ByteRecorder;
  server: WebracerProcess;
}

/** A byte recorder as the car, and `webracer --link tcp:<it> ...args`, connected (the car holds the stop). */
export async function carAndServer(t: TestContext, args: readonly string[] = [],
  options: Omit<StartOptions, 'after'> = {}): Promise<Scene> {
  const car = await ByteRecorder.start();
  t.after(() => car.close());
  const server = await startWebracer(['--link', car.link, ...args], { ...options, after: (cleanup) => t.after(cleanup) });
  await car.holds(isStop, 'the stop a link sends on connecting');
  return { car, server };
}

/** A ws client that has taken the seat (the first client with no token) and shown the stick at neutral,
 *  as the page does before its first push (docs/protocol.md "Arming"). */
export async function driverClient(t: TestContext, server: WebracerProcess, path = ''): Promise<Client> {
  const client = await connect(t, server.wsUrl + path);
  if (client.welcome.role !== 'driver') await client.expect('role', (m) => m.role === 'driver', 0);
  client.arm();
  return client;
}

export async function spectatorClient(t: TestContext, server: WebracerProcess): Promise<Client> {
  const client = await connect(t, server.wsUrl);
  if (client.welcome.role !== 'spectator') throw new Error(`expected a spectator, got ${client.welcome.role}`);
  return client;
}

export interface HeldStick {
  /** performance.now() when the last drive message was sent. */
  readonly lastSentAt: number;
  /** Stops sending (the client stays connected). */
  letGo(): void;
}

/** A fresh press: the stick from the centre ({"type":"drive"} at neutral, which arms the driver: docs/protocol.md
 *  "Arming"), then {"type":"drive",x,y} at 20 Hz, as the page does while the stick is held, until let go. */
export function holdStick(t: TestContext, client: Client, x = 0, y = 1): HeldStick {
  let lastSentAt = 0;
  if (client.ws.readyState === client.ws.OPEN) client.arm();
  const send = (): void => {
    if (client.ws.readyState !== client.ws.OPEN) return;
    client.send({ type: 'drive', x, y });
    lastSentAt = performance.now();
  };
  send();
  const timer = setInterval(send, 50);
  t.after(() => clearInterval(timer));
  return {
    get lastSentAt() {
      return lastSentAt;
    },
    letGo: () => clearInterval(timer),
  };
}

/** The promise's value, or a rejection naming `what` after timeoutMs: no wait in this suite is unbounded. */
export function within<T>(promise: Promise<T>, what: string, timeoutMs = 15_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** The first stop the car got after `since` (performance.now()), or undefined. */
export function stopAfter(car: ByteRecorder, since: number) {
  return car.bytes.find((b) => b.at >= since && isStop(b.value));
}

/** Waits for the car's first stop after `since` and returns how long after `since` it came. */
export async function stopLatency(car: ByteRecorder, since: number, what: string, timeoutMs = 15_000): Promise<number> {
  const stop = await car.waitFor(() => stopAfter(car, since), what, timeoutMs);
  return stop.at - since;
}

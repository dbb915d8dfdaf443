/**
 * The ghosts in the arena (docs/recording.md "Ghosts"): at most MAX_GHOSTS at once, each a simulated car
 * of its own (ghost.ts) that every page of a simulated car sees on its map (`ghosts` messages), and none
 * can drive: a ghost is no car of the fleet, so no seat, queue, page or command reaches it. Whoever starts
 * one gets its key, the one thing that removes it before its end (with --token, the token is needed too:
 * ghost-routes in src/recording/). Starts are rate-limited per address.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SYSTEM_CLOCK, type Clock, type ClockTimer } from '../../vehicle/index.js';
import type { CarWorld } from '../car/car-world.js';
import type { ClientSession } from '../connection/client-session.js';
import { FanOut } from '../connection/fan-out.js';
import type { Logger } from '../log.js';
import type { GhostCar, GhostsMessage } from '../protocol/messages.js';
import { Ghost, type GhostScript } from './ghost.js';

export type { GhostScript, GhostRun } from './ghost.js';

/** Ghosts at once: each is a simulator stepping 20 times a second and a line on every map. */
export const MAX_GHOSTS = 3;
/** Starts per address in START_WINDOW_MS. */
export const STARTS_PER_WINDOW = 6;
export const START_WINDOW_MS = 60_000;
/** The longest recording a ghost replays: a ghost holds one of the few places, so it must end. */
export const MAX_GHOST_MS = 10 * 60_000;
/** An ended ghost stays on the maps this long, stopped and marked ended, then goes. */
export const LINGER_MS = 3_000;
/** Poses go out at most this often (20 Hz), as the arena's do. */
const POSES_INTERVAL_MS = 50;
/** Ghosts' own colours: pale, so a ghost is never taken for one of the cars (car-colours.ts). */
const GHOST_COLOURS = ['#cfd8dc', '#d1c4e9', '#ffe0b2'];

export type GhostStart =
  | { ok: true; ghost: GhostCar; key: string }
  /** `status`: the HTTP status that says it (409 full, 429 too often, 413 too long, 503 no arena). */
  | { ok: false; status: number; message: string };

export type GhostRemoval = 'removed' | 'no-such-ghost' | 'wrong-key';

export interface GhostYardOptions {
  /** The simulated cars' worlds: their pages are the ghosts' audience. */
  sims: readonly CarWorld[];
  log: Logger;
  clock?: Clock;
}

interface Entry { ghost: Ghost; keyDigest: Buffer; linger: ClockTimer | null }

export class GhostYard {
  readonly #entries = new Map<string, Entry>();
  readonly #starts = new Map<string, number[]>();
  readonly #clock: Clock;
  readonly #fan = new FanOut();
  readonly #unlisten: Array<() => void>;
  #nextId = 1;
  #lastSent = -Infinity;
  #pending: ClockTimer | null = null;
  #closed = false;

  constructor(private readonly opts: GhostYardOptions) {
    this.#clock = opts.clock ?? SYSTEM_CLOCK;
    // A page that comes while ghosts run is told of them at once.
    this.#unlisten = opts.sims.map((world) => world.events.listen((event) => {
      if (event.kind !== 'client' || !event.joined || this.#entries.size === 0) return;
      const session = world.client(event.client);
      if (session && !session.camera) session.sendText(this.#json());
    }));
  }

  /** Every ghost now, as the pages see them. */
  list(): GhostCar[] {
    return [...this.#entries.values()].map((e) => e.ghost.listing());
  }

  /** The ghost named `id` (`ghost-3`), for a refusal that says what it is. */
  get(id: string): GhostCar | undefined {
    return this.#entries.get(id.toLowerCase())?.ghost.listing();
  }

  /** Puts a ghost in the arena driven by `script`, for a request from `address`; or says why not. */
  start(script: GhostScript, address: string): GhostStart {
    const refusal = this.#refusal(script, address);
    if (refusal !== null) return { ok: false, ...refusal };
    this.#starts.get(address)!.push(this.#clock.now());
    const id = `ghost-${this.#nextId++}`;
    const used = new Set(this.list().map((g) => g.colour));
    const colour = GHOST_COLOURS.find((c) => !used.has(c)) ?? GHOST_COLOURS[0];
    const ghost = new Ghost(id, colour, script, this.#clock);
    const key = randomBytes(18).toString('base64url');
    this.#entries.set(id, { ghost, keyDigest: digest(key), linger: null });
    ghost.driver.on('pose', this.#moved);
    ghost.start((fault) => this.#ended(id, fault)).catch((err: Error) => {
      this.opts.log.error('ghost_failed', { ghost: id }, `${id} could not start: ${err.message}`);
      void this.#drop(id);
    });
    this.opts.log.info('ghost_started', { ghost: id, address, durationMs: Math.round(script.durationMs) }, `${id}: ${script.label}`);
    this.#send();
    return { ok: true, ghost: ghost.listing(), key };
  }

  /** Removes a ghost before its end: only with the key its start answered with. */
  remove(id: string, key: string): GhostRemoval {
    const entry = this.#entries.get(id.toLowerCase());
    if (entry === undefined) return 'no-such-ghost';
    if (!timingSafeEqual(digest(key), entry.keyDigest)) return 'wrong-key';
    this.opts.log.info('ghost_removed', { ghost: entry.ghost.id });
    void this.#drop(entry.ghost.id);
    return 'removed';
  }

  /** Stops every ghost (the server closes). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const stop of this.#unlisten) stop();
    if (this.#pending !== null) this.#clock.clearTimeout(this.#pending);
    this.#fan.cancel();
    await Promise.all([...this.#entries.keys()].map((id) => this.#drop(id)));
  }

  #refusal(script: GhostScript, address: string): { status: number; message: string } | null {
    if (this.#closed) return { status: 503, message: 'the server is shutting down' };
    if (this.opts.sims.length === 0) {
      return { status: 503, message: 'this server has no simulated car, so no arena to show a ghost in (start it with a sim car: --car NAME=sim)' };
    }
    if (script.durationMs > MAX_GHOST_MS) {
      return { status: 413, message: `a ghost replays at most ${MAX_GHOST_MS / 60_000} minutes, and this recording is ${Math.round(script.durationMs / 1000)} s long` };
    }
    if (this.#entries.size >= MAX_GHOSTS) {
      return { status: 409, message: `${MAX_GHOSTS} ghosts are in the arena already, the most at once: remove one, or wait for one to end` };
    }
    const now = this.#clock.now();
    for (const [other, times] of this.#starts) if (now - times[times.length - 1] >= START_WINDOW_MS) this.#starts.delete(other); // bounded by the addresses of the last minute
    const recent = (this.#starts.get(address) ?? []).filter((t) => now - t < START_WINDOW_MS);
    this.#starts.set(address, recent);
    if (recent.length >= STARTS_PER_WINDOW) {
      const wait = Math.ceil((recent[0] + START_WINDOW_MS - now) / 1000);
      return { status: 429, message: `${STARTS_PER_WINDOW} ghosts a minute from one address at most: try again in ${wait} s` };
    }
    return null;
  }

  /** The script is over (or its world faulted), the car stopped: it stays LINGER_MS, marked ended, then goes. */
  #ended(id: string, fault: Error | null): void {
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    if (fault === null) this.opts.log.info('ghost_ended', { ghost: id });
    else this.opts.log.error('ghost_fault', { ghost: id }, `${id} ended, its car stopped: its own time went wrong (${fault.message})`);
    entry.linger = this.#clock.setTimeout(() => void this.#drop(id), LINGER_MS, { unref: true });
    this.#send();
  }

  async #drop(id: string): Promise<void> {
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    this.#entries.delete(id);
    if (entry.linger !== null) this.#clock.clearTimeout(entry.linger);
    entry.ghost.driver.off('pose', this.#moved);
    const closed = entry.ghost.close(); // the stop first, then the link
    if (!this.#closed) this.#send();
    await closed;
  }

  /** A ghost moved: the poses go out now, or at the end of this 50 ms. */
  readonly #moved = (): void => {
    if (this.#pending !== null || this.#closed) return;
    const wait = this.#lastSent + POSES_INTERVAL_MS - this.#clock.now();
    if (wait <= 0) return this.#send();
    this.#pending = this.#clock.setTimeout(() => {
      this.#pending = null;
      this.#send();
    }, wait, { unref: true });
  };

  #json(): string {
    const message: GhostsMessage = { type: 'ghosts', ghosts: this.list() };
    return JSON.stringify(message);
  }

  /** To every page of a simulated car (not its camera), a few at a time (fan-out.ts). */
  #send(): void {
    this.#lastSent = this.#clock.now();
    this.#fan.send(this.#json(), this.#audience());
  }

  *#audience(): Iterable<ClientSession> {
    for (const world of this.opts.sims) for (const session of world.clients()) if (!session.camera) yield session;
  }
}

/** Keys are compared as digests, in constant time whatever their length. */
function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

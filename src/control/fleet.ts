/**
 * The cars of one server, by name: each its own CarWorld (link, Driver, seat, clients), built here from
 * its config and checked first, so a typo or two cars on one port stop the start with a clear message.
 * One car failing, misbehaving or flooded never reaches another: they share nothing but the process.
 */
import {
  createCodec, createLink, Driver, formatLinkSpec, LISTENER_ERROR, parseLinkSpec, SimLink, type Link, type LinkAck, type LinkSpec, type RcAppCharmap,
} from '../vehicle/index.js';
import { gridSlot } from './track/circuit.js';
import { CarWorld } from './car/car-world.js';
import type { CarSummary } from './car/welcome.js';
import type { FaultInjection } from './fault-injection.js';
import { logLinkActivity } from './car/link-log.js';
import type { Logger } from './log.js';
import type { ClientSession } from './connection/client-session.js';
import type { IceGrant } from './video/ice-grants.js';
import type { CodecName, Limits } from './protocol/messages.js';

/** The name of the one car of a server started without a list of cars. */
export const DEFAULT_CAR_NAME = 'car';

/** Letters, digits, `-` and `_`, up to 32: safe in a URL path and a query without escaping. */
export const CAR_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/i;

/** One car: its name (in URLs: /car/NAME, /ws?car=NAME), where it is, and the protocol it speaks. */
export interface CarConfig {
  name: string;
  /** A link spec: sim, serial:PATH[@BAUD], tcp:HOST:PORT. */
  link: string;
  codec: CodecName;
  /** How the far end of the link answers (--link-ack; default 'none'). */
  ack?: LinkAck;
  /** The fastest speed step (1-15) this car is driven at, whatever a page or seed command asks
   *  (default the server's --max-speed, else 15). */
  maxSpeed?: number;
}

export interface FleetContext {
  limits: Limits;
  /** A write the link has not delivered within this long marks it lost (it reconnects, stop first). */
  linkTimeoutMs: number;
  /** Re-send a moving car's bytes this often (0: only on change); for sketch-side timeouts. */
  refreshMs: number;
  /** A car's speed ceiling when its config gives none (--max-speed; default 15). */
  maxSpeed?: number;
  authRequired: boolean;
  maxViewers: number;
  /** The ICE servers for a client that watches or is the camera (ice-grants.ts). */
  iceServers: (client: ClientSession) => IceGrant;
  /** With --sfu: Janus's HTTP API (video/sfu/). */
  sfu?: string;
  /** Offer drive channels (drive-channel/); false: drive input stays on the WebSocket. */
  driveChannels?: boolean;
  log: Logger;
  faults: FaultInjection | null;
  charmap?: RcAppCharmap;
}

/** Throws an Error naming the car and the field at fault; returns the parsed link specs in order. */
export function checkCars(cars: readonly CarConfig[]): LinkSpec[] {
  if (cars.length === 0) throw new Error('no cars configured');
  const names = new Set<string>();
  const devices = new Map<string, string>();
  return cars.map((car) => {
    if (!CAR_NAME_PATTERN.test(car.name)) {
      throw new Error(`car name '${car.name}' must be 1-32 letters, digits, '-' or '_' (it goes in URLs)`);
    }
    const key = car.name.toLowerCase();
    if (names.has(key)) throw new Error(`two cars are named '${car.name}'`);
    names.add(key);
    let spec: LinkSpec;
    try {
      spec = parseLinkSpec(car.link);
    } catch (err) {
      throw new Error(`car '${car.name}': ${(err as Error).message}`);
    }
    const device = deviceOf(spec);
    if (device !== null) {
      const other = devices.get(device);
      if (other !== undefined) throw new Error(`cars '${other}' and '${car.name}' are both on ${device}; each car needs its own link`);
      devices.set(device, car.name);
    }
    return spec;
  });
}

/** What two cars must not share: a serial device or a TCP endpoint (every sim car is its own). */
function deviceOf(spec: LinkSpec): string | null {
  switch (spec.kind) {
    case 'sim': return null;
    case 'serial': return `serial:${spec.path}`;
    case 'tcp': return formatLinkSpec({ ...spec, host: spec.host.toLowerCase() });
  }
}

export class Fleet {
  private readonly byName = new Map<string, CarWorld>();
  readonly first: CarWorld;

  /** `sims`: the names of the simulated cars, for the arena (circuit.ts grid, arena.ts). */
  constructor(readonly worlds: readonly CarWorld[], readonly sims: ReadonlySet<string> = new Set()) {
    for (const world of worlds) this.byName.set(world.name.toLowerCase(), world);
    this.first = worlds[0];
  }

  /** Builds every car's world from its config (checked with checkCars first). */
  static create(cars: readonly CarConfig[], watchdogMs: number, ctx: FleetContext): Fleet {
    const specs = checkCars(cars);
    const several = cars.length > 1;
    const sims = new Set<string>();
    return new Fleet(cars.map((car, i) => {
      const spec = specs[i];
      const log = several ? ctx.log.with({ car: car.name }) : ctx.log;
      let link: Link;
      if (spec.kind === 'sim') {
        // Every simulated car lives in the one arena, each on its own slot of the starting grid.
        link = new SimLink({ start: gridSlot(sims.size) });
        sims.add(car.name);
      } else {
        link = createLink(spec, { writeTimeoutMs: ctx.linkTimeoutMs, ack: car.ack });
      }
      logLinkActivity(link, log);
      const codec = createCodec(car.codec, ctx.charmap);
      const driver = new Driver({ link, codec, watchdogMs, refreshMs: ctx.refreshMs, maxSpeed: car.maxSpeed ?? ctx.maxSpeed });
      // A listener of ours that throws is contained by the emitter; say so, it is a bug.
      const report = (err: Error, event: string) => log.error('listener_failed', { event }, err.stack ?? err.message);
      link.on(LISTENER_ERROR, report);
      driver.on(LISTENER_ERROR, report);
      return new CarWorld({
        name: car.name, driver, link, codec: car.codec, accessories: codec.accessories ?? [], linkKind: spec.kind, limits: ctx.limits, log,
        faults: ctx.faults, authRequired: ctx.authRequired, maxViewers: ctx.maxViewers, iceServers: ctx.iceServers,
        driveChannels: ctx.driveChannels, sfu: ctx.sfu,
      });
    }), sims);
  }

  get(name: string): CarWorld | undefined {
    return this.byName.get(name.toLowerCase());
  }

  get names(): string[] {
    return this.worlds.map((w) => w.name);
  }

  get clientCount(): number {
    return this.worlds.reduce((n, w) => n + w.clientCount, 0);
  }

  summaries(): CarSummary[] {
    return this.worlds.map((w) => w.summary());
  }

  /** Starts every car's link; a car that cannot be reached keeps retrying on its own. */
  async start(): Promise<void> {
    await Promise.all(this.worlds.map((w) => w.driver.start()));
  }

  emergencyStop(): void {
    for (const world of this.worlds) world.emergencyStop();
  }

  async close(): Promise<void> {
    await Promise.all(this.worlds.map((w) => w.close()));
  }
}

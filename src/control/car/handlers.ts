/**
 * What each message of a car's client does (the table dispatch.ts routes every message through), and the
 * refusals a drive or a stop meets on its way to the car: only the driver may go, anyone allowed to drive
 * may stop, a held car refuses drive demands (hold-gate.ts), a stick must be seen at centre first
 * (rearm-gate.ts), a timed command holds at most limits.maxHoldMs. CarWorld (car-world.ts) gives the parts
 * (CarParts); what passes is handed to its Driver there (give).
 */
import type { Demand, Driver, Link } from '../../vehicle/index.js';
import { switchAccessory } from './accessory.js';
import type { Audience } from './audience.js';
import type { Handlers, RaceDesk } from './dispatch.js';
import type { HoldGate } from './hold-gate.js';
import type { RearmGate } from './rearm-gate.js';
import type { Seating } from './seating.js';
import type { ClientSession } from '../connection/client-session.js';
import { may } from '../connection/policy.js';
import type { DriveChannels } from '../drive-channel/drive-channels.js';
import type { FaultInjection } from '../fault-injection.js';
import type { Logger } from '../log.js';
import { isSeedCommand, type AccessoryName, type ClientMessage, type LastCommand } from '../protocol/messages.js';
import type { CameraRelay } from '../video/camera-relay.js';

/** The parts of one car the handlers work with. */
export interface CarParts {
  name: string;
  driver: Driver;
  link: Link;
  accessories: readonly AccessoryName[];
  maxHoldMs: number;
  faults?: FaultInjection | null;
  log: Logger;
  sessions: Audience;
  seat: Seating;
  camera: CameraRelay;
  channels: DriveChannels;
  rearm: RearmGate;
  holdGate: HoldGate;
  /** Timed commands cut to maxHoldMs: the end of one is the server's stop, not the driver's. */
  clamped: WeakSet<Demand>;
  /** The server's raceway, once it took the car. */
  races(): RaceDesk | null;
  /** Hands a checked demand to the Driver and reports what happened. */
  give(session: ClientSession, ref: LastCommand, demand: Demand): void;
  /** The server's own stop. */
  stopCar(): void;
}

type SeedDemand = ReturnType<ClientSession['seed']['toDemand']>;

/** Every message a client of this car may send, and what it does (dispatch.ts). */
export function carHandlers(car: CarParts): Handlers {
  const { seat, camera, channels } = car;
  return {
    seedCommand: (session, msg) => {
      if (msg.command === 'stop') return stopBy(car, session, 'stop');
      return drive(car, session, msg.command, () => limitHold(car, session, session.seed.toDemand(msg), msg.command));
    },
    drive: (session, msg) => drive(car, session, 'drive', () => ({ kind: 'analog', x: msg.x, y: msg.y })),
    stop: (session) => stopBy(car, session, 'stop'),
    ping: (session, msg) => {
      car.faults?.onPing(msg.id, car.link);
      session.send({ type: 'pong', id: msg.id, serverTime: Date.now() });
    },
    auth: (session, msg) => {
      if (session.authenticate(msg.token) === 'ok') seat.authorize(session);
    },
    claim: (session) => seat.claim(session, car.stopCar),
    release: (session) => seat.release(session, car.stopCar),
    resume: (session, msg) => seat.resume(session, msg.token),
    'camera-on': (session) => camera.cameraOn(session),
    'camera-off': (session) => camera.cameraOff(session),
    watch: (session) => camera.watch(session),
    unwatch: (session) => camera.unwatch(session),
    signal: (session, msg) => camera.signal(session, msg),
    channel: (session, msg) => channels.signal(session, msg),
    accessory: (session, msg) => switchAccessory(session, msg, { seat, driver: car.driver, accessories: car.accessories }),
    'race-start': (session, msg) => car.races()?.race(car.name, session, msg),
    'race-end': (session, msg) => car.races()?.race(car.name, session, msg),
    'lap-mark': (session, msg) => car.races()?.race(car.name, session, msg),
    'race-best-lap': (session) => car.races()?.bestLap(car.name, session),
    name: (session, msg) => {
      car.races()?.name(session, msg.name);
      seat.namesChanged();
    },
  };
}

/**
 * A stop that came beyond its client's message rate is never dropped while it would stop something:
 * the car moving (or anything but our stop on the wire), or the driver giving up its seat. Otherwise it
 * is dropped unanswered: a flood of stops then costs no write, reply, log line or recorded event.
 */
export function stopStillActs(car: CarParts, session: ClientSession, msg: ClientMessage): boolean {
  if (!isSeedCommand(msg) && msg.type === 'release') return car.seat.driver === session.id;
  return may(session, 'stop', { driver: car.seat.driver }) === null && car.driver.state.link === 'connected' && !car.driver.holdsStop;
}

function drive(car: CarParts, session: ClientSession, ref: LastCommand, demand: () => Demand): void {
  const refusal = may(session, 'drive', { driver: car.seat.driver });
  if (refusal) return session.error(refusal.code, refusal.message, ref);
  car.seat.noteActivity(session.id);
  let wanted: Demand;
  try {
    wanted = demand();
  } catch (err) {
    return session.error('invalid_message', (err as Error).message, ref);
  }
  if (car.holdGate.refuses(session, ref)) return;
  if (car.rearm.admits(session, wanted, ref)) car.give(session, ref, wanted);
}

/** Anyone allowed to drive may stop the car, driver or not: stopping is always safe. */
function stopBy(car: CarParts, session: ClientSession, ref: LastCommand): void {
  const driverId = car.seat.driver;
  const refusal = may(session, 'stop', { driver: driverId });
  if (refusal) return session.error(refusal.code, refusal.message, ref);
  const driver = driverId === null ? undefined : car.sessions.get(driverId);
  if (driverId === session.id) {
    car.seat.noteActivity(session.id);
    car.rearm.clear();
  } else if (driver && car.driver.state.direction !== 'stop') {
    car.rearm.disarm(driver, 'stopped_by_other', `${session.id} stopped the car`, { ref }); // it may still be holding the stick
  }
  car.log.info('stopped', { client: session.id, driver: driverId !== session.id ? driverId : undefined });
  car.give(session, ref, { kind: 'command', name: 'stop' });
}

/** A timed command holds at most maxHoldMs: a page that freezes must not leave the car going. */
function limitHold(car: CarParts, session: ClientSession, demand: SeedDemand, ref: string): Demand {
  const max = car.maxHoldMs;
  if (!('durationMs' in demand) || demand.durationMs <= max) return demand;
  session.notice('duration_clamped',
    `held for ${max / 1000} s, the server's limit (asked for ${demand.durationMs / 1000} s)`, ref);
  const cut = { ...demand, durationMs: max };
  car.clamped.add(cut);
  return cut;
}

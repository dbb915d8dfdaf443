/**
 * What a car tells of itself: the `welcome` a new connection hears first, the `state` every client hears
 * when it changes, and its line in `GET /api/cars` (CarSummary). Built here from the car's parts;
 * car-world.ts sends them.
 */
import type { Driver, VehicleState as CarState } from '../../vehicle/index.js';
import { isMarshal } from '../connection/marshal.js';
import type { ClientSession } from '../connection/client-session.js';
import {
  PROTOCOL_VERSION,
  type AccessoryName, type CarListing, type CodecName, type LastCommand, type Limits, type LinkKind, type VehicleState, type VideoStatus, type WelcomeMessage,
} from '../protocol/messages.js';
import type { Seating } from './seating.js';

/** What a car says of itself in `GET /api/cars`; raceway.ts adds its colour and driver's name (CarListing). */
export type CarSummary = Omit<CarListing, 'colour' | 'driverName'>;

/** What a car is, as its welcome tells it (CarWorldOptions' fields of the same names). */
export interface CarFacts {
  codec: CodecName;
  linkKind: LinkKind;
  accessories: readonly AccessoryName[];
  limits: Limits;
  authRequired: boolean;
}

/** The state every client hears: the car's motion and link, the last command and the seat. */
export function carState(car: CarState, lastCommand: LastCommand | null, seat: Seating): VehicleState {
  return {
    direction: car.direction, speed: car.speed, byte: car.byte, lastCommand, link: car.link,
    driver: seat.driver, reserved: seat.reserved, spectators: seat.spectators,
  };
}

/** The first message a freshly attached client hears. */
export function welcomeFor(session: ClientSession, facts: CarFacts, now: { seat: Seating; driver: Driver; state: VehicleState; video: VideoStatus }): WelcomeMessage {
  return {
    type: 'welcome', protocol: PROTOCOL_VERSION, clientId: session.id, role: now.seat.roleOf(session.id),
    authRequired: facts.authRequired, authenticated: session.auth.authenticated, marshal: isMarshal(session, facts.authRequired),
    vehicle: { codec: facts.codec, link: facts.linkKind, accessories: [...facts.accessories], maxSpeed: now.driver.maxSpeed }, limits: facts.limits, state: now.state,
    resumeToken: session.resumeToken, nameKey: session.nameKey, video: now.video,
  };
}

/**
 * Who may do what to a car: the one place that asks "is this the driver, with the token?" (docs/safety.md:
 * anyone allowed to drive may stop, only the driver may go; docs/video.md: only a camera page with the
 * token is the camera; docs/races.md "Who runs a race"). `may` answers null when the client may, or the
 * refusal to send it: its code and its words.
 */
import { isMarshal, type MarshalCandidate } from './marshal.js';

export type Action = 'drive' | 'stop' | 'accessory' | 'camera-on' | 'race';

export interface Refusal {
  code: 'unauthorized' | 'not_driver';
  message: string;
}

export interface Asker extends MarshalCandidate {
  id: string;
  /** A camera page (`role=camera`). */
  camera: boolean;
}

/** What the rules need to know of the car. */
export interface CarStanding {
  /** The car's driver's client id, or null when the seat is empty. */
  driver: string | null;
  /** A token is set (races: its holders marshal, and nobody else runs them). */
  authRequired?: boolean;
  /** Races: the car is in the race, or none runs yet (before go, any car's driver may start one). */
  inRace?: boolean;
}

const NEEDS_TOKEN = 'send {"type":"auth","token":...}';

export function may(asker: Asker, action: Action, car: CarStanding): Refusal | null {
  const { authenticated } = asker.auth;
  const drives = car.driver === asker.id;
  switch (action) {
    case 'drive':
      if (drives) return null;
      return authenticated
        ? { code: 'not_driver', message: 'spectators cannot drive; send claim to ask for the seat' }
        : { code: 'unauthorized', message: `driving needs the token: ${NEEDS_TOKEN}` };
    case 'accessory':
      if (drives) return null;
      return authenticated
        ? { code: 'not_driver', message: 'only the driver may use the lights and horn' }
        : { code: 'unauthorized', message: `the lights and horn need the token: ${NEEDS_TOKEN}` };
    case 'stop':
      return authenticated ? null : { code: 'unauthorized', message: `stopping needs the token: ${NEEDS_TOKEN}` };
    case 'camera-on':
      // Asked in this order, so a client that may not be the camera learns nothing more.
      if (!asker.camera) return { code: 'unauthorized', message: 'only a camera page may be the camera: connect with ?role=camera' };
      return authenticated ? null : { code: 'unauthorized', message: `being the camera needs the token: ${NEEDS_TOKEN}` };
    case 'race':
      if (isMarshal(asker, car.authRequired ?? false)) return null;
      if (car.authRequired) return { code: 'unauthorized', message: `races need the token, as driving does: ${NEEDS_TOKEN}` };
      if (drives && (car.inRace ?? false)) return null;
      return {
        code: 'not_driver',
        message: 'races are run by the drivers of the cars (of the cars in it, once it runs) and a marshal: a page on the server\'s own machine',
      };
  }
}

/**
 * What `/api/recordings` answers (http.ts), as types only and importing only types the browser may see,
 * so the recordings page (web/recordings/) checks against the very same definitions the server sends by.
 */
import type { Circuit } from '../control/protocol/messages.js';

/** One point of a simulated track: milliseconds into the recording, metres, radians; `placed`: the car
 *  was put here (a race's grid slot), not driven here. */
export interface TrackPoint { t: number; x: number; y: number; heading: number; placed?: true }


export interface RecordingSummary {
  name: string;
  size: number;
  car: string | null;
  codec: string | null;
  link: string | null;
  /** Who held the seat: the name each gave (its `name` message in the file), else its client id; once
   *  each (a resume brings a new client id, and the same name). */
  drivers: string[];
  started: string | null;
  part: number;
  /** From the header to the last line. */
  durationMs: number;
  /** How far the bytes sent would take the simulated car (for a real car: what the simulator makes of them). */
  distanceM: number;
  writes: number;
  /** The end line is there and everything before it is sound. */
  complete: boolean;
  /** No end line, everything before sound, and no server of this run writing it: the server was killed or
   *  the power went. It replays up to its last sound line (durationMs). */
  cutShort: boolean;
  /** No end line yet: this server is still recording the session. */
  inProgress: boolean;
  endReason: string | null;
  /** Why the file cannot be replayed (a corrupt line, with its line number); null when it can. */
  problem: string | null;
}

export interface Track {
  /** The simulator's path for the bytes of the recording, from the recorded start pose. */
  points: TrackPoint[];
  distanceM: number;
  /** The poses the simulated car reported while recording (empty for a real car). */
  recorded: TrackPoint[];
  /** The circuit a simulated car drove in (every simulated car shares the arena's); null for a real car. */
  circuit: Circuit | null;
}

/**
 * What `/api/recordings` answers (http.ts), as types only and importing nothing, so the recordings page
 * (web/recordings/) checks against the very same definitions the server sends by.
 */

/** One point of a simulated track: milliseconds into the recording, metres, radians. */
export interface TrackPoint { t: number; x: number; y: number; heading: number }

export interface RecordingSummary {
  name: string;
  size: number;
  car: string | null;
  codec: string | null;
  link: string | null;
  /** Every client that held the seat (one person; a resume brings a new client id). */
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
  endReason: string | null;
  /** Why the file is not complete, with its line. */
  problem: string | null;
}

export interface Track {
  /** The simulator's path for the bytes of the recording, from the recorded start pose. */
  points: TrackPoint[];
  distanceM: number;
  /** The poses the simulated car reported while recording (empty for a real car). */
  recorded: TrackPoint[];
}

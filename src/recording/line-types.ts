/**
 * The recording format's lines (format.ts; docs/recording.md is their prose), as types only. It imports
 * only types the browser may see (control/messages.ts, vehicle/demand.ts, vehicle/kinematics.ts), so the
 * recordings page (web/recordings/lines.ts) reads files by the very definitions the server writes them by.
 */
import type { ClientMessage, CodecName, ErrorCode, LinkKind, LinkState } from '../control/protocol/messages.js';
import type { Demand } from '../vehicle/demand.js';
import type { Pose } from '../vehicle/kinematics.js';

/** The first line of every file. */
export interface RecordingHeader {
  format: 'webracer-recording';
  version: number;
  car: string;
  codec: CodecName;
  link: LinkKind;
  /** `webracer <version>` from package.json. */
  server: string;
  /** Wall-clock time (ISO 8601, UTC) at t = 0. */
  started: string;
  /** The server's monotonic clock (performance.now(), ms) at t = 0: orders the files of one server run. */
  clock: number;
  /** Names the session; every part of it has the same. */
  session: string;
  /** 1, then 2, 3 ... when a session outgrows the file limit and continues in a new file. */
  part: number;
  /** The client in the seat at t = 0. */
  driver: string;
  /** The server's limits the Driver ran with (a replay uses the same); refreshMs: --link-refresh-ms;
   *  maxSpeed: the car's speed ceiling (--max-speed), only when it had one (absent: 15). */
  limits: { watchdogMs: number; maxHoldMs: number; refreshMs: number; maxSpeed?: number };
  linkState: LinkState;
  /** The simulated car's pose at t = 0; null for a real car. */
  pose: Pose | null;
}

export type EndReason = 'seat' | 'server-stopped' | 'file-limit';

export type RecordingLine =
  /** Who holds the seat now (null when empty); `reserved` while it waits for a departed driver's resume. */
  | { t: number; kind: 'seat'; driver: string | null; reserved: boolean }
  /** A message the driver sent that the car took: the fields its schema names, secrets removed. */
  | { t: number; kind: 'message'; client: string; message: ClientMessage }
  /** A message of the driver's refused with an error reply (other clients' refusals are only counted). */
  | { t: number; kind: 'refusal'; client: string; code: ErrorCode; ref?: string }
  /** A demand handed to the Driver; client null when the server gave it (the stop when a driver left). */
  | { t: number; kind: 'demand'; client: string | null; demand: Demand }
  /** Bytes written to the car's link, in hex. */
  | { t: number; kind: 'write'; bytes: string }
  | { t: number; kind: 'link'; state: LinkState }
  /** The Driver's watchdog stopped the car (analog input went quiet). */
  | { t: number; kind: 'watchdog' }
  /** A timed command's hold ended; the Driver stopped the car. */
  | { t: number; kind: 'hold-expired' }
  /** The simulated car's pose, at most 20 a second (and the pose at rest). */
  | { t: number; kind: 'pose'; pose: Pose }
  /** Since version 2: a race held the car for its countdown (its driver's drive demands refused; a moving
   *  car's stop is the server's demand line that follows). */
  | { t: number; kind: 'hold'; reason: string }
  /** Since version 2: the hold lifted (the race went, or was called off). */
  | { t: number; kind: 'release' }
  /** Since version 2: the server put the simulated car here, at rest (a race's grid slot). */
  | { t: number; kind: 'place'; pose: Pose }
  /** Pose lines left out since the last such line because the disk was slower than the car. */
  | { t: number; kind: 'dropped'; poses: number }
  /** The last line. `lost`: command or byte lines that could not be kept (a stalled disk), making the
   *  file unfit for replay; `pose`: the simulated car's pose at the end; `refused`: messages of other
   *  clients refused meanwhile (optional: files before it have none). */
  | { t: number; kind: 'end'; reason: EndReason; pose: Pose | null; droppedPoses: number; lost: number; refused?: number };

export type LineKind = RecordingLine['kind'];

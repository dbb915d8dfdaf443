/** The control server's options (contract C); the CLI builds them from its flags. */
import type { CodecName, LinkAck, RcAppCharmap } from '../vehicle/index.js';
import type { ServerAddOn } from './add-on.js';
import type { CarConfig } from './fleet.js';
import type { Logger } from './log.js';
import type { IceServer } from './protocol/messages.js';

export interface ControlOptions {
  port: number; host: string; // port 0 = ephemeral (tests)
  /** The one car when `cars` is not given (named `car`). */
  link: string; codec: CodecName; watchdogMs: number;
  /** Several cars; the first is the one `/ws` and the seed's page drive unless `seedCar` says otherwise. */
  cars?: CarConfig[];
  /** The car that seed-era pages (`/` and `--ws-port`) drive (default: the first). */
  seedCar?: string;
  /** An extra WebSocket-only listener (seed pages use 9876), on the same host. */
  wsPort?: number;
  /** With a token, only clients that present it may drive. */
  token?: string;
  /** Extra page origins allowed to open a WebSocket (exact scheme://host[:port]). */
  allowOrigins?: string[];
  /** File paths: serve https and wss. The files are watched: a renewed pair is taken without a restart. */
  tlsCert?: string; tlsKey?: string;
  /** Serve https and wss with a certificate made for this machine and kept in `dataDir` (self-signed.ts). */
  tls?: 'self-signed';
  /**
   * Where what must outlive a run is kept: the self-signed certificate (default: the user's configuration
   * folder, data-dir.ts) and the best laps (default: none kept across a restart; the CLI gives the user's
   * configuration folder, so a test's server never writes there).
   */
  dataDir?: string;
  /** How often the --tls-cert/--tls-key files are checked for a change (default 2000 ms). */
  tlsCheckIntervalMs?: number;
  /** The page's folder; default dist/web of this package. */
  staticDir?: string;
  /** Drive messages per second per client (default 60). */
  driveRatePerSecond?: number;
  /** How long a driver must be idle before a claim takes the seat (default 15 000 ms). */
  idleTakeoverMs?: number;
  /** Connections at once (default 64); more get HTTP 503 at the upgrade. */
  maxClients?: number;
  /** Viewers each car's camera serves at once (default 4: the camera's phone encodes once per viewer). */
  maxViewers?: number;
  /** Janus's HTTP API (--sfu janus:URL): the car's video goes through its VideoRoom, peer to peer while it is away. */
  sfu?: string;
  /** ICE servers (stun:/turn: URLs with credentials) handed to the pages for video over the internet. */
  iceServers?: IceServer[];
  /**
   * The secret shared with the TURN server (coturn's static-auth-secret): a TURN server in iceServers
   * without credentials gets ones minted for each page, valid for a day (turn-credentials.ts).
   */
  turnSecret?: string;
  /** Offer drive channels (WebRTC data channels for drive input, docs/protocol.md "Drive channel"); default true. */
  driveChannels?: boolean;
  /** Largest accepted WebSocket message (default 16 KiB, room for a video offer; larger: close 1009). */
  maxMessageBytes?: number;
  /** The longest a timed (seed) command may hold the car (default 2000 ms); longer ones are clamped. */
  maxHoldMs?: number;
  /** A write to the car's link that has not drained within this long marks the link lost (default 1000 ms). */
  linkTimeoutMs?: number;
  /** How the one car's link answers (--link-ack; with `cars`, each car says its own). Default 'none'. */
  linkAck?: LinkAck;
  /** A driver not heard from (no message, no pong) for this long is dropped (default 5000 ms). */
  driverSilenceMs?: number;
  /** How long a departed driver's seat waits for its resume token (default 10 000 ms; 0: not at all). */
  resumeWindowMs?: number;
  /** The fastest speed step (1-15) any car is driven at, unless its CarConfig gives its own (default 15). */
  maxSpeed?: number;
  /** Re-send a moving car's bytes every N ms (default 0: only when they change). */
  linkRefreshMs?: number;
  /** Connections at once from one address (default 16); more get HTTP 503 at the upgrade. */
  maxClientsPerAddress?: number;
  /** The rc-app codec's characters when a car's app uses others (--charmap; default the common app's). */
  charmap?: RcAppCharmap;
  /** Ping clients idle this long, drop those still silent an interval later (default 30 000 ms; 0: off). */
  heartbeatMs?: number;
  /** Wired in from outside control (e.g. the session recorder); see add-on.ts. */
  addOns?: ServerAddOn[];
  /** Where the server reports connections and problems (never the token): a Logger (log.ts), or a plain
   *  line sink. Default: silent. */
  log?: Logger | ((line: string) => void);
}

/** The defaults of the optional limits above, for the server and the CLI's usage. */
export const DEFAULT_LIMITS = {
  driveRatePerSecond: 60, idleTakeoverMs: 15_000, maxClients: 64, driverSilenceMs: 5_000,
  resumeWindowMs: 10_000, heartbeatMs: 30_000,
} as const;

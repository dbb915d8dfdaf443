// The page's view of the wire protocol (docs/protocol.md). The types are the server's own
// (src/control/protocol/messages.ts), imported as types only so nothing of the server lands in the bundle
// (besides the subprotocol names: that file imports nothing, and the bundler keeps only what is used).
import type { ClientMessage, ServerMessage } from '../src/control/protocol/messages.js';

export { NAME_KEY_SUBPROTOCOL_PREFIX, RESUME_SUBPROTOCOL_PREFIX, SUBPROTOCOL, TOKEN_SUBPROTOCOL_PREFIX } from '../src/control/protocol/messages.js';
export type {
  ClientMessage, ServerMessage, SeedCommand, VehicleState, Pose, Role, LinkKind, Limits, WelcomeMessage,
  ErrorMessage, NoticeMessage, VideoStatus, IceServer, IceCandidate, SessionDescription, SignalRelayMessage,
  ViewingMessage, ViewerMessage, IceServersMessage, ArenaCar, Circuit, Gate, LapsMessage, RaceMessage, Standing, CarListing, QueueMessage,
  ChannelSignalMessage, GhostCar, BestLapMessage,
} from '../src/control/protocol/messages.js';
export { DISARM_CODES, MAX_NAME_CHARS, MAX_RACE_LAPS } from '../src/control/protocol/messages.js';

const SERVER_TYPES = new Set([
  'welcome', 'state', 'telemetry', 'role', 'pong', 'error', 'notice', 'video', 'viewing', 'viewer', 'signal', 'ice-servers',
  'arena', 'poses', 'laps', 'race', 'queue', 'channel', 'ghosts', 'best-lap',
]);

/**
 * Reads one text frame from the server. The server is trusted to follow the protocol, but a proxy or a
 * newer server may send something else: anything that is not a known message object is ignored (null)
 * rather than allowed to throw inside the socket's event handler.
 */
export function parseServerMessage(text: string): ServerMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const type = (value as { type?: unknown }).type;
  return typeof type === 'string' && SERVER_TYPES.has(type) ? (value as ServerMessage) : null;
}

export function encode(message: ClientMessage): string {
  return JSON.stringify(message);
}

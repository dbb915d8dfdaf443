/**
 * Where ICE servers and TURN credentials may go (docs/protocol.md, "ICE servers come with video, never
 * with welcome"; issue 18 item 7): never in `welcome`; an `ice-servers` message only to a client that
 * asked for video (`watch`: anyone may) or whose `camera-on` is accepted; and credentials minted from
 * --turn-secret (user `<expiry>:<client id>`) only for the client they are sent to.
 */

interface IceServerEntry { urls?: unknown; username?: unknown; credential?: unknown }

export interface IceAsker {
  clientId: string;
  /** It sent `watch`. */
  sentWatch: boolean;
  /** It sent `camera-on` and the server would take it as the camera. */
  mayBeCamera: boolean;
}

/** What is wrong with where this message's ICE servers went, or null. */
export function iceProblem(m: { type?: unknown; iceServers?: unknown }, asker: IceAsker): string | null {
  if (m.type === 'welcome') return m.iceServers === undefined ? null : 'got ICE servers in its welcome';
  if (m.type !== 'ice-servers') return null;
  if (!asker.sentWatch && !asker.mayBeCamera) return 'got ICE servers without asking for video (watch) or being accepted as the camera';
  const servers = Array.isArray(m.iceServers) ? (m.iceServers as IceServerEntry[]) : [];
  const foreign = servers.find((s) => mintedFor(s) !== null && mintedFor(s) !== asker.clientId);
  return foreign === undefined ? null : `got TURN credentials minted for ${mintedFor(foreign)}, not for itself (${asker.clientId})`;
}

/** The client a minted credential names (`<expiry seconds>:<client id>`), or null for a fixed one. */
function mintedFor(s: IceServerEntry): string | null {
  if (s.credential === undefined || typeof s.username !== 'string') return null;
  return /^\d+:(.+)$/.exec(s.username)?.[1] ?? null;
}

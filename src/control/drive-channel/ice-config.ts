/**
 * The ICE servers a page is told of (protocol IceServer: `urls`, `username`, `credential`, as
 * --ice-server and --turn-secret make them, video/ice-servers.ts) in node-datachannel's form. Its string
 * form puts the user in the URL, and a minted TURN user has a colon in it (`expiry:client`), so every
 * server goes as an object.
 */
import type { IceServer as LibIceServer, RelayType } from 'node-datachannel';
import type { IceServer } from '../protocol/messages.js';

const DEFAULT_PORT: Record<string, number> = { stun: 3478, turn: 3478, turns: 5349 };

/** One protocol IceServer as node-datachannel takes it; null for a URL it cannot be (never thrown). */
export function libIceServer(server: IceServer): LibIceServer | null {
  const m = /^(stuns?|turns?):(\[[^\]]+\]|[^:?]+)(?::(\d+))?(?:\?transport=(udp|tcp))?$/i.exec(server.urls);
  if (!m) return null;
  const scheme = m[1].toLowerCase();
  const hostname = m[2].replace(/^\[|\]$/g, '');
  const port = m[3] === undefined ? DEFAULT_PORT[scheme] ?? 3478 : Number(m[3]);
  if (!scheme.startsWith('turn')) return { hostname, port };
  const relayType: RelayType = scheme === 'turns' ? 'TurnTls' : m[4]?.toLowerCase() === 'tcp' ? 'TurnTcp' : 'TurnUdp';
  return { hostname, port, username: server.username ?? '', password: server.credential ?? '', relayType };
}

export function libIceServers(servers: readonly IceServer[]): LibIceServer[] {
  return servers.map(libIceServer).filter((s): s is LibIceServer => s !== null);
}

/**
 * The servers the server's own end of a channel gathers with: STUN only, never TURN. Relaying is the
 * page's to do (it is given every server, TURN included); a relayed page reaches our host or
 * server-reflexive candidate through its TURN server. Our end relaying too would add a hop, and with a
 * relayed local candidate node-datachannel 0.33 (libdatachannel with libjuice) can deadlock two of its
 * threads during the DTLS handshake (libdatachannel #1630 and #1538, both relay-only): the next call into
 * that peer connection, even close(), then blocks the event loop, and with it every watchdog and stop.
 * Seen in test/web/drive-channel-relay.test.ts (gdb: juice poll thread in DtlsTransport::handleTimeout,
 * an RTC worker in agent_send, the main thread in PeerConnection::close).
 */
export function ownIceServers(servers: readonly IceServer[]): LibIceServer[] {
  return libIceServers(servers).filter((server) => server.relayType === undefined);
}

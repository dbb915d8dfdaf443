/**
 * `--ice-server URL`: a STUN or TURN server for the pages' WebRTC connections, for video over the
 * internet (on a LAN, host candidates are enough and none is needed). A TURN server's credentials go in
 * the URL, `turn:USER:PASS@HOST[:PORT][?transport=udp|tcp]` (percent-encode an `@` or `:` in them),
 * and are split out into the RTCIceServer fields browsers take; or, with `--turn-secret`, the URL has
 * none and each page gets its own, time-limited (turn-credentials.ts).
 */
import { isIP } from 'node:net';
import type { IceServer } from '../protocol/messages.js';
import { schemeOf } from '../redact.js';

const HOST = /^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?)(:(\d{1,5}))?$/i;

/** The RTCIceServer for one URL; throws an Error that says what is wrong with it. */
export function parseIceServer(url: string): IceServer {
  const scheme = /^(stun|turns?):/i.exec(url)?.[1].toLowerCase();
  if (scheme === undefined) {
    const given = schemeOf(url); // only that: a value without a scheme may be nothing but a password
    throw new Error(`must start with stun:, turn: or turns:${given === undefined ? '' : `, got '${given}:...'`}`);
  }
  // The user name and password end at the last '@' (one typed without %-escapes may hold a '?' or an
  // '@'); only then the query, after the host. What follows an '@' may be quoted; without one, a
  // "host:port" may be a user name and password that lost their host, and nothing of it is quoted.
  const rest = url.slice(scheme.length + 1);
  const at = rest.lastIndexOf('@');
  const userinfo = at < 0 ? null : rest.slice(0, at);
  let hostPort = rest.slice(at + 1);
  let query = '';
  const q = hostPort.indexOf('?');
  if (q >= 0) {
    query = hostPort.slice(q);
    hostPort = hostPort.slice(0, q);
  }
  const host = HOST.exec(hostPort);
  if (!host || (host[1].startsWith('[') && isIP(host[1].slice(1, -1)) !== 6)) {
    throw new Error(`what follows ${scheme}: is not HOST or HOST:PORT (an IPv6 address in brackets; a user name and password go before an '@')`);
  }
  const quotable = userinfo !== null;
  if (host[4] !== undefined && (Number(host[4]) < 1 || Number(host[4]) > 65535)) {
    throw new Error(`${quotable ? `port ${host[4]}` : 'the port'} is not between 1 and 65535`);
  }
  if (scheme === 'stun') {
    if (userinfo !== null) throw new Error('a STUN server takes no credentials (they are for turn: and turns:)');
    if (query) throw new Error(`a stun: URL takes no ${quotable ? `'${query}'` : '?...'} after the host`);
    return { urls: `stun:${hostPort}` };
  }
  if (query && !/^\?transport=(udp|tcp)$/i.test(query)) {
    throw new Error(`${quotable ? `'${query}'` : 'what follows the host'} is not ?transport=udp or ?transport=tcp`);
  }
  // None at all: minted per page from --turn-secret (the options' check says so when there is none).
  if (userinfo === null) return { urls: `${scheme}:${hostPort}${query.toLowerCase()}` };
  const colon = userinfo.indexOf(':');
  if (colon <= 0 || colon === userinfo.length - 1) {
    throw new Error(`a TURN server needs a user name and a password: ${scheme}:USER:PASS@${hostPort} (or none, with --turn-secret)`);
  }
  return { urls: `${scheme}:${hostPort}${query.toLowerCase()}`, username: decode(userinfo.slice(0, colon)), credential: decode(userinfo.slice(colon + 1)) };
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new Error('the user name or password has a broken %-escape');
  }
}

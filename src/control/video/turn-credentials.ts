/**
 * Time-limited TURN credentials, minted for one client from a secret shared with the TURN server: the
 * "TURN REST API" scheme (draft-uberti-behave-turn-rest-00, §2.2) that coturn implements as
 * `use-auth-secret` with `static-auth-secret`. The user name is `<expiry in Unix seconds>:<client id>`
 * and the password base64(HMAC-SHA1(secret, user name)); the TURN server recomputes the HMAC with the
 * same secret and refuses a name whose time has passed. So what a page receives is of use for minutes and
 * then to nobody, and the TURN server's log names the client it was minted for, where a fixed TURN
 * password handed to every page would be anyone's for good. Who gets them, and how often: ice-grants.ts.
 */
import { createHmac } from 'node:crypto';
import type { IceServer } from '../protocol/messages.js';

/**
 * How long minted credentials last: 10 minutes. A TURN server checks them when an allocation is made, not
 * while it lives (coturn keeps a relay going past the expiry), and our pages make one per RTCPeerConnection:
 * each new connection to a viewer, each one offered again after a failure. So they need to outlive only
 * the gap between the page's asks: it asks again two minutes before they expire (web/ice-renewal.ts), and
 * a name lifted from a page is of use to a stranger for minutes, not the draft's suggested day. The minutes
 * of margin also absorb a clock a little off between this machine and the TURN server.
 */
export const TURN_CREDENTIAL_TTL_S = 10 * 60;

export function turnCredentials(secret: string, clientId: string, nowMs: number, ttlS = TURN_CREDENTIAL_TTL_S): { username: string; credential: string } {
  const username = `${Math.floor(nowMs / 1000) + ttlS}:${clientId}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

/** Whether a configured server gets its credentials minted: a TURN URL given without USER:PASS. */
export function mintsCredentials(server: IceServer): boolean {
  return /^turns?:/.test(server.urls) && server.username === undefined;
}

/** A browser refuses a TURN server without credentials, and a secret with nothing to mint for is a mistake. */
export function checkTurn(servers: readonly IceServer[], secret: string | undefined): void {
  const bare = servers.filter(mintsCredentials);
  if (secret === undefined && bare.length > 0) {
    throw new Error(`${bare[0].urls} has no USER:PASS: give it them, or give --turn-secret to mint them for each page`);
  }
  if (secret !== undefined && bare.length === 0) {
    throw new Error('--turn-secret mints credentials for a turn: or turns: server given without USER:PASS, and there is none');
  }
}

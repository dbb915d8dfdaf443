/**
 * Who gets the ICE servers (--ice-server), and TURN credentials minted from --turn-secret: only a client
 * that asks for video (`watch`) or is accepted as the camera (`camera-on`), in the answer to that; never
 * in `welcome`, so a page that never shows video, and a script that only connects, get no relay.
 *
 * Minting is bounded two ways. Per client: one that asks again gets the same credentials while more than
 * REUSE_WHILE_S of them is left (a page asks again when they near expiry), so a connection mints at
 * most once per TTL - REUSE_WHILE_S. Per address, over any number of connections (a reconnect loop):
 * ADDRESS_MINT_BURST at once, then one per ADDRESS_MINT_INTERVAL_MS; past that the answer carries the
 * STUN servers and any TURN server with fixed credentials, without the minted ones (a LAN needs none),
 * and the log says so once a minute per address.
 */
import type { Logger } from '../log.js';
import type { IceServer, IceServersMessage } from '../protocol/messages.js';
import { TokenBucket } from '../connection/rate-limit.js';
import { mintsCredentials, turnCredentials } from './turn-credentials.js';

/** A client asking again gets the same credentials while more than this is left of them (seconds). */
export const REUSE_WHILE_S = 300;
/** Mints one address may have at once, over all its connections... */
export const ADDRESS_MINT_BURST = 20;
/** ...and then one per this long (a household's pages, each asking every few minutes, stay well inside). */
export const ADDRESS_MINT_INTERVAL_MS = 30_000;
/** Addresses remembered at most; the least recently seen are forgotten first. */
const MAX_TRACKED_ADDRESSES = 10_000;
const REFUSAL_LOG_INTERVAL_MS = 60_000;

export type IceGrant = Omit<IceServersMessage, 'type'>;

export interface IceGrantsOptions {
  servers: readonly IceServer[];
  /** Shared with the TURN server; without it nothing is minted. */
  secret?: string;
  log: Logger;
  /** Wall-clock milliseconds (the TURN server checks expiry against its own clock); default Date.now. */
  wallNow?: () => number;
  /** Monotonic milliseconds, for the rate limit; default performance.now. */
  now?: () => number;
}

interface Minted { username: string; credential: string; expiresAtS: number }
interface AddressBudget { bucket: TokenBucket; loggedAt: number }

export class IceGrants {
  /** The credentials minted for each client (its session object), forgotten with it. */
  private readonly minted = new WeakMap<object, Minted>();
  private readonly addresses = new Map<string, AddressBudget>();
  private readonly wallNow: () => number;
  private readonly now: () => number;
  private readonly mints: boolean;

  constructor(private readonly opts: IceGrantsOptions) {
    this.wallNow = opts.wallNow ?? Date.now;
    this.now = opts.now ?? (() => performance.now());
    this.mints = opts.secret !== undefined && opts.servers.some(mintsCredentials);
  }

  /** The ICE servers for a client allowed to watch (or the camera), with credentials minted for it. */
  grant(client: { id: string; address: string }): IceGrant {
    const { servers } = this.opts;
    if (!this.mints) return { iceServers: [...servers], expiresInS: null };
    const credentials = this.credentialsFor(client);
    if (credentials === null) return { iceServers: servers.filter((s) => !mintsCredentials(s)), expiresInS: null };
    const { username, credential, expiresAtS } = credentials;
    return {
      iceServers: servers.map((s) => (mintsCredentials(s) ? { ...s, username, credential } : s)),
      expiresInS: expiresAtS - Math.floor(this.wallNow() / 1000),
    };
  }

  private credentialsFor(client: { id: string; address: string }): Minted | null {
    const nowMs = this.wallNow();
    const held = this.minted.get(client);
    if (held !== undefined && held.expiresAtS - Math.floor(nowMs / 1000) > REUSE_WHILE_S) return held;
    if (!this.spend(client)) return null;
    const { username, credential } = turnCredentials(this.opts.secret!, client.id, nowMs);
    const fresh = { username, credential, expiresAtS: Number(username.split(':', 1)[0]) };
    this.minted.set(client, fresh);
    return fresh;
  }

  /** Takes one mint from the client's address; false (logged at most once a minute) when it has none. */
  private spend(client: { id: string; address: string }): boolean {
    const { address } = client;
    let budget = this.addresses.get(address);
    this.addresses.delete(address); // re-inserted: the Map's order is then least recently seen first
    budget ??= { bucket: new TokenBucket(1000 / ADDRESS_MINT_INTERVAL_MS, ADDRESS_MINT_BURST, this.now), loggedAt: -Infinity };
    this.addresses.set(address, budget);
    if (this.addresses.size > MAX_TRACKED_ADDRESSES) this.addresses.delete(this.addresses.keys().next().value as string);
    if (budget.bucket.take()) return true;
    const now = this.now();
    if (now - budget.loggedAt >= REFUSAL_LOG_INTERVAL_MS) {
      budget.loggedAt = now;
      const reason = `more than ${ADDRESS_MINT_BURST} TURN logins for this address, then one per ${ADDRESS_MINT_INTERVAL_MS / 1000} s`;
      this.opts.log.warn('turn_refused', { client: client.id, address, reason });
    }
    return false;
  }
}

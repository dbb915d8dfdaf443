/**
 * One car's drive channels, one at most per client. Who may open one: a page allowed to stop the car
 * (everyone without a token, a token holder with one; never a camera page), so a client without the
 * token makes the server build nothing. How often: OPEN_BURST at once, then one per OPEN_INTERVAL_MS (each
 * is a DTLS handshake). A channel dies with its client's connection (left) and with the car (close).
 * Whatever arrives on a channel goes to `receive`, the car's one pipeline for its client's messages.
 */
import type { ClientSession } from '../connection/client-session.js';
import { may } from '../connection/policy.js';
import { TokenBucket } from '../connection/rate-limit.js';
import type { Logger } from '../log.js';
import type { ChannelMessage, ChannelSignalMessage, IceServer } from '../protocol/messages.js';
import { ChannelPeer, MAX_CHANNEL_MESSAGE_BYTES } from './channel-peer.js';
import { loadRtcLibrary, type RtcLibrary } from './rtc-library.js';

/** Channels a client may open at once, then one per OPEN_INTERVAL_MS (a page reopens after a network change). */
export const OPEN_BURST = 3;
export const OPEN_INTERVAL_MS = 10_000;
/** Channels one car keeps at once (its clients are bounded already; this bounds the native peers). */
export const MAX_CHANNELS_PER_CAR = 32;

/** The answer of a server without drive channels (turned off, or no node-datachannel here): the page stops asking. */
const NONE: ChannelSignalMessage = { type: 'channel', closed: 'this server has no drive channels: drive input stays on the WebSocket', retry: false };

export interface DriveChannelsOptions {
  log: Logger;
  now: () => number;
  /** False: every ask is answered `closed` (the server's driveChannels option). */
  enabled?: boolean;
  /** The ICE servers this client may use (TURN credentials minted for it, video/ice-grants.ts). */
  iceServers(session: ClientSession): IceServer[];
  /** A frame from the client's channel, into the same pipeline as its WebSocket's frames. */
  receive(session: ClientSession, data: Buffer, isBinary: boolean): void;
  /** The car's driver's client id, for the rules (connection/policy.ts). */
  driver(): string | null;
  /** Tests give the library (or null, a system without it); default: node-datachannel, loaded lazily. */
  library?: () => Promise<RtcLibrary | null>;
}

export class DriveChannels {
  private readonly peers = new Map<ClientSession, ChannelPeer>();
  private readonly opens = new WeakMap<ClientSession, TokenBucket>();
  private closed = false;

  constructor(private readonly opts: DriveChannelsOptions) {}

  get size(): number {
    return this.peers.size;
  }

  /** A `channel` message from a client: open or close its channel, its answer, or a candidate. */
  signal(session: ClientSession, msg: ChannelMessage): void {
    if (msg.open === true) return void this.open(session);
    if (msg.open === false) return this.left(session);
    const peer = this.peers.get(session);
    if (!peer) return session.error('invalid_message', 'no drive channel is being set up: send {"type":"channel","open":true} first', 'channel');
    if (msg.description !== undefined && !peer.answer(msg.description)) {
      this.left(session);
      return session.error('invalid_message', 'the drive channel needs an answer to its offer', 'channel');
    }
    if (msg.candidate !== undefined) peer.candidate(msg.candidate);
  }

  /** The client left: its channel goes with it. */
  left(session: ClientSession): void {
    this.peers.get(session)?.close();
    this.peers.delete(session);
  }

  close(): void {
    this.closed = true;
    for (const peer of this.peers.values()) peer.close();
    this.peers.clear();
  }

  private async open(session: ClientSession): Promise<void> {
    if (this.opts.enabled === false) return session.send(NONE);
    const refusal = this.refusal(session);
    if (refusal !== null) return session.send({ type: 'channel', closed: refusal });
    this.left(session); // asking again replaces the channel (a page after a network change)
    this.trace(session, 'asked');
    const lib = await (this.opts.library ?? (() => loadRtcLibrary(this.opts.log)))();
    this.trace(session, 'library loaded');
    // The client may have gone, or asked again, while the library loaded.
    if (this.closed || !session.open || this.peers.has(session)) return;
    if (lib === null) return session.send(NONE);
    const peer: ChannelPeer = new ChannelPeer({
      lib, id: session.id, iceServers: this.opts.iceServers(session),
      signal: (message) => session.send(message),
      receive: (data, isBinary) => {
        if (this.peers.get(session) !== peer) return;
        if (data.length > MAX_CHANNEL_MESSAGE_BYTES) return session.error('invalid_message', `a drive channel frame is at most ${MAX_CHANNEL_MESSAGE_BYTES} bytes`, 'channel');
        this.opts.receive(session, data, isBinary);
      },
      trace: (step) => this.trace(session, step),
      ended: (why) => {
        if (this.peers.get(session) !== peer) return;
        this.peers.delete(session);
        session.send({ type: 'channel', closed: `the drive channel ended (${why})` });
      },
    });
    this.peers.set(session, peer);
  }

  /** A step of a channel's setup, in the debug log (an ask that does not open, seen from here). */
  private trace(session: ClientSession, step: string): void {
    if (this.opts.log.enabled('debug')) this.opts.log.debug('drive_channel', { client: session.id, step });
  }

  /** Why this client may not open a channel now, or null. */
  private refusal(session: ClientSession): string | null {
    if (this.closed) return 'the car is closing';
    if (session.camera) return 'a camera page has no drive channel';
    const refused = may(session, 'stop', { driver: this.opts.driver() });
    if (refused) return refused.message;
    let budget = this.opens.get(session);
    if (!budget) this.opens.set(session, budget = new TokenBucket(1000 / OPEN_INTERVAL_MS, OPEN_BURST, this.opts.now));
    if (!budget.take()) return `at most ${OPEN_BURST} drive channels at once, then one per ${OPEN_INTERVAL_MS / 1000} s`;
    if (this.peers.size >= MAX_CHANNELS_PER_CAR && !this.peers.has(session)) return `this car has ${MAX_CHANNELS_PER_CAR} drive channels already`;
    return null;
  }
}

// Which way drive input goes: the drive channel (a WebRTC data channel to the server, unordered and
// never retransmitted, docs/protocol.md "Drive channel", set up by drive-channel.ts) while it carries,
// the WebSocket otherwise.
//
// - Once this connection has had a channel, every drive, stop and release gets the next `seq` (before,
//   the page's messages are as they always were); the server ignores a drive older than one it took
//   and the second copy of a stop, so moving between paths neither jumps back nor stops twice.
// - A stop or release goes on both paths (a lost datagram, or a dead channel, must not lose a stop).
// - The first drive after a stop goes on the WebSocket, right behind the stop: that push re-arms the
//   server only if it arrives after the stop, and the unordered channel could deliver it first.
// - The server beats on an open channel every 100 ms. No beat for QUIET_MS (a blocked or lost path) and
//   drive input is on the WebSocket again; the next beat brings it back.

import type { ClientMessage } from './messages.js';

/** What the status bar shows: the channel peer to peer, the channel through a TURN relay, or the WebSocket. */
export type PathKind = 'direct' | 'relayed' | 'websocket';

/**
 * Three beats missed (the server beats every 100 ms): the channel has gone quiet. Under the default
 * watchdog (500 ms), so input moves to the WebSocket before a dead channel lets the watchdog stop the car.
 */
export const QUIET_MS = 350;
/** How often the status bar is brought up to date with a channel going quiet. */
const CHECK_MS = 100;

/** The part of an RTCDataChannel this needs. */
export interface ChannelEnd {
  readonly readyState: string;
  send(text: string): void;
}

export interface DrivePathOptions {
  socketSend(message: ClientMessage, droppable?: boolean): boolean;
  /** The path changed (for the status bar). */
  changed(path: PathKind): void;
  now?: () => number;
}

export class DrivePath {
  private seq = 0;
  private channel: ChannelEnd | null = null;
  private relayed = false;
  private lastBeat = -Infinity;
  private afterStop = true;
  /** This connection has had a channel: drive input carries seq from now on. */
  private numbered = false;
  private shown: PathKind = 'websocket';
  private check: ReturnType<typeof setInterval> | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: DrivePathOptions) {
    this.now = opts.now ?? (() => performance.now());
  }

  /** The path drive input takes now. */
  get path(): PathKind {
    return this.carries() ? (this.relayed ? 'relayed' : 'direct') : 'websocket';
  }

  /** A channel to use (null: none, input on the WebSocket); `relayed` when ICE chose a TURN relay. */
  use(channel: ChannelEnd | null, relayed = false): void {
    this.channel = channel;
    this.numbered ||= channel !== null;
    this.relayed = relayed;
    this.lastBeat = -Infinity;
    clearInterval(this.check);
    this.check = channel === null ? undefined : setInterval(() => this.showPath(), CHECK_MS);
    this.showPath();
  }

  /** The channel's ICE pair is known: through a relay or not. */
  relay(relayed: boolean): void {
    this.relayed = relayed;
    this.showPath();
  }

  /** The server beat on the channel. */
  beat(): void {
    this.lastBeat = this.now();
    this.showPath();
  }

  /** Disconnected: the next drive re-arms behind a stop anyway, on the WebSocket. */
  reset(): void {
    this.use(null);
    this.numbered = false;
    this.afterStop = true;
  }

  /** Sends drive input on the path that carries it; everything else on the WebSocket. */
  send(message: ClientMessage, droppable = false): boolean {
    if (!this.numbered || !('type' in message)) return this.opts.socketSend(message, droppable);
    if (message.type === 'drive') return this.drive({ ...message, seq: ++this.seq }, droppable);
    if (message.type !== 'stop' && message.type !== 'release') return this.opts.socketSend(message, droppable);
    const stop = { ...message, seq: ++this.seq };
    if (this.channel?.readyState === 'open') this.channel.send(JSON.stringify(stop));
    this.afterStop = true;
    return this.opts.socketSend(stop);
  }

  private drive(message: ClientMessage, droppable: boolean): boolean {
    if (this.afterStop || !this.carries()) {
      this.afterStop = false;
      return this.opts.socketSend(message, droppable);
    }
    this.channel!.send(JSON.stringify(message));
    return true;
  }

  private carries(): boolean {
    return this.channel?.readyState === 'open' && this.now() - this.lastBeat < QUIET_MS;
  }

  private showPath(): void {
    const path = this.path;
    if (path === this.shown) return;
    this.shown = path;
    this.opts.changed(path);
  }
}

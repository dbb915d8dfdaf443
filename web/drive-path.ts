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
// - A new stick position sent on the channel goes again COPY_AFTER_MS later, on the channel only, with a
//   new seq (a refresh, early): a lost datagram then costs that, not the wait for the next send (up to the
//   50 ms refresh). Any later send, stop or path change cancels it; a copy whose timer runs late (a page
//   that stalled) is not sent. Copies take only what the server's message rate per client leaves
//   (welcome.limits.driveRatePerSecond, shared by both paths): less the most drives the loop sends in a
//   second (web/drive.ts MIN_GAP_MS) and RATE_HEADROOM, so with them the page is never over the rate.

import { MIN_GAP_MS } from './drive.js';
import type { ClientMessage } from './messages.js';

type DriveMessage = Extract<ClientMessage, { type: 'drive' }>;

/** What the status bar shows: the channel peer to peer, the channel through a TURN relay, or the WebSocket. */
export type PathKind = 'direct' | 'relayed' | 'websocket';

/**
 * Three beats missed (the server beats every 100 ms): the channel has gone quiet. Under the default
 * watchdog (500 ms), so input moves to the WebSocket before a dead channel lets the watchdog stop the car.
 */
export const QUIET_MS = 350;
/** How often the status bar is brought up to date with a channel going quiet. */
const CHECK_MS = 100;
/** A new position sent on the channel is sent again this much later (docs/benchmarks.md, lossy path). */
export const COPY_AFTER_MS = 12;
/** A copy's timer this late means the page stalled: the drive loop decides what goes next (drive.ts). */
export const COPY_LATE_MS = 20;
/** Messages a second kept for everything else the page sends while driving (a ping every 2 s, a stop, a button). */
export const RATE_HEADROOM = 6;
/** The most drives the loop sends in a second (web/drive.ts MIN_GAP_MS: 30 ms). */
const MOST_DRIVES_PER_SECOND = Math.ceil(1000 / MIN_GAP_MS);
/** The server's least message rate (--drive-rate), assumed until its welcome says. */
const LEAST_SERVER_RATE = 40;

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
  /** Milliseconds after which a new position on the channel goes again (default COPY_AFTER_MS; 0: never). */
  copyAfterMs?: number;
}

/** A position sent on the channel, waiting to go again. */
interface PendingCopy {
  message: DriveMessage;
  sentAt: number;
  timer: ReturnType<typeof setTimeout>;
}

/** Copies a second that a server taking `perSecond` messages from a client leaves room for (20 at its default 60). */
export function copiesWithin(perSecond: number): number {
  return Math.max(0, perSecond - RATE_HEADROOM - MOST_DRIVES_PER_SECOND);
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
  /** The position of the last drive sent (a refresh repeats it; only a change is copied). */
  private lastPosition = '';
  private copy: PendingCopy | null = null;
  /** When each copy of the last second went. */
  private readonly copyTimes: number[] = [];
  private copyBudget = copiesWithin(LEAST_SERVER_RATE);

  constructor(private readonly opts: DrivePathOptions) {
    this.now = opts.now ?? (() => performance.now());
  }

  /** The server's message rate per client (welcome.limits.driveRatePerSecond): copies stay under it. */
  fitRate(perSecond: number): void {
    this.copyBudget = copiesWithin(perSecond);
  }

  /** The path drive input takes now. */
  get path(): PathKind {
    return this.carries() ? (this.relayed ? 'relayed' : 'direct') : 'websocket';
  }

  /** A channel to use (null: none, input on the WebSocket); `relayed` when ICE chose a TURN relay. */
  use(channel: ChannelEnd | null, relayed = false): void {
    this.cancelCopy();
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
    this.lastPosition = '';
  }

  /** Sends drive input on the path that carries it; everything else on the WebSocket. */
  send(message: ClientMessage, droppable = false): boolean {
    if (!this.numbered || !('type' in message)) return this.opts.socketSend(message, droppable);
    if (message.type !== 'drive' && message.type !== 'stop' && message.type !== 'release') return this.opts.socketSend(message, droppable);
    this.cancelCopy(); // whatever goes now supersedes a copy still waiting (after a stop, above all)
    if (message.type === 'drive') return this.drive({ ...message, seq: ++this.seq }, droppable);
    const stop = { ...message, seq: ++this.seq };
    if (this.channel?.readyState === 'open') this.channel.send(JSON.stringify(stop));
    this.afterStop = true;
    this.lastPosition = '';
    return this.opts.socketSend(stop);
  }

  private drive(message: DriveMessage, droppable: boolean): boolean {
    const position = `${message.x},${message.y}`;
    const changed = position !== this.lastPosition;
    this.lastPosition = position;
    if (this.afterStop || !this.carries()) {
      this.afterStop = false;
      return this.opts.socketSend(message, droppable);
    }
    this.channel!.send(JSON.stringify(message));
    if (changed) this.copyLater(message);
    return true;
  }

  /** The position goes again on the channel COPY_AFTER_MS from now, unless something supersedes it. */
  private copyLater(message: DriveMessage): void {
    const after = this.opts.copyAfterMs ?? COPY_AFTER_MS;
    if (after <= 0) return;
    const sentAt = this.now();
    this.copy = { message, sentAt, timer: setTimeout(() => this.sendCopy(), after) };
  }

  private sendCopy(): void {
    const copy = this.copy;
    this.copy = null;
    if (copy === null || !this.carries()) return;
    const late = this.now() - copy.sentAt > (this.opts.copyAfterMs ?? COPY_AFTER_MS) + COPY_LATE_MS;
    if (late || this.copiesInLastSecond() >= this.copyBudget) return;
    this.copyTimes.push(this.now());
    this.channel!.send(JSON.stringify({ ...copy.message, seq: ++this.seq }));
  }

  private cancelCopy(): void {
    if (this.copy !== null) clearTimeout(this.copy.timer);
    this.copy = null;
  }

  private copiesInLastSecond(): number {
    const since = this.now() - 1000;
    while (this.copyTimes.length > 0 && this.copyTimes[0] <= since) this.copyTimes.shift();
    return this.copyTimes.length;
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

// Which way drive input goes: the drive channel (a WebRTC data channel to the server, unordered and
// never retransmitted, docs/protocol.md "Drive channel") while it carries, the WebSocket otherwise.
//
// - Every drive, stop and release gets the next `seq`; the server ignores a drive older than one it took
//   and the second copy of a stop, so moving between paths neither jumps back nor stops twice.
// - A stop or release goes on both paths (a lost datagram, or a dead channel, must not lose a stop).
// - The first drive after a stop goes on the WebSocket, right behind the stop: that push re-arms the
//   server only if it arrives after the stop, and the unordered channel could deliver it first.
// - The server beats on an open channel every 100 ms. No beat for QUIET_MS (a blocked or lost path) and
//   drive input is on the WebSocket again, well within a second; the next beat brings it back.
// - A channel that will not open, or that the server closes, leaves input on the WebSocket; the page asks
//   again after RETRY_MS (the server allows a few at once, then one per 10 s).

import type { ChannelSignalMessage, ClientMessage } from './messages.js';
import { addCandidate, localDescription, rtcConfiguration } from './rtc.js';

/** What the status bar shows: the channel peer to peer, the channel through a TURN relay, or the WebSocket. */
export type PathKind = 'direct' | 'relayed' | 'websocket';

/** Three beats missed (the server beats every 100 ms): the channel has gone quiet. Under the default watchdog (500 ms), so input moves to the WebSocket before a dead channel lets the watchdog stop the car. */
export const QUIET_MS = 350;
export const RETRY_MS = 15_000;
const CHECK_MS = 100;

export interface DrivePathOptions {
  socketSend(message: ClientMessage, droppable?: boolean): boolean;
  /** The path changed (for the status bar). */
  changed(path: PathKind): void;
  now?: () => number;
}

export class DrivePath {
  private seq = 0;
  private pc: RTCPeerConnection | null = null;
  private channel: RTCDataChannel | null = null;
  private lastBeat = -Infinity;
  private relayed = false;
  private afterStop = true;
  private shown: PathKind = 'websocket';
  private signals: Promise<void> = Promise.resolve();
  private check: ReturnType<typeof setInterval> | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: DrivePathOptions) {
    this.now = opts.now ?? (() => performance.now());
  }

  /** The path drive input takes now. */
  get path(): PathKind {
    return this.carries() ? (this.relayed ? 'relayed' : 'direct') : 'websocket';
  }

  /** Connected and allowed to stop (a welcome, or the token accepted): ask the server for a channel, once. */
  start(): void {
    if (this.check !== undefined) return;
    this.opts.socketSend({ type: 'channel', open: true });
    this.check = setInterval(() => this.showPath(), CHECK_MS);
  }

  /** Disconnected: the channel went with the connection; input waits for the WebSocket. */
  reset(): void {
    clearInterval(this.check);
    this.check = undefined;
    clearTimeout(this.retry);
    this.closeChannel();
    this.afterStop = true;
    this.showPath();
  }

  /** Sends drive input on the path that carries it; everything else on the WebSocket. */
  send(message: ClientMessage, droppable = false): boolean {
    if (!('type' in message)) return this.opts.socketSend(message, droppable);
    if (message.type === 'drive') return this.drive({ ...message, seq: ++this.seq }, droppable);
    if (message.type !== 'stop' && message.type !== 'release') return this.opts.socketSend(message, droppable);
    const stop = { ...message, seq: ++this.seq };
    if (this.channel?.readyState === 'open') this.channel.send(JSON.stringify(stop));
    this.afterStop = true;
    return this.opts.socketSend(stop);
  }

  /** The server's side of the channel's signalling, in order. */
  signal(message: ChannelSignalMessage): void {
    this.signals = this.signals.then(() => this.apply(message)).catch(() => this.failed());
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

  private async apply(message: ChannelSignalMessage): Promise<void> {
    if (message.closed !== undefined) return this.failed();
    if (message.description?.type === 'offer') return this.answer(message);
    if (message.candidate !== undefined && this.pc) await addCandidate(this.pc, message.candidate);
  }

  private async answer(offer: ChannelSignalMessage): Promise<void> {
    this.closeChannel();
    const pc = new RTCPeerConnection(rtcConfiguration(offer.iceServers ?? []));
    this.pc = pc;
    pc.ondatachannel = (event) => this.adopt(pc, event.channel);
    pc.onconnectionstatechange = () => {
      if (pc === this.pc && (pc.connectionState === 'failed' || pc.connectionState === 'closed')) this.failed();
    };
    await pc.setRemoteDescription(offer.description!);
    const answer = await localDescription(pc, (candidate) => this.opts.socketSend({ type: 'channel', candidate }));
    if (pc === this.pc) this.opts.socketSend({ type: 'channel', description: answer });
  }

  private adopt(pc: RTCPeerConnection, channel: RTCDataChannel): void {
    if (pc !== this.pc) return channel.close();
    this.channel = channel;
    channel.onmessage = () => {
      this.lastBeat = this.now(); // the channel carries only beats this way
      this.showPath();
    };
    channel.onopen = () => void this.learnRelay(pc);
    channel.onclose = () => {
      if (channel === this.channel) this.failed();
    };
  }

  /** Whether the pair ICE chose goes through a TURN relay (either end's candidate is a relay one). */
  private async learnRelay(pc: RTCPeerConnection): Promise<void> {
    const stats = await pc.getStats();
    let pairId: string | undefined;
    stats.forEach((s) => { if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId; });
    const pair = pairId === undefined ? undefined : stats.get(pairId);
    const types = pair ? [stats.get(pair.localCandidateId)?.candidateType, stats.get(pair.remoteCandidateId)?.candidateType] : [];
    if (pc === this.pc) this.relayed = types.includes('relay');
    this.showPath();
  }

  /** No channel now: input stays on the WebSocket; ask again later while connected. */
  private failed(): void {
    this.closeChannel();
    this.showPath();
    clearTimeout(this.retry);
    if (this.check !== undefined) this.retry = setTimeout(() => this.opts.socketSend({ type: 'channel', open: true }), RETRY_MS);
  }

  private closeChannel(): void {
    const { pc, channel } = this;
    this.pc = null;
    this.channel = null;
    this.relayed = false;
    this.lastBeat = -Infinity;
    channel?.close();
    pc?.close();
  }

  private showPath(): void {
    const path = this.path;
    if (path === this.shown) return;
    this.shown = path;
    this.opts.changed(path);
  }
}

// The page's end of the drive channel (docs/protocol.md "Drive channel"): asks the server for one once
// it may stop the car, answers the server's offer, and hands the open channel to the drive path
// (drive-path.ts) with each beat that arrives on it. A channel that will not open, or that the server
// closes, leaves input on the WebSocket; the page asks again after RETRY_MS (the server allows a few at
// once, then one per 10 s).

import type { ChannelSignalMessage, ClientMessage } from './messages.js';
import type { DrivePath } from './drive-path.js';
import { addCandidate, localDescription, rtcConfiguration } from './rtc.js';

export const RETRY_MS = 15_000;

export class DriveChannel {
  private pc: RTCPeerConnection | null = null;
  private channel: RTCDataChannel | null = null;
  private started = false;
  private signals: Promise<void> = Promise.resolve();
  private retry: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly path: DrivePath, private readonly socketSend: (message: ClientMessage) => boolean) {}

  /** Connected and allowed to stop (a welcome, or the token accepted): ask the server for a channel, once. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.socketSend({ type: 'channel', open: true });
  }

  /** Disconnected: the channel went with the connection. */
  reset(): void {
    this.started = false;
    clearTimeout(this.retry);
    this.close();
    this.path.reset();
  }

  /** The server's side of the signalling, in order. */
  signal(message: ChannelSignalMessage): void {
    this.signals = this.signals.then(() => this.apply(message)).catch(() => this.failed());
  }

  private async apply(message: ChannelSignalMessage): Promise<void> {
    if (message.closed !== undefined) return this.failed();
    if (message.description?.type === 'offer') return this.answer(message);
    if (message.candidate !== undefined && this.pc) await addCandidate(this.pc, message.candidate);
  }

  private async answer(offer: ChannelSignalMessage): Promise<void> {
    this.close();
    const pc = new RTCPeerConnection(rtcConfiguration(offer.iceServers ?? []));
    this.pc = pc;
    pc.ondatachannel = (event) => this.adopt(pc, event.channel);
    pc.onconnectionstatechange = () => {
      if (pc === this.pc && (pc.connectionState === 'failed' || pc.connectionState === 'closed')) this.failed();
    };
    await pc.setRemoteDescription(offer.description!);
    const answer = await localDescription(pc, (candidate) => this.socketSend({ type: 'channel', candidate }));
    if (pc === this.pc) this.socketSend({ type: 'channel', description: answer });
  }

  private adopt(pc: RTCPeerConnection, channel: RTCDataChannel): void {
    if (pc !== this.pc) return channel.close();
    this.channel = channel;
    channel.onmessage = () => this.path.beat(); // the channel carries only beats this way
    channel.onopen = () => {
      this.path.use(channel);
      void this.learnRelay(pc);
    };
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
    if (pc === this.pc) this.path.relay(types.includes('relay'));
  }

  /** No channel now: input stays on the WebSocket; ask again later while connected. */
  private failed(): void {
    this.close();
    clearTimeout(this.retry);
    if (this.started) this.retry = setTimeout(() => this.socketSend({ type: 'channel', open: true }), RETRY_MS);
  }

  private close(): void {
    const { pc, channel } = this;
    this.pc = null;
    this.channel = null;
    if (channel !== null) this.path.use(null);
    channel?.close();
    pc?.close();
  }
}

// The page's end of the drive channel (docs/protocol.md "Drive channel"): asks the server for one once
// it may stop the car (when: channel-asks.ts), answers the server's offer, and hands the open channel to
// the drive path (drive-path.ts) with each beat that arrives on it. A channel that will not open, or that
// the server closes, leaves input on the WebSocket.

import { ChannelAsks } from './channel-asks.js';
import type { ChannelSignalMessage, ClientMessage } from './messages.js';
import type { DrivePath } from './drive-path.js';
import { addCandidate, localDescription, rtcConfiguration } from './rtc.js';

export class DriveChannel {
  private pc: RTCPeerConnection | null = null;
  private channel: RTCDataChannel | null = null;
  private signals: Promise<void> = Promise.resolve();
  private readonly asks: ChannelAsks;

  constructor(private readonly path: DrivePath, private readonly socketSend: (message: ClientMessage) => boolean) {
    this.asks = new ChannelAsks(() => this.socketSend({ type: 'channel', open: true }));
  }

  /** Connected and allowed to stop (a welcome, or the token accepted): ask the server for a channel. */
  start(): void {
    this.asks.start();
  }

  /** The server's message rate per client (welcome.limits): the drive path's copies stay under it. */
  fitRate(perSecond: number): void {
    this.path.fitRate(perSecond);
  }

  /** Disconnected: the channel went with the connection. */
  reset(): void {
    this.asks.reset();
    this.close();
    this.path.reset();
  }

  /** The server's side of the signalling, in order. */
  signal(message: ChannelSignalMessage): void {
    this.signals = this.signals.then(() => this.apply(message)).catch(() => this.failed());
  }

  private async apply(message: ChannelSignalMessage): Promise<void> {
    if (message.closed !== undefined) return this.failed(message.retry !== false);
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

  /** No channel now: input stays on the WebSocket; asked for again later unless the server has none. */
  private failed(retry = true): void {
    this.close();
    this.asks.failed(retry);
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

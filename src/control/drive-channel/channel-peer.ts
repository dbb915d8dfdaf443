/**
 * The server's end of one page's drive channel. The server offers (so it, not the page, sets the
 * channel's terms: unordered, no retransmission, RFC 8831 section 6.1's partial reliability) with the ICE
 * servers to answer it with; candidates trickle both ways. While open it sends a beat every BEAT_MS: the
 * page's proof that the channel still carries, which it cannot see any other way on a one-way, lossy
 * path; beats stopping moves the page's drive input back to the WebSocket.
 */
import type { DataChannel, PeerConnection } from 'node-datachannel';
import type { ChannelSignalMessage, IceCandidate, IceServer, SessionDescription } from '../protocol/messages.js';
import { ownIceServers } from './ice-config.js';
import type { RtcLibrary } from './rtc-library.js';

/** A beat this often; the page falls back when it hears none for three and a half (web/drive-path.ts), before the watchdog (500 ms) would stop a car driven through a channel that died. */
export const BEAT_MS = 100;
export const BEAT = '{"type":"beat"}';
/** The largest frame taken on a channel (a drive message is under 80 bytes); larger ones are refused. */
export const MAX_CHANNEL_MESSAGE_BYTES = 1024;

export interface ChannelPeerOptions {
  lib: RtcLibrary;
  /** Names the peer in node-datachannel's own log lines. */
  id: string;
  iceServers: IceServer[];
  /** To the page, on its WebSocket. */
  signal(message: ChannelSignalMessage): void;
  /** A frame that arrived on the channel. */
  receive(data: Buffer, isBinary: boolean): void;
  /** The channel ended by itself (its connection failed or closed); not called after close(). */
  ended(why: string): void;
  /** Each step of the setup (ICE, DTLS, the channel), for a debug log of an ask that does not open. */
  trace?(step: string): void;
}

export class ChannelPeer {
  private readonly pc: PeerConnection;
  private readonly channel: DataChannel;
  private beat: ReturnType<typeof setInterval> | undefined;
  private closed = false;

  constructor(private readonly opts: ChannelPeerOptions) {
    const { lib, iceServers } = opts;
    this.pc = new lib.PeerConnection(opts.id, { iceServers: ownIceServers(iceServers), maxMessageSize: MAX_CHANNEL_MESSAGE_BYTES });
    this.pc.onLocalDescription((sdp, type) => {
      if (!this.closed) opts.signal({ type: 'channel', description: { type: type === 'answer' ? 'answer' : 'offer', sdp }, iceServers });
    });
    this.pc.onLocalCandidate((candidate, mid) => {
      if (!this.closed) opts.signal({ type: 'channel', candidate: { candidate, sdpMid: mid } });
    });
    this.pc.onStateChange((state) => {
      opts.trace?.(`connection ${state}`);
      if (state === 'failed' || state === 'closed') this.end(`its connection ${state}`);
    });
    this.traceSteps(opts.trace);
    this.channel = this.pc.createDataChannel('drive', { unordered: true, maxRetransmits: 0 });
    this.channel.onOpen(() => {
      opts.trace?.('channel open');
      this.startBeats();
    });
    this.channel.onClosed(() => this.end('it closed'));
    this.channel.onMessage((msg) => {
      if (this.closed) return;
      const isBinary = typeof msg !== 'string';
      const data = typeof msg === 'string' ? Buffer.from(msg, 'utf8') : Buffer.from(msg as ArrayBuffer);
      opts.receive(data, isBinary);
    });
  }

  /** The page's answer; false when it does not apply (not an answer, or SDP the library refuses). */
  answer(description: SessionDescription): boolean {
    if (description.type !== 'answer') return false;
    try {
      this.pc.setRemoteDescription(description.sdp, 'answer');
      this.opts.trace?.('answer taken');
      return true;
    } catch {
      return false;
    }
  }

  /** A candidate of the page's; one that does not apply is dropped (it cannot hurt the connection). */
  candidate(candidate: IceCandidate | null): void {
    if (candidate === null || candidate.candidate === '') return;
    try {
      this.pc.addRemoteCandidate(candidate.candidate, candidate.sdpMid ?? '0');
    } catch {
      // A stale or malformed candidate: nothing better to do with it.
    }
  }

  /** Ends the channel from our side (the client left, asked again, or the car closes). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.beat);
    try {
      this.channel.close();
      this.pc.close();
    } catch {
      // Already closed underneath: what matters is that nothing more is taken from it.
    }
  }

  private traceSteps(trace: ((step: string) => void) | undefined): void {
    if (trace === undefined) return;
    this.pc.onIceStateChange((state) => trace(`ice ${state}`));
    this.pc.onGatheringStateChange((state) => trace(`gathering ${state}`));
    this.pc.onSignalingStateChange((state) => trace(`signaling ${state}`));
  }

  private startBeats(): void {
    if (this.closed) return;
    this.beat = setInterval(() => {
      if (this.channel.isOpen()) this.channel.sendMessage(BEAT);
    }, BEAT_MS);
    this.beat.unref();
    this.channel.sendMessage(BEAT); // at once: the page moves its input here on the first beat
  }

  private end(why: string): void {
    if (this.closed) return;
    this.close();
    this.opts.ended(why);
  }
}

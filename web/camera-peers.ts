// The camera page's connections: one RTCPeerConnection per viewer the server announces (`viewer`
// messages), each sending the one camera track; the phone encodes once per viewer, which is why the
// server limits them (--max-viewers). The camera makes the offer; the viewer answers.
//
// Each sender is tuned for driving: frames are kept over resolution ('maintain-framerate') and capped at
// the chosen rate. A connection that fails, or a viewer whose answer cannot be used, is offered again
// after RETRY_MS, at most MAX_RETRIES times in a row: what one viewer sends never touches the others.
//
// Each page gets an audio section the camera only receives on: the driver's push-to-talk (talk.ts). Not
// the SFU (SFU_PEER): Janus takes a publisher's media, it sends it none. Through the SFU the driver's
// voice has a connection of its own, with only that section (TALK_PEER: talk-link.ts on the other end);
// it is not a viewer, and is not counted as one.

import type { ClientMessage, IceServer, SignalRelayMessage } from './messages.js';
import { addCandidate, localDescription, rtcConfiguration } from './rtc.js';
import { TALK_PEER } from './talk.js';

/** The viewer the server names when the video goes through the SFU (src/control/video/sfu/sfu-route.ts). */
const SFU_PEER = 'sfu';

export const RETRY_MS = 3_000;
const MAX_RETRIES = 5;

export interface CameraPeersOptions {
  send(message: ClientMessage): boolean;
  iceServers(): readonly IceServer[];
  /** The camera's track and stream now (null when it has none). */
  track(): MediaStreamTrack | null;
  /** The microphone's track (null: the video goes silent). */
  audio(): MediaStreamTrack | null;
  stream(): MediaStream | null;
  frameRate(): number;
  /** Something a user might want to see changed (a viewer came, connected, left). */
  changed(): void;
  /** A viewer's connection went wrong in a way worth saying. */
  problem(text: string): void;
}

interface Peer {
  pc: RTCPeerConnection;
  /** The picture's sender (null on the talk connection, which sends nothing). */
  sender: RTCRtpSender | null;
  /** The viewer's talk-back (only its driver's is played: talkFrom). */
  talk: RTCRtpReceiver | null;
  retries: number;
}

export class CameraPeers {
  private readonly peers = new Map<string, Peer>();
  /** Viewers waiting for another offer after a failure. */
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly opts: CameraPeersOptions) {}

  /** Each viewer and how its connection stands. */
  list(): Array<{ id: string; state: RTCPeerConnectionState }> {
    return [...this.peers].filter(([id]) => id !== TALK_PEER).map(([id, peer]) => ({ id, state: peer.pc.connectionState }));
  }

  get size(): number {
    return this.peers.size - (this.peers.has(TALK_PEER) ? 1 : 0);
  }

  /**
   * A viewer to send video to (or, TALK_PEER, the driver to hear through the SFU): a new connection and
   * an offer (an earlier one to it is replaced).
   */
  add(id: string, retries = 0): void {
    const track = this.opts.track();
    const stream = this.opts.stream();
    this.close(id);
    if (id !== TALK_PEER && (!track || !stream)) return;
    const pc = new RTCPeerConnection(rtcConfiguration(this.opts.iceServers()));
    const sender = id === TALK_PEER ? null : pc.addTrack(track!, stream!);
    const audio = this.opts.audio();
    if (audio && sender) pc.addTrack(audio, stream!); // in the picture's stream: the viewer plays both in one element
    // Made last: addTrack would take an audio transceiver made before it to send the microphone on.
    const talk = id === SFU_PEER ? null : pc.addTransceiver('audio', { direction: 'recvonly' }).receiver;
    const peer: Peer = { pc, sender, talk, retries };
    this.peers.set(id, peer);
    pc.onconnectionstatechange = () => {
      if (this.peers.get(id) !== peer) return;
      if (pc.connectionState === 'connected') peer.retries = 0;
      if (pc.connectionState === 'failed') this.again(id, peer, 'the connection failed');
      this.opts.changed();
    };
    this.opts.changed();
    void this.offer(id, peer);
  }

  /** What this viewer says through its talk-back, or null (it is not a page this camera sends to). */
  talkFrom(id: string): MediaStreamTrack | null {
    return this.peers.get(id)?.talk?.track ?? null;
  }

  /** The viewer left (or is no longer served). */
  remove(id: string): void {
    if (this.close(id)) this.opts.changed();
  }

  /** A viewer's answer or candidate; from a viewer this page is not sending to, it is ignored. */
  async signal(message: SignalRelayMessage): Promise<void> {
    const peer = this.peers.get(message.from);
    if (!peer) return;
    if (message.description !== undefined) {
      if (message.description.type !== 'answer' || peer.pc.signalingState !== 'have-local-offer') return;
      try {
        await peer.pc.setRemoteDescription(message.description);
      } catch {
        return this.again(message.from, peer, 'its answer could not be used');
      }
      await this.tune(peer);
    } else if (message.candidate !== undefined) {
      await addCandidate(peer.pc, message.candidate);
    }
  }

  /** Another camera, size or rate: every viewer gets the new track without a new negotiation. */
  async replaceTrack(track: MediaStreamTrack): Promise<void> {
    await Promise.all([...this.peers.values()].map(async (peer) => {
      await peer.sender?.replaceTrack(track).catch(() => {});
      await this.tune(peer);
    }));
  }

  closeAll(): void {
    for (const id of [...this.peers.keys()]) this.close(id);
    this.opts.changed();
  }

  private async offer(id: string, peer: Peer): Promise<void> {
    try {
      const offer = await localDescription(peer.pc, (candidate) => {
        if (this.peers.get(id) === peer) this.opts.send({ type: 'signal', to: id, candidate });
      });
      if (this.peers.get(id) === peer) this.opts.send({ type: 'signal', to: id, description: offer });
    } catch (err) {
      if (this.peers.get(id) === peer) this.again(id, peer, `no offer could be made (${(err as Error).message})`);
    }
  }

  /** Keep the frame rate, give up resolution first; no more frames than asked for. */
  private async tune(peer: Peer): Promise<void> {
    if (!peer.sender) return;
    try {
      const params = peer.sender.getParameters();
      (params as RTCRtpSendParameters & { degradationPreference?: string }).degradationPreference = 'maintain-framerate';
      for (const encoding of params.encodings ?? []) encoding.maxFramerate = this.opts.frameRate();
      await peer.sender.setParameters(params);
    } catch {
      // A browser without these settings still sends video, only without the hint.
    }
  }

  private again(id: string, peer: Peer, why: string): void {
    this.close(id);
    if (peer.retries >= MAX_RETRIES) {
      this.opts.problem(`Viewer ${id}: ${why}; giving up on it until it asks again.`);
      return;
    }
    const retry = setTimeout(() => {
      if (!this.peers.has(id) && this.pending.get(id) === retry) {
        this.pending.delete(id);
        this.add(id, peer.retries + 1);
      }
    }, RETRY_MS);
    this.pending.set(id, retry);
  }

  private close(id: string): boolean {
    clearTimeout(this.pending.get(id));
    this.pending.delete(id);
    const peer = this.peers.get(id);
    if (!peer) return false;
    this.peers.delete(id);
    peer.pc.onconnectionstatechange = peer.pc.onicecandidate = null;
    peer.pc.close();
    return true;
  }
}

// Push-to-talk while the picture comes through the SFU (--sfu). Janus's offer has no section for the
// driver to send on, and the voice has one listener, the car phone: so the camera page makes a connection
// for it alone, audio the camera only receives, straight to the page the server names as the driver
// (both ends call the other TALK_PEER; the server relays it to the driver of the moment and no one else,
// and has the camera drop it the moment the seat passes). This answers it, and lends its section to the
// TalkSender (talk.ts): the same Hold to talk as peer to peer.

import type { ClientMessage, IceServer, SignalRelayMessage } from './messages.js';
import { addCandidate, localDescription, rtcConfiguration } from './rtc.js';
import { TALK_PEER, type TalkSender } from './talk.js';

export interface TalkLinkOptions {
  send(message: ClientMessage): boolean;
  iceServers(): readonly IceServer[];
  talk: TalkSender;
  /** The talk became available, or went. */
  changed(): void;
}

export class TalkLink {
  private pc: RTCPeerConnection | null = null;

  constructor(private readonly opts: TalkLinkOptions) {}

  /** The camera's offer (a new connection: any earlier one is replaced) or candidate. */
  signal(message: SignalRelayMessage): void {
    if (message.description?.type === 'offer') void this.answer(message.description.sdp);
    else if (message.candidate !== undefined && this.pc) void addCandidate(this.pc, message.candidate);
  }

  /** Not the driver any more, or no picture: nothing more goes to the car. */
  close(): void {
    const pc = this.pc;
    this.pc = null;
    if (!pc) return;
    pc.onconnectionstatechange = null;
    pc.close();
    this.opts.talk.detach(pc);
    this.opts.changed();
  }

  private async answer(sdp: string): Promise<void> {
    this.close();
    const pc = new RTCPeerConnection(rtcConfiguration(this.opts.iceServers()));
    this.pc = pc;
    pc.onconnectionstatechange = () => {
      if (this.pc === pc && pc.connectionState === 'failed') this.close(); // the camera offers again
    };
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp });
      this.opts.talk.attach(pc, sdp);
      this.opts.changed();
      const answer = await localDescription(pc, (candidate) => {
        if (this.pc === pc) this.opts.send({ type: 'signal', to: TALK_PEER, candidate });
      });
      if (this.pc === pc) this.opts.send({ type: 'signal', to: TALK_PEER, description: answer });
    } catch {
      if (this.pc === pc) this.close(); // an offer we cannot take: wait for the next
    }
  }
}

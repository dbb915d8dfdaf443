// Push-to-talk: the driver's voice to the car phone's speaker, while the Talk button is held.
//
// It rides the picture's own connection, so it costs no negotiation of its own: the camera's offer to
// each page it sends to directly carries one extra audio section marked `recvonly` (the camera only
// listens there). The page answers it `sendonly` with no track; holding Talk puts the microphone's track
// on that sender (`replaceTrack`: no renegotiation), letting go takes it off, so nothing is sent
// between. Only the driver's page shows the button, and the camera plays only the driver's audio
// (camera-peers.ts): a spectator's page that sent some anyway is not heard.
// Through the SFU the picture comes from Janus, whose offer has no such section: the camera then makes a
// connection for the voice alone, to the page the server names as the driver (TALK_PEER, talk-link.ts).

/** The other end of push-to-talk through the SFU, for both pages (src/control/video/camera-relay.ts). */
export const TALK_PEER = 'talk';

/** The mid of the offer's audio section the offerer only receives on (its talk-back), or null. */
export function talkMid(sdp: string): string | null {
  for (const section of sdp.split(/\r?\nm=/).slice(1)) {
    if (!section.startsWith('audio') || !/\r?\na=recvonly/.test(section)) continue;
    return /\r?\na=mid:(\S+)/.exec(section)?.[1] ?? null;
  }
  return null;
}

export class TalkSender {
  /** The connection whose talk-back section this sends on, and its sender. */
  private pc: RTCPeerConnection | null = null;
  private sender: RTCRtpSender | null = null;
  private mic: MediaStreamTrack | null = null;
  private held = false;

  get available(): boolean {
    return this.sender !== null;
  }

  /**
   * A new connection from the camera (its offer applied): its talk-back section, if any, is ours to send
   * on. One without (Janus's) leaves the talk where it was: on the camera's own talk connection, if any.
   */
  attach(pc: RTCPeerConnection, offer: string): void {
    const mid = talkMid(offer);
    const transceiver = mid === null ? undefined : pc.getTransceivers().find((t) => t.mid === mid);
    if (!transceiver) return;
    this.detach(this.pc);
    transceiver.direction = 'sendonly';
    this.pc = pc;
    this.sender = transceiver.sender;
  }

  /** The connection closes: if the talk went on it, there is none until the next. */
  detach(pc: RTCPeerConnection | null): void {
    if (pc === null || pc !== this.pc) return;
    this.pc = this.sender = null;
    this.held = false;
  }

  /** Talk is held: the microphone (asked for on the first hold) goes on the sender. */
  async press(): Promise<boolean> {
    this.held = true;
    this.mic ??= await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } })
      .then((s) => s.getAudioTracks()[0] ?? null, () => null);
    if (!this.held || !this.sender || !this.mic) return false; // let go while the microphone was being asked for
    await this.sender.replaceTrack(this.mic).catch(() => {});
    return true;
  }

  /** Talk is let go: nothing more is sent. */
  release(): void {
    this.held = false;
    void this.sender?.replaceTrack(null).catch(() => {});
  }
}

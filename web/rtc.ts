// What the camera page and the viewers share about WebRTC: the signalling message forms (docs/protocol.md
// "Video"), and the description sent once the quick candidates are in it.
//
// Candidates are "half-trickled": a description is sent once ICE gathering has completed or after
// GATHER_MS, whichever comes first, with every candidate found so far inside it; any found later go
// one by one. On a LAN the host candidates take milliseconds, so a connection costs one message each way
// (the server's message budget is per client, and a camera serves several viewers); a STUN or TURN server
// that answers slowly costs no more than GATHER_MS of waiting.

import type { IceCandidate, IceServer, SessionDescription } from './messages.js';

export const GATHER_MS = 400;

export function rtcConfiguration(iceServers: readonly IceServer[]): RTCConfiguration {
  return { iceServers: iceServers.map((s) => ({ ...s })), bundlePolicy: 'max-bundle' };
}

/** The wire form of a candidate (exactly the fields the server's schema takes), or null for the end. */
export function candidateMessage(candidate: RTCIceCandidate | null): IceCandidate | null {
  if (candidate === null) return null;
  return {
    candidate: candidate.candidate,
    sdpMid: candidate.sdpMid,
    sdpMLineIndex: candidate.sdpMLineIndex,
    usernameFragment: candidate.usernameFragment,
  };
}

/**
 * Sets the local description and resolves with it once gathering is complete or GATHER_MS has passed.
 * `onLateCandidate` gets each candidate found after that (null at the end), to be sent on its own.
 */
export async function localDescription(
  pc: RTCPeerConnection,
  onLateCandidate: (candidate: IceCandidate | null) => void,
): Promise<SessionDescription> {
  let sent = false;
  pc.onicecandidate = (event) => {
    if (sent) onLateCandidate(candidateMessage(event.candidate));
  };
  await pc.setLocalDescription();
  await new Promise<void>((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    const timer = setTimeout(done, GATHER_MS);
    function done(): void {
      clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', changed);
      resolve();
    }
    function changed(): void {
      if (pc.iceGatheringState === 'complete') done();
    }
    pc.addEventListener('icegatheringstatechange', changed);
  });
  sent = true;
  const description = pc.localDescription!;
  return { type: description.type as SessionDescription['type'], sdp: description.sdp };
}

/** Applies a relayed candidate; one that does not apply (a peer's mistake, or a stale one) is dropped. */
export async function addCandidate(pc: RTCPeerConnection, candidate: IceCandidate | null): Promise<void> {
  try {
    await pc.addIceCandidate(candidate ?? undefined);
  } catch {
    // A bad or late candidate cannot hurt the connection; there is nothing better to do with it.
  }
}

// What the viewer shows of a live video: frames per second, resolution and round-trip time, read from
// RTCPeerConnection.getStats() (W3C webrtc-stats). Browsers differ in which fields they fill in, so each
// figure has a fallback: frames per second from the decoded-frame count when `framesPerSecond` is missing,
// the round trip from the transport's selected pair, else any succeeded nominated pair.

export interface VideoFigures {
  fps: number | null;
  width: number | null;
  height: number | null;
  /** Round-trip time between the two peers, milliseconds. */
  rttMs: number | null;
  /** Frames decoded so far (to tell a frozen picture from a still one). */
  framesDecoded: number;
  /** When these stats were taken (the report's clock, ms). */
  at: number;
}

type Stat = Record<string, unknown> & { type: string; id: string };

/** The figures in one stats report; `previous` (the last figures) gives a frame rate where none is reported. */
export function videoFigures(report: Iterable<Stat>, previous: VideoFigures | null): VideoFigures {
  const byId = new Map<string, Stat>();
  for (const stat of report) byId.set(stat.id, stat);
  const stats = [...byId.values()];
  const inbound = stats.find((s) => s.type === 'inbound-rtp' && (s.kind ?? s.mediaType) === 'video');
  const at = num(inbound?.timestamp) ?? num(stats[0]?.timestamp) ?? 0;
  const framesDecoded = num(inbound?.framesDecoded) ?? 0;
  let fps = num(inbound?.framesPerSecond);
  if (fps === null && previous !== null && at > previous.at) {
    fps = Math.max(0, ((framesDecoded - previous.framesDecoded) * 1000) / (at - previous.at));
  }
  const transport = stats.find((s) => s.type === 'transport' && typeof s.selectedCandidatePairId === 'string');
  const selected = transport ? byId.get(transport.selectedCandidatePairId as string) : undefined;
  const pair = selected ?? stats.find((s) => s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated === true);
  const rtt = num(pair?.currentRoundTripTime);
  return {
    fps, width: num(inbound?.frameWidth), height: num(inbound?.frameHeight),
    rttMs: rtt === null ? null : rtt * 1000, framesDecoded, at,
  };
}

/** "30 fps · 640×480 · 4 ms", leaving out what is not known. */
export function describeFigures(f: VideoFigures): string {
  const parts: string[] = [];
  if (f.fps !== null) parts.push(`${Math.round(f.fps)} fps`);
  if (f.width !== null && f.height !== null) parts.push(`${f.width}×${f.height}`);
  if (f.rttMs !== null) parts.push(`RTT ${f.rttMs < 10 ? f.rttMs.toFixed(1) : Math.round(f.rttMs)} ms`);
  return parts.join(' · ');
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

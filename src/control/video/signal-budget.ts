/**
 * What video signalling may cost, per viewer: the camera relays nothing but a negotiation's few messages,
 * so a viewer (or a camera) sending more is refused before anything reaches the other side. Without it a
 * viewer could pour 12 000-character answers at the camera at the message rate (60 a second, 700 KB/s)
 * until the camera's phone fell behind and the server dropped it (issue 18, item 4).
 *
 * A negotiation is opened by the camera's offer to a viewer and holds that offer, the viewer's one answer
 * and the ICE candidates of both (null, the end of candidates, counts as one). Per negotiation and side:
 * one description, at most NEGOTIATION.candidates candidates and NEGOTIATION.bytes bytes. Per minute and
 * side, whatever the negotiations: PER_MINUTE.signals messages and PER_MINUTE.bytes bytes (token buckets,
 * so a burst of a minute's worth, then the rate). A viewer may also ask for video anew (`watch` after
 * `unwatch`, each one an offer the camera's phone must make) PER_MINUTE.asks times a minute.
 *
 * Measured with bench/signalling.ts (Chromium 156, fake camera, one camera and four viewers on loopback,
 * a busy 2-core machine): on a LAN a side sends 2 to 5 messages a negotiation (its description with up
 * to 10 host candidates inside, a late one or two, and null), at most 11 candidates and 5.7 KB; through
 * coturn (STUN, TURN over UDP and TCP) at most 18 messages (when gathering is slow every candidate misses
 * the 400 ms of web/rtc.ts and goes on its own, about 200 bytes each), 17 candidates and 8.3 KB. The
 * budget leaves room for a phone with more addresses than this machine: 50 candidates and 32 KiB a
 * negotiation (3 and 4 times the most seen), and 200 messages and 128 KiB a minute (a page hidden and
 * shown, or a connection offered again after failing, several times a minute).
 */
import { TokenBucket } from '../connection/rate-limit.js';
import type { SignalMessage } from '../protocol/messages.js';

export const NEGOTIATION = { candidates: 50, bytes: 32 * 1024 } as const;
export const PER_MINUTE = { signals: 200, bytes: 128 * 1024, asks: 10 } as const;

export type Side = 'camera' | 'viewer';

interface SideState {
  descriptions: number;
  candidates: number;
  bytes: number;
  readonly signals: TokenBucket;
  readonly volume: TokenBucket;
}

interface ViewerState {
  /** The camera has offered, and that negotiation is still the current one. */
  open: boolean;
  readonly sides: Record<Side, SideState>;
  readonly asks: TokenBucket;
}

const perMinute = (amount: number, now: () => number) => new TokenBucket(amount / 60, amount, now);

export class SignalBudget {
  private readonly viewers = new Map<string, ViewerState>();

  constructor(private readonly now: () => number) {}

  /** A viewer asks for video anew; false when it did so too often this minute. */
  ask(viewer: string): boolean {
    return this.state(viewer).asks.take();
  }

  /**
   * Charges one signal between the camera and `viewer` to `from`'s side: null when it may go, else the
   * refusal for its sender. The camera's offer opens a new negotiation.
   */
  charge(viewer: string, from: Side, message: SignalMessage, bytes: number): Refusal | null {
    const state = this.state(viewer);
    const side = state.sides[from];
    const description = message.description;
    const misuse = description === undefined ? null : wrongDescription(from, description.type);
    if (misuse !== null) return { code: 'invalid_message', message: misuse, field: 'description.type' };
    const opens = description?.type === 'offer';
    if (!opens && !state.open) {
      return { code: 'invalid_message', message: 'no negotiation is open: the camera offers first, then its viewer answers' };
    }
    if (!side.signals.take() || !side.volume.take(bytes)) {
      return spent(`more than ${PER_MINUTE.signals} signals or ${PER_MINUTE.bytes / 1024} KiB of them a minute`);
    }
    if (opens) this.open(state);
    return this.overNegotiation(side, description !== undefined, bytes);
  }

  /** The viewer is no longer served: its negotiation is over (its per-minute budget stays). */
  close(viewer: string): void {
    const state = this.viewers.get(viewer);
    if (state) state.open = false;
  }

  /** The viewer left the car: nothing of it is kept. */
  forget(viewer: string): void {
    this.viewers.delete(viewer);
  }

  private open(state: ViewerState): void {
    state.open = true;
    for (const side of Object.values(state.sides)) side.descriptions = side.candidates = side.bytes = 0;
  }

  private overNegotiation(side: SideState, isDescription: boolean, bytes: number): Refusal | null {
    if (isDescription && side.descriptions >= 1) return spent('one answer per offer');
    if (!isDescription && side.candidates >= NEGOTIATION.candidates) return spent(`${NEGOTIATION.candidates} ICE candidates per negotiation`);
    if (side.bytes + bytes > NEGOTIATION.bytes) return spent(`${NEGOTIATION.bytes / 1024} KiB of signalling per negotiation`);
    if (isDescription) side.descriptions += 1;
    else side.candidates += 1;
    side.bytes += bytes;
    return null;
  }

  private state(viewer: string): ViewerState {
    let state = this.viewers.get(viewer);
    if (state === undefined) {
      const side = (): SideState => ({
        descriptions: 0, candidates: 0, bytes: 0,
        signals: perMinute(PER_MINUTE.signals, this.now), volume: perMinute(PER_MINUTE.bytes, this.now),
      });
      state = { open: false, sides: { camera: side(), viewer: side() }, asks: perMinute(PER_MINUTE.asks, this.now) };
      this.viewers.set(viewer, state);
    }
    return state;
  }
}

/** Why a signal was refused: `rate_limited` for a spent budget, `invalid_message` for a step out of place. */
export interface Refusal { code: 'rate_limited' | 'invalid_message'; message: string; field?: string }

function spent(limit: string): Refusal {
  return { code: 'rate_limited', message: `video signalling over its budget (${limit}); this one was dropped` };
}

/** The camera offers and its viewers answer (web/camera-peers.ts, web/video-view.ts); nothing else. */
function wrongDescription(from: Side, type: 'offer' | 'answer'): string | null {
  if (from === 'camera' && type !== 'offer') return 'the camera sends offers, not answers';
  if (from === 'viewer' && type !== 'answer') return 'a viewer answers the camera\'s offer; it does not offer';
  return null;
}

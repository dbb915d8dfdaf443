// When to ask the server again for the ICE servers (docs/protocol.md "Video"): the page gets them in the
// answer to `watch` (a viewer) or `camera-on` (the camera), and TURN credentials minted with them expire
// (`expiresInS`, ten minutes on a fresh mint). A TURN server checks them only when a relay is set up, and
// the page sets one up for each new RTCPeerConnection, so it asks again, with the same message, two
// minutes before they expire: whatever connection it makes next has credentials that are still good.

/** Ask again this long before the credentials expire. */
export const RENEW_BEFORE_S = 120;
/** Never sooner than this, however short the time left (a slow answer must not become a loop). */
const MIN_DELAY_S = 10;

export class IceRenewal {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly ask: () => void) {}

  /** New servers arrived, good for `expiresInS` (null: nothing in them expires, no need to ask again). */
  schedule(expiresInS: number | null): void {
    this.cancel();
    if (expiresInS === null) return;
    const delayS = Math.max(expiresInS - RENEW_BEFORE_S, expiresInS / 2, MIN_DELAY_S);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.ask();
    }, delayS * 1000);
  }

  /** The page stopped watching (or streaming), or lost its connection: nothing to renew. */
  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

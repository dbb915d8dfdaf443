// Keeps the camera phone's screen on while it streams (Screen Wake Lock API): a phone that locks its
// screen stops its camera. The browser releases the lock whenever the page is hidden, so it is asked for
// again each time the page comes back into view while still wanted.

export type WakeState = 'awake' | 'off' | 'unsupported' | 'refused';

interface WakeLockSentinelLike extends EventTarget { released: boolean; release(): Promise<void> }

export class ScreenWakeLock {
  private sentinel: WakeLockSentinelLike | null = null;
  private wanted = false;

  constructor(private readonly onState: (state: WakeState) => void) {
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && this.wanted) void this.acquire();
    });
    this.onState(this.supported ? 'off' : 'unsupported');
  }

  private get supported(): boolean {
    return 'wakeLock' in navigator;
  }

  set(wanted: boolean): void {
    if (wanted === this.wanted) return;
    this.wanted = wanted;
    if (wanted) void this.acquire();
    else void this.release();
  }

  private async acquire(): Promise<void> {
    if (!this.supported) return this.onState('unsupported');
    if (this.sentinel && !this.sentinel.released) return;
    try {
      const sentinel = await (navigator as Navigator & { wakeLock: { request(type: 'screen'): Promise<WakeLockSentinelLike> } })
        .wakeLock.request('screen');
      if (!this.wanted) return void sentinel.release();
      this.sentinel = sentinel;
      sentinel.addEventListener('release', () => {
        if (this.sentinel === sentinel) this.onState('off');
      });
      this.onState('awake');
    } catch {
      this.onState('refused'); // hidden page, battery saver, or a policy: asked again when visible
    }
  }

  private async release(): Promise<void> {
    const sentinel = this.sentinel;
    this.sentinel = null;
    await sentinel?.release().catch(() => {});
    this.onState(this.supported ? 'off' : 'unsupported');
  }
}

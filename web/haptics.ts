// Haptic feedback (navigator.vibrate, on Android phones; iOS and desktops have none): a short buzz when
// Stop is pressed, a double one when this page gets or loses the driver's seat. A setting turns it off.

export type Buzz = 'stop' | 'seat';

const PATTERNS: Record<Buzz, number | number[]> = { stop: 80, seat: [40, 60, 40] };

export function canVibrate(): boolean {
  return typeof navigator.vibrate === 'function';
}

export function buzz(kind: Buzz, enabled: boolean): void {
  if (!enabled || !canVibrate()) return;
  // Browsers refuse (and Chromium logs an error) before the user's first tap on the page.
  const activation = (navigator as Navigator & { userActivation?: { hasBeenActive: boolean } }).userActivation;
  if (activation && !activation.hasBeenActive) return;
  try {
    navigator.vibrate(PATTERNS[kind]); // refused quietly before the user's first tap: nothing to do then
  } catch {
    // some embedded browsers throw instead
  }
}

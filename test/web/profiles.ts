// The two devices every person-facing browser test runs on (issue 20: "phone and desktop profiles"): a
// phone held upright, with touch, and a desktop window.
import type { BrowserContextOptions } from 'playwright-core';

export type Profile = 'a phone' | 'a desktop';

export const PROFILES: ReadonlyArray<readonly [Profile, BrowserContextOptions]> = [
  ['a phone', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }],
  ['a desktop', { viewport: { width: 1280, height: 800 } }],
];

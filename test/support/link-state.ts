// Waits for a vehicle link to reach a state, driven by its 'state' events (no polling, no sleeps).
import type { Link, LinkState } from '../../src/vehicle/index.js';

/** Generous: the machine's two cores are shared by servers, browsers and other test files. */
export const LINK_WAIT_MS = 15_000;

export function waitForLinkState(link: Link, want: LinkState, timeoutMs = LINK_WAIT_MS): Promise<void> {
  if (link.state === want) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`link stayed '${link.state}', wanted '${want}'`)), timeoutMs);
    const on = (s: LinkState): void => {
      if (s !== want) return;
      clearTimeout(timer);
      link.off('state', on);
      resolve();
    };
    link.on('state', on);
  });
}

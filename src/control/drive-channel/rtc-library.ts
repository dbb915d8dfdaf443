/**
 * node-datachannel, loaded on the first channel asked for, never at start: a server that no page asks
 * for a channel pays nothing, and on a system without its binary (32-bit Raspberry Pi OS: the package has
 * none) the import fails, is logged once, and drive input stays on the WebSocket (docs/design.md).
 */
import type { Logger } from '../log.js';

export type RtcLibrary = typeof import('node-datachannel');

let loading: Promise<RtcLibrary | null> | null = null;

export function loadRtcLibrary(log: Logger): Promise<RtcLibrary | null> {
  loading ??= import('node-datachannel').then(
    (lib) => lib,
    (err: Error) => {
      log.warn('drive_channel_unavailable', {}, `no drive channels (node-datachannel did not load: ${err.message}); drive input stays on the WebSocket`);
      return null;
    },
  );
  return loading;
}

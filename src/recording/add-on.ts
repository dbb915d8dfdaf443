/**
 * `--record DIR` as a server add-on (src/control/add-on.ts): a recorder on every car, the recordings'
 * HTTP routes (and the ghosts', ghost-routes.ts), and a close that writes the sessions' end lines. Without
 * --record, ghostAddOn: the ghosts' routes alone (a ghost from a file sent whole). Control never imports this; the CLI hands
 * it to the server.
 */
import { readFileSync } from 'node:fs';
import type { ServerAddOn } from '../control/add-on.js';
import { RecordingDirectory } from './directory.js';
import { createRecordingRoutes } from './http.js';
import { createGhostRoutes } from './ghost-routes.js';
import { CarRecorder } from './recorder.js';
import { RecordingSummaries } from './summaries.js';

export interface RecordSettings {
  dir: string;
  maxFileBytes: number;
  maxTotalBytes: number;
}

/** The longest the server's close waits for the last lines (the shutdown has its own, longer, deadline). */
const CLOSE_WAIT_MS = 1_000;

/** `webracer <version>`, for the headers: this file sits two levels below package.json in src/ and dist/. */
export const SERVER_VERSION = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return `webracer ${pkg.version ?? 'unknown'}`;
  } catch {
    return 'webracer unknown';
  }
})();

/** Ghosts from recordings sent whole (`webracer replay FILE --to URL`), for a server that keeps none. */
export function ghostAddOn(): ServerAddOn {
  return { handle: createGhostRoutes(null) };
}

function either(first: NonNullable<ServerAddOn['handle']>, second: NonNullable<ServerAddOn['handle']>): NonNullable<ServerAddOn['handle']> {
  return (req, res, ctx) => first(req, res, ctx) || second(req, res, ctx);
}

export function recordingAddOn(settings: RecordSettings, log: (line: string) => void): ServerAddOn {
  const directory = new RecordingDirectory({ ...settings, log });
  const summaries = new RecordingSummaries(directory);
  const recorders: CarRecorder[] = [];
  return {
    attach(fleet) {
      for (const world of fleet.worlds) recorders.push(new CarRecorder(world, { directory, server: SERVER_VERSION, log }));
    },
    handle: either(createRecordingRoutes(directory, summaries), createGhostRoutes(directory)),
    async close() {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), CLOSE_WAIT_MS);
      });
      const result = await Promise.race([Promise.all(recorders.map((r) => r.close())), late]);
      clearTimeout(timer);
      if (result === 'late') log(`recording: the last lines were not on disk within ${CLOSE_WAIT_MS} ms; leaving them`);
    },
  };
}

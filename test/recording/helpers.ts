// Shared by the recording tests: a server recording into a fresh folder, and the files it wrote.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { ControlOptions, ControlServer } from '../../src/control/server.js';
import { recordingAddOn, type RecordSettings } from '../../src/recording/add-on.js';
import { parseRecording, type Recording } from '../../src/recording/reader.js';
import { startServer } from '../control/helpers.js';

export function tempDir(t: TestContext, prefix = 'webracer-rec-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface RecordingServer {
  server: ControlServer;
  dir: string;
  logs: string[];
}

/** A control server (sim car unless overridden) with --record into a fresh folder. */
export async function recordingServer(t: TestContext, overrides: Partial<ControlOptions> = {},
  settings: Partial<RecordSettings> = {}): Promise<RecordingServer> {
  const dir = settings.dir ?? tempDir(t);
  const logs: string[] = [];
  const log = (line: string): void => {
    logs.push(line);
  };
  const addOn = recordingAddOn({ dir, maxFileBytes: 32 << 20, maxTotalBytes: 512 << 20, ...settings }, log);
  const server = await startServer(t, { log, addOns: [addOn], ...overrides });
  return { server, dir, logs };
}

/** The recordings in the folder, oldest first, parsed strictly. */
export function readRecordings(dir: string): Array<{ name: string; recording: Recording }> {
  return readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort()
    .map((name) => ({ name, recording: parseRecording(readFileSync(join(dir, name), 'utf8')) }));
}

/** Resolves once the car has reported `count` more poses (20 a second on the simulator): a drive that long. */
export function morePoses(server: ControlServer, count: number): Promise<void> {
  const { driver } = server;
  return new Promise((resolve) => {
    let left = count;
    const on = (): void => {
      if (--left > 0) return;
      driver.off('pose', on);
      resolve();
    };
    driver.on('pose', on);
  });
}

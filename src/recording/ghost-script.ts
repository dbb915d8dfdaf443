/**
 * A recording as a ghost's script (src/control/ghost/): the same Replay as `webracer replay`, driving the
 * ghost's own simulated car from where the recorded car stood. Before it is shown, the whole session is
 * replayed at once (as the CLI does before anything connects): a file that would make the Driver write
 * far more than it recorded was not written by a server, and is refused.
 */
import type { GhostScript } from '../control/ghost/ghost-yard.js';
import { parseClientMessage } from '../control/protocol/validate.js';
import { createCodec } from '../vehicle/index.js';
import { replayAtOnce, startPose } from './dry-run.js';
import { RecordingParser, RecordingError, durationOf, type CutShort, type Playable } from './reader.js';
import { MAX_LINE_BYTES, type RecordingLine } from './format.js';
import { Replay } from './replay.js';

/** The largest recording a ghost is made from, sent or on disk: minutes of driving, checked in milliseconds. */
export const MAX_GHOST_FILE_BYTES = 2 * 1024 * 1024;

/** A ghost that replays `recording`; throws a RecordingError when no server wrote it. */
export async function ghostScriptOf(recording: Playable): Promise<GhostScript> {
  const { header } = recording;
  const lost = recording.end?.lost ?? 0;
  if (lost > 0) throw new RecordingError(null, `${lost} command or byte lines were lost while recording (the disk could not keep up), so this is not what happened`);
  const rehearsal = await replayAtOnce(recording, { codec: createCodec(header.codec) });
  if (rehearsal.outcome.kind === 'overrun') {
    throw new RecordingError(null, `replayed, it would write ${rehearsal.outcome.writes} times to the car, and the recording has ${rehearsal.outcome.recorded} `
      + 'writes: no server wrote this file');
  }
  const { watchdogMs, refreshMs, maxSpeed } = header.limits;
  return {
    label: labelOf(recording),
    codec: header.codec,
    limits: { watchdogMs, refreshMs, maxSpeed },
    start: startPose(recording, 0) ?? null,
    durationMs: durationOf(recording),
    play(driver, clock) {
      const replay = new Replay({ recording, driver, clock });
      return { done: replay.start(), stop: () => replay.stop() };
    },
  };
}

/** `ghost · Ada's drive`: the name its driver gave (never a client id), else the car's. */
export function labelOf(recording: Playable): string {
  const names = new Map<string, string>();
  let driver: string | null = recording.header.driver;
  for (const line of recording.lines) {
    if (line.kind === 'message' && 'type' in line.message && line.message.type === 'name') {
      const name = nameIn(line.message);
      if (name !== null) names.set(line.client, name);
    }
    if (driver === null && line.kind === 'seat') driver = line.driver;
  }
  const name = driver === null ? undefined : names.get(driver);
  return name ? `ghost · ${name}'s drive` : `ghost · a drive on ${recording.header.car}`;
}

/**
 * A recorded name, if the server's own schema takes it (1 to 24 printable characters): a file sent whole
 * is anyone's text, and a label goes on every map.
 */
function nameIn(message: unknown): string | null {
  const parsed = parseClientMessage(JSON.stringify(message));
  if (!parsed.ok || !('type' in parsed.message) || parsed.message.type !== 'name') return null;
  return parsed.message.name.trim();
}

/**
 * Reads a recording sent whole (a request's body), every line checked as a file's are (reader.ts): a last
 * line without its newline is the cut of a recording cut short. Throws a RecordingError.
 */
export function readRecordingBytes(bytes: Buffer): { recording: Playable; cut: CutShort | null } {
  const parser = new RecordingParser();
  const lines: RecordingLine[] = [];
  let from = 0;
  for (let nl = bytes.indexOf(10); nl >= 0; from = nl + 1, nl = bytes.indexOf(10, from)) {
    if (nl - from > MAX_LINE_BYTES) parser.tooLong();
    const line = parser.pushBytes(bytes.subarray(from, nl));
    if (line !== null) lines.push(line);
  }
  const cut = parser.finish(from < bytes.length);
  return { recording: { header: parser.header!, lines, end: parser.end }, cut };
}

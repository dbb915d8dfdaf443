/**
 * Before a replay drives a car with the codec its recording names: does the codec here speak the
 * characters the recorded car was sent? It does not when the car's app uses other characters and the
 * recording was made with a --charmap that the replay was not given (docs/vehicle.md): the replay would
 * send letters the car reads as something else, or a stop it does not know.
 *
 * A recorded byte is accounted for when the same session replayed at once (dry-run.ts) sends it (raw
 * bytes and all), or when it is one of the codec's own characters: the server writes a few that no recorded
 * line asks for (the horn switched off when a driver leaves). What this cannot see is a map that swaps the
 * same characters around; a map with other characters, the usual clone, it does.
 */
import { ACCESSORY_NAMES, type Codec } from '../vehicle/index.js';
import type { TimelineEntry } from './dry-run.js';
import { fromHex } from './format.js';
import type { Playable } from './reader.js';

/**
 * The byte values the recorded car was sent that `codec` neither sends for this session nor knows,
 * ascending. `timeline`: the whole session replayed at once with `codec` at speed 1 (replayAtOnce),
 * whatever part the replay plays: the question is the codec, not the timing.
 */
export function bytesNotReproduced(recording: Playable, codec: Codec, timeline: readonly TimelineEntry[]): number[] {
  const known = alphabet(codec);
  for (const entry of timeline) if (entry.kind === 'write') for (const b of entry.bytes) known.add(b);
  const missing = new Set<number>();
  for (const line of recording.lines) {
    if (line.kind === 'write') for (const b of fromHex(line.bytes)) if (!known.has(b)) missing.add(b);
  }
  return [...missing].sort((a, b) => a - b);
}

/** Every byte the codec gives a meaning: what its decoder reads, and its lights' and horn's characters. */
function alphabet(codec: Codec): Set<number> {
  const known = new Set<number>();
  const decode = codec.decoder();
  for (let b = 0; b < 256; b++) if (decode(b) !== null) known.add(b);
  for (const name of [...ACCESSORY_NAMES, 'all'] as const) {
    for (const on of [true, false]) for (const b of codec.accessory?.(name, on) ?? []) known.add(b);
  }
  return known;
}

/** `0x46 'F'`: a byte as the character maps write it. */
export function describeByte(b: number): string {
  const hex = `0x${b.toString(16).padStart(2, '0')}`;
  return b >= 0x21 && b <= 0x7e ? `${hex} '${String.fromCharCode(b)}'` : hex;
}

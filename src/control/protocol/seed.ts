/**
 * The seed's command semantics (../shared/design/PROTOCOL.md section 2), kept for seed-era clients:
 * each connection remembers the last duration it sent (starting at the seed's 0.1 s); up/down/left/right
 * are held for that duration, `raw` for the seed car class's default 1.0 s, and `stop` acts at once.
 */
import type { SeedCommand } from './messages.js';

/** The seed started every connection with this duration (seconds). */
export const SEED_INITIAL_DURATION_S = 0.1;
/** The seed's car class held a raw byte for its default duration (seconds). */
export const SEED_RAW_DURATION_S = 1.0;

/** The demands a seed command becomes; a subset of the vehicle layer's Demand (contract B). */
export type SeedDemand =
  | { kind: 'command'; name: 'stop' }
  | { kind: 'command'; name: 'forward' | 'backward' | 'left' | 'right'; speed?: number; durationMs: number }
  | { kind: 'raw'; byte: number; durationMs: number };

const NAMED = { up: 'forward', down: 'backward', left: 'left', right: 'right' } as const;

/** Per-connection seed state: the remembered duration. */
export class SeedSession {
  private durationS = SEED_INITIAL_DURATION_S;

  get duration(): number {
    return this.durationS;
  }

  /** Turns a validated seed command into a demand, remembering its duration first (as the seed did). */
  toDemand(cmd: SeedCommand): SeedDemand {
    if (cmd.duration !== undefined && cmd.duration !== null) this.durationS = cmd.duration;
    switch (cmd.command) {
      case 'stop':
        return { kind: 'command', name: 'stop' };
      case 'raw':
        return { kind: 'raw', byte: cmd.data as number, durationMs: toMs(SEED_RAW_DURATION_S) };
      default: {
        const demand: SeedDemand = { kind: 'command', name: NAMED[cmd.command], durationMs: toMs(this.durationS) };
        if (cmd.speed !== undefined) demand.speed = cmd.speed;
        return demand;
      }
    }
  }
}

function toMs(seconds: number): number {
  return Math.max(1, Math.round(seconds * 1000)); // a tiny duration still sends the byte, then stops
}

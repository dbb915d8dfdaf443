// What a driver can ask of the car, independent of the car's wire protocol, and the checks that keep a
// malformed demand from ever reaching a codec.

export type CommandName = 'stop' | 'forward' | 'backward' | 'left' | 'right';

export type Demand =
  | { kind: 'analog'; x: number; y: number } // x right, y forward, each in [-1, 1]
  | { kind: 'command'; name: CommandName; speed?: number; durationMs?: number }
  | { kind: 'raw'; byte: number; durationMs?: number }; // byte 0..255

export type Direction =
  | 'stop' | 'forward' | 'backward' | 'left' | 'right'
  | 'forward-left' | 'forward-right' | 'backward-left' | 'backward-right';

/** A motion as the car understands it: a direction and a speed step on the i-Racer's scale (0-15). */
export interface Intent {
  readonly direction: Direction;
  readonly speed: number;
}

export const COMMAND_NAMES: readonly CommandName[] = ['stop', 'forward', 'backward', 'left', 'right'];

/** The speed scale every codec maps onto: 0 is standstill, 15 is flat out (the i-Racer's nibble). */
export const MAX_SPEED = 15;
/** Longest hold a named or raw command may ask for; a longer one is almost surely a unit mistake. */
export const MAX_DURATION_MS = 60_000;

export const STOP: Intent = Object.freeze({ direction: 'stop', speed: 0 });

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function checkDuration(d: Record<string, unknown>): void {
  if (d.durationMs === undefined) return;
  const ms = d.durationMs;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0 || ms > MAX_DURATION_MS) {
    throw new TypeError(`demand.durationMs must be a number in (0, ${MAX_DURATION_MS}], got ${String(ms)}`);
  }
}

function checkUnit(name: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < -1 || v > 1) {
    throw new TypeError(`demand.${name} must be a number in [-1, 1], got ${String(v)}`);
  }
}

/** Throws a TypeError naming the offending field; returns the demand typed when it is valid. */
export function validateDemand(d: unknown): Demand {
  if (!isObject(d)) throw new TypeError('demand must be an object');
  switch (d.kind) {
    case 'analog':
      checkUnit('x', d.x);
      checkUnit('y', d.y);
      return d as Demand;
    case 'command':
      if (!COMMAND_NAMES.includes(d.name as CommandName)) {
        throw new TypeError(`demand.name must be one of ${COMMAND_NAMES.join(', ')}, got ${String(d.name)}`);
      }
      if (d.speed !== undefined && (!Number.isInteger(d.speed) || (d.speed as number) < 1 || (d.speed as number) > MAX_SPEED)) {
        throw new TypeError(`demand.speed must be an integer in [1, ${MAX_SPEED}], got ${String(d.speed)}`);
      }
      checkDuration(d);
      return d as Demand;
    case 'raw':
      if (!Number.isInteger(d.byte) || (d.byte as number) < 0 || (d.byte as number) > 255) {
        throw new TypeError(`demand.byte must be an integer in [0, 255], got ${String(d.byte)}`);
      }
      checkDuration(d);
      return d as Demand;
    default:
      throw new TypeError(`demand.kind must be 'analog', 'command' or 'raw', got ${String(d.kind)}`);
  }
}

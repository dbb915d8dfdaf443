/**
 * The clients of one car and what they all hear: the state and the video status when they change (each
 * deduplicated, so an unchanged state is never sent twice), and the simulated car's pose at most 20 times
 * a second, a few clients at a time (fan-out.ts) so a crowd of spectators never delays a command.
 */
import type { Pose } from '../../vehicle/index.js';
import type { ClientSession } from '../connection/client-session.js';
import { FanOut } from '../connection/fan-out.js';
import { Throttle } from '../throttle.js';

/** Telemetry is at most 20 per second per client. */
const TELEMETRY_INTERVAL_MS = 50;

export class Audience {
  private readonly sessions = new Map<string, ClientSession>();
  /** The last text of each kind sent to everyone, so an unchanged one is not sent again. */
  private readonly last = new Map<string, string>();
  private readonly telemetry: Throttle;
  private readonly telemetryFan = new FanOut();
  /** The arena sends this car's pose with the others' (`poses`), so its own `telemetry` would repeat it. */
  private telemetryMuted = false;

  constructor(private readonly pose: () => { pose: Pose; t: number } | null, now: () => number) {
    this.telemetry = new Throttle(TELEMETRY_INTERVAL_MS, () => this.sendPose(), now);
  }

  get size(): number {
    return this.sessions.size;
  }

  add(session: ClientSession): void {
    this.sessions.set(session.id, session);
  }

  /** False when the session was not here (its departure was already handled). */
  remove(session: ClientSession): boolean {
    return this.sessions.delete(session.id);
  }

  get(id: string): ClientSession | undefined {
    return this.sessions.get(id);
  }

  values(): IterableIterator<ClientSession> {
    return this.sessions.values();
  }

  /** Sends one text to every client, now. */
  broadcast(json: string): void {
    for (const session of this.sessions.values()) session.sendText(json);
  }

  /** Sends `json` to everyone unless it is what was last sent under `kind` ('state', 'video'). */
  broadcastChange(kind: string, json: string): void {
    if (this.last.get(kind) === json) return;
    this.last.set(kind, json);
    this.broadcast(json);
  }

  /** The car moved: its pose goes out at the next telemetry tick. */
  poseChanged(): void {
    if (!this.telemetryMuted) this.telemetry.notify();
  }

  /**
   * Stops this car's own `telemetry` after the first pose each client gets with its welcome: the arena
   * sends every simulated car's pose, this one's included, to its pages (`poses`), and each text sent is
   * a write to the kernel that a crowd of spectators multiplies.
   */
  muteTelemetry(): void {
    this.telemetryMuted = true;
    this.telemetry.cancel();
  }

  close(): void {
    this.telemetry.cancel();
    this.telemetryFan.cancel();
  }

  private sendPose(): void {
    const now = this.pose();
    if (!now) return;
    this.telemetryFan.send(JSON.stringify({ type: 'telemetry', ...now }), this.sessions.values());
  }
}

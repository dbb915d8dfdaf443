// A scripted driver for the simulated arena: drive messages at 20 Hz, steering by the car's own
// telemetry towards each waypoint in turn (full lock or straight, as a toy car steers). Closed loop, so
// the route it drives does not depend on how busy the machine is; it stops the car at the end. Like the
// page, it shows the server the stick at neutral before its first push, and again after any notice that
// it was disarmed (a watchdog stop when the machine stalls: docs/protocol.md "Arming").
import { DISARM_CODES, type Circuit, type Pose } from '../../src/control/protocol/messages.js';

export type Waypoint = [number, number];

export interface BotClient {
  readonly inbox: ReadonlyArray<{ type: string; pose?: Pose; poses?: Record<string, Pose>; code?: string }>;
  send(value: object): void;
}

/** A waypoint this close is reached. */
const REACHED_M = 0.35;
/** A waypoint behind the car and this close is passed: circling back for it could orbit it for ever. */
const PASSED_M = 1.0;
/** Within this heading error the car drives straight (a tick at full lock turns 0.19 rad). */
const STRAIGHT_RAD = 0.12;

/** The car's latest pose: its `telemetry`, or (with several simulated cars) its entry in the arena's `poses`. */
function latestPose(client: BotClient, car: string): Pose | null {
  for (let i = client.inbox.length - 1; i >= 0; i--) {
    const m = client.inbox[i];
    if (m.type === 'telemetry' && m.pose) return m.pose;
    if (m.type === 'poses' && m.poses?.[car]) return m.poses[car];
  }
  return null;
}

/** Drives `car` along the route, then sends a stop; resolves then. Rejects after `timeoutMs`. */
export function driveRoute(client: BotClient, car: string, route: readonly Waypoint[], timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let armedAt = -1; // the inbox's length when the bot last showed neutral
    const deadline = Date.now() + timeoutMs;
    const disarmed = () => client.inbox.slice(armedAt).some((m) => m.type === 'notice' && (DISARM_CODES as readonly unknown[]).includes(m.code));
    const timer = setInterval(() => {
      const pose = latestPose(client, car);
      if (!pose) return;
      next = waypointFrom(pose, route, next);
      if (next >= route.length) {
        clearInterval(timer);
        client.send({ type: 'stop' });
        return resolve();
      }
      if (Date.now() > deadline) {
        clearInterval(timer);
        client.send({ type: 'stop' });
        return reject(new Error(`route not driven within ${timeoutMs} ms: at waypoint ${next} of ${route.length}, pose ${JSON.stringify(pose)}`));
      }
      const steer = steerTowards(pose, route[next]);
      if (armedAt < 0 || disarmed()) {
        armedAt = client.inbox.length;
        client.send({ type: 'drive', x: 0, y: 0 });
      }
      client.send(steer === 0 ? { type: 'drive', x: 0, y: 1 } : { type: 'drive', x: steer * Math.SQRT1_2, y: Math.SQRT1_2 });
    }, 50);
  });
}

/** The waypoint to head for from `pose`, `next` or one after it: those reached or passed are skipped. */
export function waypointFrom(pose: Pose, route: readonly Waypoint[], next: number): number {
  for (; next < route.length; next++) {
    const [tx, ty] = route[next];
    const distance = Math.hypot(tx - pose.x, ty - pose.y);
    const error = bearingError(pose, tx, ty);
    if (!(distance < REACHED_M || (distance < PASSED_M && Math.abs(error) > Math.PI * 0.55))) break;
  }
  return next;
}

/** How far (radians, clockwise positive) the car must turn to face the point: -1, 0 or 1 as a toy car steers. */
export function steerTowards(pose: Pose, [x, y]: Waypoint): number {
  const error = bearingError(pose, x, y);
  return Math.abs(error) < STRAIGHT_RAD ? 0 : Math.sign(error);
}

/** How far (radians, clockwise positive) the car must turn to face the point. */
function bearingError(pose: Pose, x: number, y: number): number {
  const bearing = Math.atan2(x - pose.x, y - pose.y); // clockwise from +y, as the heading
  return Math.atan2(Math.sin(bearing - pose.heading), Math.cos(bearing - pose.heading));
}

/** Routes on the arena's circuit (src/control/track/circuit.ts), from the grid. */
export function routes(circuit: Circuit): { lap: Waypoint[]; backwards: Waypoint[]; cut: Waypoint[] } {
  const line = circuit.centreline;
  const topOfStraight = line[0];
  const bottomOfStraight = line[line.length - 1];
  const pastStartLine: Waypoint = [topOfStraight[0], circuit.startLine.a.y + 0.6];
  const rightStraight = line.find(([x]) => x > 2.5)!; // where the right straight begins, at the top
  return {
    // Up the straight, round the oval, over the start line: one lap from go.
    lap: [...line, pastStartLine],
    // The other way round: down over the start line, round the bottom, up the right, over the top, back
    // down to the grid.
    backwards: [bottomOfStraight, ...[...line].reverse(), [topOfStraight[0], 0]],
    // Up the straight, straight across the infield below the top turn (missing its checkpoint), down the
    // right straight, round the bottom and over the start line.
    cut: [[topOfStraight[0], 0.6], [rightStraight[0], 0.6], ...line.slice(line.indexOf(rightStraight) + 1), pastStartLine],
  };
}

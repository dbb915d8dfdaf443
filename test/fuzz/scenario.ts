/**
 * One fuzz case: a few clients, each in a role on a car, the frames they send in order, and HTTP requests
 * sent meanwhile. fast-check generates and shrinks it; a failure prints it as JSON lines a person can
 * paste into `npm run fuzz -- --replay FILE` (toLines / fromLines).
 */
import fc from 'fast-check';
import { CARS, frame, type CarName, type Frame } from './client-frames.js';
import { httpRequest, type HttpPlan } from './http-requests.js';

/**
 * How each role connects (runner.ts does it; the reproducer names only the role):
 * driver: presents the token at the upgrade and claims the seat (red or blue: green's seat is the keeper's);
 * marshal: presents the token, `role=watch` (never seated by itself; may stop, race, mark laps);
 * camera: presents the token, `role=camera`, sends camera-on; watcher: `role=watch`, sends watch;
 * unauth: no token, from another loopback address (its wrong tokens lock out only that address);
 * spectator: no token (on a server without one: anyone may drive a free seat).
 */
export const ROLES = ['driver', 'marshal', 'camera', 'watcher', 'unauth', 'spectator'] as const;
export type Role = (typeof ROLES)[number];

export interface ClientPlan {
  role: Role;
  car: CarName;
  /** Stops reading its socket while the steps are sent (a phone on a bad link). */
  slow?: boolean;
  /** Offers a name key no server issued at the upgrade (docs/security.md: a made-up default's key). */
  madeUpNameKey?: boolean;
}

export interface Step { client: number; frame: Frame }

export interface Scenario { clients: ClientPlan[]; steps: Step[]; http: HttpPlan[] }

export interface ScenarioShape {
  roles: readonly Role[];
  frames?: fc.Arbitrary<Frame>;
  http?: fc.Arbitrary<HttpPlan>;
  maxClients?: number;
  maxSteps?: number;
  maxRequests?: number;
  slowWeight?: number;
}

function clientPlan(shape: ScenarioShape): fc.Arbitrary<ClientPlan> {
  return fc.record({
    role: fc.constantFrom(...shape.roles),
    car: fc.constantFrom(...CARS),
    slow: fc.integer({ min: 0, max: 99 }).map((n) => n < (shape.slowWeight ?? 3)),
    madeUpNameKey: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  }).map(({ role, car, slow, madeUpNameKey }): ClientPlan => {
    const plan: ClientPlan = { role, car: role === 'driver' && car === 'green' ? 'red' : car };
    if (slow) plan.slow = true;
    if (madeUpNameKey) plan.madeUpNameKey = true;
    return plan;
  });
}

export function scenario(shape: ScenarioShape): fc.Arbitrary<Scenario> {
  const frames = shape.frames ?? frame();
  return fc.record({
    clients: fc.array(clientPlan(shape), { minLength: 1, maxLength: shape.maxClients ?? 4 }),
    steps: fc.array(fc.record({ client: fc.nat({ max: 7 }), frame: frames }), { minLength: 0, maxLength: shape.maxSteps ?? 12 }),
    http: fc.array(shape.http ?? httpRequest(), { maxLength: shape.maxRequests ?? 3 }),
  }).map((s) => ({ ...s, steps: s.steps.map((step) => ({ ...step, client: step.client % s.clients.length })) }));
}

/** The scenario as JSON lines: the clients first, then each frame, then each HTTP request. */
export function toLines(s: Scenario): string[] {
  const lines = s.clients.map((c, i) => JSON.stringify({ client: i, ...c }));
  for (const { client, frame: f } of s.steps) {
    switch (f.kind) {
      case 'text': lines.push(JSON.stringify({ client, send: f.text })); break;
      case 'burst': lines.push(JSON.stringify({ client, send: f.text, times: f.count })); break;
      case 'binary': lines.push(JSON.stringify({ client, binary: f.hex })); break;
      case 'bad-utf8': lines.push(JSON.stringify({ client, badUtf8: f.hex })); break;
      case 'pause': lines.push(JSON.stringify({ client, pause: f.ms })); break;
    }
  }
  for (const request of s.http) lines.push(JSON.stringify({ http: request }));
  return lines;
}

/** Reads toLines' form back (for --replay); throws naming the line that does not fit. */
export function fromLines(lines: readonly string[]): Scenario {
  const s: Scenario = { clients: [], steps: [], http: [] };
  lines.forEach((line, n) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const v = JSON.parse(line) as Record<string, unknown>;
    if (v.http !== undefined) return void s.http.push(v.http as HttpPlan);
    const client = Number(v.client);
    if (typeof v.role === 'string') {
      if (!(ROLES as readonly string[]).includes(v.role) || !(CARS as readonly string[]).includes(String(v.car))) throw new Error(`line ${n + 1}: unknown role or car`);
      return void s.clients.push({ role: v.role as Role, car: v.car as CarName, ...(v.slow === true ? { slow: true } : {}),
        ...(v.madeUpNameKey === true ? { madeUpNameKey: true } : {}) });
    }
    if (!(client >= 0 && client < s.clients.length)) throw new Error(`line ${n + 1}: no client ${String(v.client)} declared above`);
    s.steps.push({ client, frame: frameOf(v, n) });
  });
  return s;
}

function frameOf(v: Record<string, unknown>, n: number): Frame {
  if (typeof v.send === 'string') return typeof v.times === 'number' ? { kind: 'burst', text: v.send, count: v.times } : { kind: 'text', text: v.send };
  if (typeof v.binary === 'string') return { kind: 'binary', hex: v.binary };
  if (typeof v.badUtf8 === 'string') return { kind: 'bad-utf8', hex: v.badUtf8 };
  if (typeof v.pause === 'number') return { kind: 'pause', ms: v.pause };
  throw new Error(`line ${n + 1}: a step needs send, binary, badUtf8 or pause`);
}

/** The roles each kind of target has: `unauth` only where there is a token to lack, `spectator` where there is none. */
export function rolesFor(kind: 'token' | 'open'): Role[] {
  return kind === 'token' ? ['driver', 'marshal', 'camera', 'watcher', 'unauth'] : ['driver', 'spectator', 'camera', 'watcher'];
}

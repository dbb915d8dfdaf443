/**
 * The fuzzer narrowed to the inputs around each bug it found and that was fixed (issue 18 items 1-7,
 * issue 17 item 3): the same engine, roles and invariants, cases drawn from a smaller family, so a few
 * seconds of each (protocol.test.ts, `npm run fuzz -- --family ITEM`) would find the bug again if it came
 * back. The bounded run's random cases reach these inputs too, but rarely: a flood of large answers at a
 * slow camera, or a GET in the moment a recording's file is empty, needs many cases to come by chance.
 */
import fc from 'fast-check';
import { frame, type Frame } from './client-frames.js';
import { FOREIGN_HOSTS, httpRequest, type HttpPlan } from './http-requests.js';
import { deepNode, hostileNode, render, str, obj, raw, MARK, MAX_NESTING } from './json-text.js';
import { rep } from './placeholders.js';
import { SEED_COMMANDS } from './protocol-names.js';
import { scenario, type Role, type Scenario } from './scenario.js';
import { MAX_VIEWERS, PLANTED_LINK, type TargetKind } from './target.js';

const text = (t: string): Frame => ({ kind: 'text', text: t });

/** Seed commands (stops most) with an unknown field of a hostile value (`deep`: nested thousands deep). */
function seedWithHostileField(deep = false): fc.Arbitrary<Frame> {
  const value = deep ? deepNode(MAX_NESTING, 3_000) : hostileNode(MAX_NESTING);
  return fc.tuple(fc.constantFrom('stop', 'stop', ...SEED_COMMANDS), value)
    .map(([command, value]) => text(render(obj([['command', str(command)], ...(command === 'raw' ? [['data', raw('0')] as [string, ReturnType<typeof raw>]] : []), [`x${MARK}`, value]]))));
}

/** A slow-reading camera, as many watchers as it may serve (MAX_VIEWERS), sending it the largest answers
 *  at their full rate (60 a second) for a few seconds. */
function signalFlood(): fc.Arbitrary<Scenario> {
  const watchers = Array.from({ length: MAX_VIEWERS }, (_, i) => i + 1);
  return fc.tuple(fc.integer({ min: 11_000, max: 11_990 }), fc.integer({ min: 4, max: 8 })).map(([size, rounds]) => {
    const answer = `{"type":"signal","to":"{{peer0}}","description":{"type":"answer","sdp":"v=0 {{m}} ${rep(size, 'a')}"}}`;
    const steps = Array.from({ length: rounds }, () => [
      ...watchers.map((client) => ({ client, frame: { kind: 'burst', text: answer, count: 60 } as Frame })),
      { client: 0, frame: { kind: 'pause', ms: 1000 } as Frame },
    ]).flat();
    return { clients: [{ role: 'camera', car: 'red', slow: true }, ...watchers.map(() => ({ role: 'watcher' as Role, car: 'red' as const }))], steps, http: [] };
  });
}

/** Requests of the fuzzer's own kind with some parts fixed; `plain`: no body, HTTP/1.1, read to the end. */
function requests(plan: fc.Arbitrary<Partial<HttpPlan>>, plain = false): fc.Arbitrary<HttpPlan> {
  return fc.tuple(httpRequest(), plan).map(([base, over]) => {
    const request = { ...base, ...over };
    if (!plain) return request;
    const { body: _body, cut: _cut, manyHeaders: _many, ...rest } = request;
    return { ...rest, version: 'HTTP/1.1' };
  });
}

/** Requests for a recording a token holder may read (`name`: its name, a placeholder or the planted link's). */
function recordingGets(names: string[]): fc.Arbitrary<HttpPlan> {
  const headers: Array<[string, string]> = [['Host', '{{host}}'], ['Authorization', 'Bearer {{token}}']];
  return requests(fc.record({ from: fc.constant('holder' as const), method: fc.constant('GET'), target: fc.constantFrom(...names), headers: fc.constant(headers) }), true);
}

/** The video messages in every order, from every role: ICE servers only with video, minted for the asker. */
function videoAsks(): fc.Arbitrary<Frame> {
  const texts = ['{"type":"watch"}', '{"type":"unwatch"}', '{"type":"camera-on"}', '{"type":"camera-off"}', '{"type":"auth","token":"wrong {{m}}"}'];
  return fc.constantFrom(...texts).map((t) => text(t));
}

export interface Focus {
  /** The issue and item ("18.1": issue 18, item 1). */
  item: string;
  /** What held once it was fixed, and the fuzzer holds to. */
  title: string;
  /** The server it runs against (the bounded run's two, each in its own lane). */
  target: TargetKind;
  family: (roles: readonly Role[]) => fc.Arbitrary<Scenario>;
}

export const FOCUSES: readonly Focus[] = [
  {
    item: '18.1', target: 'open',
    title: 'a seed command with an unknown field nested thousands deep is recorded without it, and the process stays up',
    family: (roles) => scenario({ roles, frames: seedWithHostileField(true), maxRequests: 0 }),
  },
  {
    item: '18.2', target: 'token',
    title: 'a GET of a recording whose file is still empty leaves no file open',
    // A session starting (its file empty for a moment) while its recording is asked for.
    family: () => scenario({ roles: ['driver'], maxSteps: 1, maxRequests: 3, http: recordingGets(['/api/recordings/{{recording}}']) }),
  },
  {
    item: '18.3', target: 'token',
    title: 'a stop from a non-driver, refused or not, is in no recording with its extra fields',
    family: (roles) => scenario({ roles: roles.filter((r) => r !== 'driver'), frames: fc.oneof(seedWithHostileField(), frame()), maxRequests: 0 }),
  },
  {
    item: '18.4', target: 'open',
    title: 'a camera that reads slowly keeps its connection when its viewers flood it with large answers',
    family: signalFlood,
  },
  {
    item: '18.5', target: 'token',
    title: 'a link named like a recording in the recordings folder is not followed',
    family: (roles) => scenario({ roles, maxSteps: 0, http: recordingGets([`/api/recordings/${PLANTED_LINK}`, `/api/recordings/${PLANTED_LINK}?download`]) }),
  },
  {
    item: '18.6', target: 'open',
    title: 'every HTTP route answers a foreign Host 421 (DNS rebinding)',
    family: (roles) => scenario({
      roles, maxSteps: 0,
      http: requests(fc.record({ headers: fc.constantFrom(...FOREIGN_HOSTS).map((h): Array<[string, string]> => [['Host', h]]), method: fc.constant('GET'), version: fc.constant('HTTP/1.1') })),
    }),
  },
  {
    item: '18.7', target: 'token',
    title: 'ICE servers never in welcome, only in answer to watch or an accepted camera-on, TURN credentials minted for the asker',
    family: (roles) => scenario({ roles, frames: videoAsks(), maxRequests: 0 }),
  },
  {
    item: '17.3', target: 'open',
    title: 'a stop after a burst of driving stops the car',
    family: () => scenario({
      roles: ['driver'], maxClients: 1, maxRequests: 0,
      frames: fc.integer({ min: 61, max: 130 }).map((count): Frame => ({ kind: 'burst', text: '{"command":"up","duration":2}', count })),
    }),
  },
];

/** The focus of an item, or an error naming those there are. */
export function focusOn(item: string): Focus {
  const found = FOCUSES.find((f) => f.item === item);
  if (found === undefined) throw new Error(`no focus on ${item}: there are ${FOCUSES.map((f) => f.item).join(', ')}`);
  return found;
}

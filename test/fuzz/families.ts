/**
 * The fuzzer narrowed to the inputs around one known bug (known-bugs.ts), for its `todo` test: the same
 * engine, roles and invariants, cases drawn from a smaller family, so a few seconds find it while it is
 * there (and say so when its fix lands).
 */
import fc from 'fast-check';
import { frame, type Frame } from './client-frames.js';
import { FOREIGN_HOSTS, httpRequest, type HttpPlan } from './http-requests.js';
import { deepNode, hostileNode, render, str, obj, raw, MARK } from './json-text.js';
import { FULL_LIMITS } from './known-bugs.js';
import { rep } from './placeholders.js';
import { SEED_COMMANDS } from './protocol-names.js';
import { scenario, type Role, type Scenario } from './scenario.js';
import { MAX_VIEWERS, PLANTED_LINK } from './target.js';

const text = (t: string): Frame => ({ kind: 'text', text: t });

/** Seed commands (stops most) with an unknown field of a hostile value (`deep`: nested thousands deep). */
function seedWithHostileField(deep = false): fc.Arbitrary<Frame> {
  const value = deep ? deepNode(FULL_LIMITS.seedNesting, 3_000) : hostileNode(FULL_LIMITS.seedNesting);
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

/** Each known bug's family, for the roles of a target with a token. */
export function family(item: string, roles: readonly Role[]): fc.Arbitrary<Scenario> {
  const base = { roles, limits: FULL_LIMITS };
  switch (item) {
    case '18.1':
      return scenario({ ...base, frames: seedWithHostileField(true), maxRequests: 0 });
    case '18.2': // a session starting (its file empty for a moment) while its recording is asked for
      return scenario({
        ...base, roles: ['driver'], maxSteps: 1, maxRequests: 3,
        http: requests(fc.record({ from: fc.constant('holder' as const), method: fc.constant('GET'), target: fc.constant('/api/recordings/{{recording}}'), headers: fc.constant<Array<[string, string]>>([['Host', '{{host}}'], ['Authorization', 'Bearer {{token}}']]) }), true),
      });
    case '18.3':
      return scenario({ ...base, roles: roles.filter((r) => r !== 'driver'), frames: fc.oneof(seedWithHostileField(), frame(base.limits)), maxRequests: 0 });
    case '18.4':
      return signalFlood();
    case '18.5':
      return scenario({ ...base, maxSteps: 0, http: requests(fc.record({ from: fc.constant('holder' as const), target: fc.constantFrom(`/api/recordings/${PLANTED_LINK}`, `/api/recordings/${PLANTED_LINK}?download`), method: fc.constant('GET'), headers: fc.constant<Array<[string, string]>>([['Host', '{{host}}'], ['Authorization', 'Bearer {{token}}']]) }), true) });
    case '18.6':
      return scenario({ ...base, maxSteps: 0, http: requests(fc.record({ headers: fc.constantFrom(...FOREIGN_HOSTS).map((h): Array<[string, string]> => [['Host', h]]), method: fc.constant('GET'), version: fc.constant('HTTP/1.1') })) });
    case '18.7':
      return scenario({ ...base, maxSteps: 0, maxRequests: 0 });
    case '17.3':
      return scenario({
        ...base, roles: ['driver'], maxClients: 1, maxRequests: 0,
        frames: fc.integer({ min: 61, max: 130 }).map((count): Frame => ({ kind: 'burst', text: '{"command":"up","duration":2}', count })),
      });
    default:
      throw new Error(`no family for ${item}`);
  }
}

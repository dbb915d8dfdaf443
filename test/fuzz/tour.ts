/**
 * The cases every run starts with, before the random ones: each role sends one valid message of every
 * kind, and every route is asked for once by a token holder and once by an attacker. So a bounded run
 * covers all of role x message and every route whatever its seed, and the random cases go further.
 */
import { CARS } from './client-frames.js';
import { ROUTES, type HttpPlan } from './http-requests.js';
import { SEED_COMMANDS, typedMessageTypes } from './protocol-names.js';
import type { Role, Scenario } from './scenario.js';

/** One valid text of each typed message (placeholders as in placeholders.ts). */
const TYPED: Record<string, string> = {
  drive: '{"type":"drive","x":0,"y":0.5}',
  stop: '{"type":"stop"}',
  ping: '{"type":"ping","id":"tour {{m}}"}',
  auth: '{"type":"auth","token":"wrong {{m}}"}',
  claim: '{"type":"claim"}',
  release: '{"type":"release"}',
  resume: '{"type":"resume","token":"{{m}}"}',
  'camera-on': '{"type":"camera-on"}',
  'camera-off': '{"type":"camera-off"}',
  watch: '{"type":"watch"}',
  unwatch: '{"type":"unwatch"}',
  signal: '{"type":"signal","to":"{{peer0}}","candidate":null}',
  channel: '{"type":"channel","open":true}',
  accessory: '{"type":"accessory","name":"all","on":false}',
  'race-start': '{"type":"race-start","laps":1}',
  'race-end': '{"type":"race-end"}',
  'race-best-lap': '{"type":"race-best-lap"}',
  'lap-mark': '{"type":"lap-mark","car":"green"}',
  name: '{"type":"name","name":"tour {{m}}"}',
};

function seedText(command: string): string {
  return command === 'raw' ? '{"command":"raw","data":0}' : `{"command":"${command}","duration":0.05,"tour":"{{m}}"}`;
}

export function tour(roles: readonly Role[]): Scenario[] {
  const missing = typedMessageTypes().filter((t) => TYPED[t] === undefined);
  if (missing.length > 0) throw new Error(`tour.ts: no tour text for ${missing.join(', ')}`);
  const texts = [...typedMessageTypes().map((t) => TYPED[t]), ...SEED_COMMANDS.map(seedText)];
  const cases = roles.map((role, i): Scenario => ({
    clients: [{ role, car: role === 'driver' ? 'red' : CARS[i % CARS.length] }],
    steps: texts.map((text) => ({ client: 0, frame: { kind: 'text', text } })),
    http: [],
  }));
  const requests = ROUTES.flatMap((target) => (['holder', 'attacker'] as const).map((from): HttpPlan => ({
    from, method: 'GET', target, version: 'HTTP/1.1', headers: [['Host', '{{host}}'], ['Authorization', 'Bearer {{token}}']],
  })));
  for (let i = 0; i < requests.length; i += 3) cases.push({ clients: [], steps: [], http: requests.slice(i, i + 3) });
  return cases;
}

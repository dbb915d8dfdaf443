// Every client message has exactly one handler, found from one table the compiler checks (car/dispatch.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dispatch, type Handler, type Handlers } from '../../src/control/car/dispatch.js';
import type { ClientSession } from '../../src/control/connection/client-session.js';
import { typedMessageSchemas } from '../../src/control/protocol/message-schemas.js';
import type { ClientMessage } from '../../src/control/protocol/messages.js';

const session = { id: 'c1' } as ClientSession;

test('dispatch hands each message type, and a seed command, to its own handler and no other', () => {
  const heard: string[] = [];
  const table = Object.fromEntries(['seedCommand', ...Object.keys(typedMessageSchemas)].map((key) => [
    key, ((s: ClientSession, msg: ClientMessage) => heard.push(`${key}:${s.id}:${JSON.stringify(msg)}`)) as Handler<ClientMessage>,
  ])) as unknown as Handlers;
  for (const type of Object.keys(typedMessageSchemas)) {
    heard.length = 0;
    dispatch(table, session, { type } as ClientMessage);
    assert.deepEqual(heard, [`${type}:c1:{"type":"${type}"}`]);
  }
  heard.length = 0;
  dispatch(table, session, { command: 'up', duration: 2 } as ClientMessage);
  assert.deepEqual(heard, ['seedCommand:c1:{"command":"up","duration":2}']);
});

test('a handler table that misses a message type does not compile (npm run typecheck holds this)', () => {
  const noop = (): void => {};
  // @ts-expect-error: no handler for `name` (nor any other left out): the table's type names every message type.
  const missing: Handlers = {
    seedCommand: noop, drive: noop, stop: noop, ping: noop, auth: noop, claim: noop, release: noop, resume: noop,
    'camera-on': noop, 'camera-off': noop, watch: noop, unwatch: noop, signal: noop, accessory: noop, channel: noop,
    'race-start': noop, 'race-end': noop, 'lap-mark': noop, 'race-best-lap': noop,
  };
  assert.equal(Object.keys(missing).length, Object.keys(typedMessageSchemas).length);
});

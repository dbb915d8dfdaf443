import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClientMessage } from '../../src/control/protocol/validate.js';

function refused(text: string) {
  const r = parseClientMessage(text);
  assert.equal(r.ok, false, `expected ${text} to be refused`);
  return r as Extract<typeof r, { ok: false }>;
}

test('the seed page messages are accepted exactly as it sends them', () => {
  for (const text of [
    '{"duration":0.5,"command":"up"}',
    '{"command":"raw","data":22}',
    '{"duration":0.1,"command":"left","data":2}', // the seed page sent its button index in data
    '{"duration":null,"command":"stop"}',
    '{"command":"down"}',
    '{"command":"right","duration":10,"extra":"ignored"}',
  ]) {
    const r = parseClientMessage(text);
    assert.ok(r.ok, text);
    assert.deepEqual(r.message, JSON.parse(text));
  }
});

test('typed messages are accepted', () => {
  for (const text of [
    '{"type":"drive","x":-1,"y":1}',
    '{"type":"drive","x":0.25,"y":-0.5}',
    '{"type":"stop"}',
    '{"type":"ping","id":7}',
    '{"type":"ping","id":"abc"}',
    '{"type":"auth","token":"s3cret"}',
    '{"type":"claim"}',
    '{"type":"release"}',
  ]) {
    assert.ok(parseClientMessage(text).ok, text);
  }
});

test('text that is not a JSON object is bad_json', () => {
  for (const text of ['', 'x', '{"a":', '[]', '[1]', 'null', '7', '"up"', 'true']) {
    assert.equal(refused(text).code, 'bad_json', text);
  }
});

test('each invalid message names its field', () => {
  const cases: Array<[string, string]> = [
    ['{}', 'type'],
    ['{"type":"fly"}', 'type'],
    ['{"type":7}', 'type'],
    ['{"type":"drive","x":1.5,"y":0}', 'x'],
    ['{"type":"drive","x":0,"y":-2}', 'y'],
    ['{"type":"drive","x":"0","y":0}', 'x'],
    ['{"type":"drive","x":0}', 'y'],
    ['{"type":"drive","x":0,"y":0,"z":0}', 'z'],
    ['{"type":"ping"}', 'id'],
    ['{"type":"ping","id":{}}', 'id'],
    ['{"type":"ping","id":"' + 'a'.repeat(65) + '"}', 'id'],
    ['{"type":"auth","token":""}', 'token'],
    ['{"type":"auth","token":5}', 'token'],
    ['{"command":"fly"}', 'command'],
    ['{"command":7}', 'command'],
    ['{"command":"raw"}', 'data'],
    ['{"command":"raw","data":256}', 'data'],
    ['{"command":"raw","data":-1}', 'data'],
    ['{"command":"raw","data":2.5}', 'data'],
    ['{"command":"raw","data":"22"}', 'data'],
    ['{"command":"up","duration":0}', 'duration'],
    ['{"command":"up","duration":-1}', 'duration'],
    ['{"command":"up","duration":10.5}', 'duration'],
    ['{"command":"up","duration":"1"}', 'duration'],
    ['{"command":"up","speed":16}', 'speed'],
    ['{"command":"up","speed":0}', 'speed'],
    ['{"command":"up","type":"drive"}', 'type'],
  ];
  for (const [text, field] of cases) {
    const r = refused(text);
    assert.equal(r.code, 'invalid_message', text);
    assert.equal(r.field, field, `${text}: ${r.message}`);
    assert.match(r.message, new RegExp(`"${field}"`), text);
  }
});

test('the refusal carries the message type or command as ref', () => {
  assert.equal(refused('{"type":"drive","x":9,"y":0}').ref, 'drive');
  assert.equal(refused('{"command":"raw","data":999}').ref, 'raw');
  assert.equal(refused('{"command":5}').ref, undefined);
});

test('a refused token is never echoed back', () => {
  const token = 'x'.repeat(600);
  const r = refused(JSON.stringify({ type: 'auth', token }));
  assert.equal(r.field, 'token');
  assert.ok(!r.message.includes('xxxx'), r.message);
});

test('prototype-looking keys are plain data', () => {
  assert.equal(refused('{"type":"constructor"}').code, 'invalid_message');
  assert.equal(refused('{"type":"__proto__"}').code, 'invalid_message');
  assert.equal(refused('{"__proto__":{"type":"stop"}}').field, 'type');
});

test('a value nested too deep to print is refused like any other, never thrown', () => {
  // JSON.parse takes any depth; JSON.stringify (which the refusal's "(got ...)" used) overflows past ~4,500.
  const deep = `${'['.repeat(6000)}${']'.repeat(6000)}`;
  for (const [text, field] of [
    [`{"type":"drive","x":${deep},"y":0}`, 'x'],
    [`{"type":"ping","id":${deep}}`, 'id'],
    [`{"type":${deep}}`, 'type'],
    [`{"command":"up","duration":${deep}}`, 'duration'],
  ]) {
    const r = refused(text);
    assert.equal(r.code, 'invalid_message');
    assert.equal(r.field, field);
    assert.ok(r.message.length < 300, r.message);
  }
});

test('ref names a message only by a name the protocol has, never by the client\'s own text', () => {
  // The ref goes into the error reply, the log and the recording's refusal line: it is a count, not a carrier.
  assert.equal(refused('{"command":"jump"}').ref, undefined);
  assert.equal(refused(`{"command":"${'x'.repeat(10_000)}"}`).ref, undefined);
  assert.equal(refused('{"command":" stop"}').ref, undefined);
  assert.equal(refused('{"command":"up","duration":-1}').ref, 'up');
});

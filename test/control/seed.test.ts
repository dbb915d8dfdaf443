import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeedSession } from '../../src/control/protocol/seed.js';

test('a connection starts with the seed duration of 0.1 s', () => {
  const s = new SeedSession();
  assert.deepEqual(s.toDemand({ command: 'up' }), { kind: 'command', name: 'forward', durationMs: 100 });
});

test('the four seed directions map to the named commands', () => {
  const s = new SeedSession();
  assert.equal((s.toDemand({ command: 'down' }) as { name: string }).name, 'backward');
  assert.equal((s.toDemand({ command: 'left' }) as { name: string }).name, 'left');
  assert.equal((s.toDemand({ command: 'right' }) as { name: string }).name, 'right');
});

test('a duration is remembered for later commands that omit it, null keeps it', () => {
  const s = new SeedSession();
  assert.deepEqual(s.toDemand({ command: 'up', duration: 0.5 }),
    { kind: 'command', name: 'forward', durationMs: 500 });
  assert.equal(s.duration, 0.5);
  assert.deepEqual(s.toDemand({ command: 'left', duration: null }), { kind: 'command', name: 'left', durationMs: 500 });
  assert.deepEqual(s.toDemand({ command: 'right' }), { kind: 'command', name: 'right', durationMs: 500 });
  // stop and raw remember a duration too (the seed stored it before dispatching)
  s.toDemand({ command: 'stop', duration: 2 });
  assert.equal(s.duration, 2);
});

test('raw is held for 1.0 s whatever the remembered duration', () => {
  const s = new SeedSession();
  s.toDemand({ command: 'up', duration: 3 });
  assert.deepEqual(s.toDemand({ command: 'raw', data: 22, duration: 0.2 }),
    { kind: 'raw', byte: 22, durationMs: 1000 });
  assert.equal(s.duration, 0.2);
});

test('stop acts at once', () => {
  assert.deepEqual(new SeedSession().toDemand({ command: 'stop' }), { kind: 'command', name: 'stop' });
});

test('speed passes through, and a tiny duration still lasts 1 ms', () => {
  const s = new SeedSession();
  assert.deepEqual(s.toDemand({ command: 'up', speed: 15, duration: 0.0001 }),
    { kind: 'command', name: 'forward', speed: 15, durationMs: 1 });
});

test('sessions are independent per connection', () => {
  const a = new SeedSession();
  const b = new SeedSession();
  a.toDemand({ command: 'up', duration: 4 });
  assert.equal(b.duration, 0.1);
});

// Best-effort fan-out: a few clients per turn of the event loop, the newest text replacing waiting ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as turn } from 'node:timers/promises';
import type { ClientSession } from '../../src/control/connection/client-session.js';
import { BACKLOG_BYTES, FanOut } from '../../src/control/connection/fan-out.js';

function clients(count: number, backlog: (i: number) => number = () => 0) {
  const got: string[][] = Array.from({ length: count }, () => []);
  const sessions = got.map((inbox, i) => ({
    ws: { bufferedAmount: backlog(i) },
    sendText: (json: string) => inbox.push(json),
  }) as unknown as ClientSession);
  return { got, sessions };
}

test('a crowd is served a few at a time: other work gets a turn of the event loop between slices', async () => {
  const { got, sessions } = clients(10);
  const fan = new FanOut();
  fan.send('a', sessions);
  const first = got.filter((g) => g.length > 0).length;
  assert.ok(first > 0 && first < 10, `some now, not all (${first})`);
  let turns = 0;
  while (got.some((g) => g.length === 0)) {
    await turn();
    assert.ok(++turns < 20, 'everyone is served in a few turns');
  }
  assert.ok(turns >= 2, `spread over turns (${turns})`);
  assert.deepEqual(got, Array.from({ length: 10 }, () => ['a']));
});

test('a newer text waits for the one going out, then replaces any other waiting; nothing piles up', async () => {
  const { got, sessions } = clients(10);
  const fan = new FanOut();
  fan.send('1', sessions);
  fan.send('2', sessions);
  fan.send('3', sessions);
  for (let i = 0; i < 30; i++) await turn();
  assert.deepEqual(got, Array.from({ length: 10 }, () => ['1', '3']), 'each got 1 whole, then the newest');
});

test('a client that is not reading skips; cancel stops what is going out', async () => {
  const { got, sessions } = clients(3, (i) => (i === 1 ? BACKLOG_BYTES + 1 : 0));
  const fan = new FanOut();
  fan.send('x', sessions);
  for (let i = 0; i < 5; i++) await turn();
  assert.deepEqual(got, [['x'], [], ['x']]);
  const many = clients(20);
  fan.send('y', many.sessions);
  fan.cancel();
  for (let i = 0; i < 10; i++) await turn();
  assert.ok(many.got.some((g) => g.length === 0), 'the rest were not sent after cancel');
});

test('a text given while the waiting one is about to start waits behind it: clients never see an older text after a newer one', async () => {
  const { got, sessions } = clients(4);
  const fan = new FanOut();
  fan.send('1', sessions);
  fan.send('2', sessions); // waits for 1
  // Turn by turn until 1 is out everywhere: 2 is then due at the next turn, and 3 arrives before it.
  while (got.some((g) => g.length === 0)) await turn();
  fan.send('3', sessions);
  for (let i = 0; i < 20; i++) await turn();
  for (const inbox of got) {
    assert.deepEqual(inbox.map(Number), [...inbox.map(Number)].sort(), `in the order given: ${inbox.join(', ')}`);
    assert.equal(inbox.at(-1), '3', 'the newest is the last each client got');
  }
});

// The `queue` each client of a car hears (car/seat-queue.ts), with fake time: its place and who is
// ahead by name, and a take-over said to be possible exactly when a claim would succeed.
import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { Audience } from '../../src/control/car/audience.js';
import type { ClientSession } from '../../src/control/connection/client-session.js';
import { Seat } from '../../src/control/car/seat.js';
import { SeatQueue } from '../../src/control/car/seat-queue.js';
import type { QueueMessage } from '../../src/control/protocol/messages.js';

function setup() {
  mock.timers.enable({ apis: ['setTimeout'] });
  const clock = { t: 1_000 };
  const seat = new Seat({ idleTakeoverMs: 15_000, now: () => clock.t });
  const clients = new Audience(() => null, () => clock.t);
  const heard = new Map<string, QueueMessage[]>();
  const join = (id: string, queued = true) => {
    heard.set(id, []);
    clients.add({ id, sendText: (json: string) => heard.get(id)!.push(JSON.parse(json) as QueueMessage) } as unknown as ClientSession);
    seat.join(id, { authorized: true, queued });
  };
  const names: Record<string, string> = { c2: 'Bo' };
  const queue = new SeatQueue({ seat, clients, nameOf: (id) => names[id] ?? null, now: () => clock.t });
  const last = (id: string) => heard.get(id)!.at(-1);
  return { clock, seat, queue, join, heard, last };
}

test('each waiting client hears its place and who is ahead by name (null for no name), once per change', (t) => {
  t.after(() => mock.timers.reset());
  const { queue, join, heard, last } = setup();
  join('c1'); join('c2'); join('c3'); join('cam', false);
  queue.refresh();
  assert.deepEqual(last('c1'), { type: 'queue', position: null, ahead: [], takeover: false });
  assert.deepEqual(last('c2'), { type: 'queue', position: 1, ahead: [], takeover: false });
  assert.deepEqual(last('c3'), { type: 'queue', position: 2, ahead: ['Bo'], takeover: false });
  assert.equal(last('cam')!.position, null, 'a camera page waits for nothing');
  queue.refresh();
  assert.equal(heard.get('c3')!.length, 1, 'nothing changed: nothing sent again');
});

test('take-over is said to be possible the moment the driver has been idle long enough, and closed when it drives again', (t) => {
  t.after(() => mock.timers.reset());
  const { clock, seat, queue, join, last } = setup();
  join('c1'); join('c2');
  queue.refresh();
  clock.t += 14_999;
  mock.timers.tick(14_999);
  assert.equal(last('c2')!.takeover, false);
  assert.equal(seat.claim('c2').ok, false, 'and the server agrees');
  clock.t += 1;
  mock.timers.tick(1);
  assert.equal(last('c2')!.takeover, true, 'told at once, without any message from anyone');
  seat.noteActivity('c1');
  queue.driverActive();
  assert.equal(last('c2')!.takeover, false, 'the driver drove again');
  clock.t += 15_000;
  mock.timers.tick(15_000);
  assert.equal(last('c2')!.takeover, true);
  assert.equal(seat.claim('c2').ok, true, 'the server accepts what the page was told');
});

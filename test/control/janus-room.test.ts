// The car's room on Janus (video/sfu/janus-room.ts) against a fake session: what it asks Janus, in what
// order. Against a real Janus: test/web/video-sfu.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JanusRoom } from '../../src/control/video/sfu/janus-room.js';
import type { JanusCandidate, JanusSession, PluginReply } from '../../src/control/video/sfu/janus-session.js';

/** A session whose plugin replies the test gives by hand, recording every trickle. */
function fakeSession() {
  let handles = 0;
  const trickled: Array<[number, JanusCandidate | null]> = [];
  const replies: Array<(reply: PluginReply) => void> = [];
  const session = {
    onEvent: () => {},
    attach: async () => ++handles,
    message: (_handle: number, body: Record<string, unknown>) => body.request === 'create'
      ? Promise.resolve({ data: {} })
      : new Promise<PluginReply>((resolve) => replies.push(resolve)),
    trickle: async (handle: number, candidate: JanusCandidate | null) => { trickled.push([handle, candidate]); },
    detach: async () => {},
  };
  return { session: session as unknown as JanusSession, trickled, replies };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('the camera\'s candidates sent while Janus has its offer are given to the publisher once Janus answers, in order', async () => {
  const { session, trickled, replies } = fakeSession();
  const room = await JanusRoom.create(session, { candidate() {}, live() {}, hangup() {} });
  const answered = room.publish('v=0\r\n');
  await settle(); // the offer is with Janus
  assert.equal(replies.length, 1);
  const early = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
  await room.trickle({ camera: true }, early);
  await room.trickle({ camera: true }, null);
  assert.deepEqual(trickled, [], 'nothing to give them to yet');
  replies[0]({ data: { id: 7 }, jsep: { type: 'answer', sdp: 'v=0\r\n' } });
  assert.equal(await answered, 'v=0\r\n');
  const publisher = 2; // the create's handle is 1
  assert.deepEqual(trickled, [[publisher, early], [publisher, null]]);
  const late = { ...early, candidate: early.candidate.replace('50000', '50001') };
  await room.trickle({ camera: true }, late);
  assert.deepEqual(trickled.at(-1), [publisher, late], 'after the answer, straight to the publisher');
});

test('a publication Janus refuses drops the candidates that waited for it', async () => {
  const { session, trickled, replies } = fakeSession();
  const room = await JanusRoom.create(session, { candidate() {}, live() {}, hangup() {} });
  const refused = room.publish('v=0\r\n');
  await settle();
  await room.trickle({ camera: true }, null);
  replies[0]({ data: {} }); // no id, no answer
  await assert.rejects(refused, /not answered/);
  await room.trickle({ camera: true }, null);
  assert.deepEqual(trickled, [], 'no publisher: nothing trickled, nothing kept');
});

// A car's route through the SFU (video/sfu/sfu-route.ts) on a fake room (no Janus) and fake time: what it
// does when Janus refuses the camera's offer. Against a real Janus: test/web/video-sfu.test.ts.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { MAX_REPUBLISH, SfuRoute, type SfuRoom } from '../../src/control/video/sfu/sfu-route.js';
import { silentLogger } from '../../src/control/log.js';

/** A route on a room whose publish answers with `publishes` in turn (an Error: refused), and what it told the camera. */
async function rig(t: TestContext, publishes: Array<string | Error>) {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const room = {
    live: false, room: 1,
    publish: async () => {
      const next = publishes.shift() ?? new Error('janus: no more answers in this test');
      if (next instanceof Error) throw next;
      return next;
    },
    unpublish: async () => {}, subscribe: async () => 'v=0\r\n', start: async () => {}, unsubscribe: async () => {},
    trickle: async () => {}, close: async () => {},
  } as unknown as SfuRoom;
  const answers: string[] = [];
  let republished = 0;
  let up!: () => void;
  const isUp = new Promise<void>((resolve) => { up = resolve; });
  const route = new SfuRoute({
    url: 'http://janus.invalid/janus', car: 'car', log: silentLogger, openRoom: async () => room,
    toCamera: (step) => { if ('description' in step) answers.push(step.description.sdp); },
    toViewer: () => {}, changed: (on) => { if (on) up(); }, republish: () => { republished++; },
  });
  t.after(() => route.close());
  await isUp;
  const offer = async () => {
    route.fromCamera({ description: { type: 'offer', sdp: 'v=0\r\n' } });
    await new Promise((resolve) => setImmediate(resolve)); // Janus's reply, from the fake
  };
  return { answers, republished: () => republished, offer, tick: (ms: number) => t.mock.timers.tick(ms) };
}

describe('SfuRoute (a fake room)', () => {
  it('a refused offer: the camera is asked for a new one 3 s later, and its next offer is published', async (t) => {
    const { answers, republished, offer, tick } = await rig(t, [new Error('janus: Maximum number of publishers (1) reached'), 'answer']);
    await offer();
    assert.equal(republished(), 0, 'not at once: Janus may still be letting the last publisher go');
    tick(3000);
    assert.equal(republished(), 1);
    await offer();
    assert.deepEqual(answers, ['answer']);
    tick(10_000);
    assert.equal(republished(), 1, 'once published, nothing more');
  });

  it(`a camera Janus keeps refusing is asked again ${MAX_REPUBLISH} times in a row, then left (the log says so)`, async (t) => {
    const { answers, republished, offer, tick } = await rig(t, Array.from({ length: 20 }, () => new Error('janus: refused')));
    for (let i = 0; i < MAX_REPUBLISH + 3; i++) {
      await offer();
      tick(3000);
    }
    assert.equal(republished(), MAX_REPUBLISH);
    assert.deepEqual(answers, []);
  });
});

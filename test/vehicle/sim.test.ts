import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCodec, DEFAULT_CAR, Driver, SimLink, stepPose, VirtualClock, type Pose } from '../../src/vehicle/index.js';

const ORIGIN: Pose = { x: 0, y: 0, heading: 0, speed: 0 };
const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);

describe('kinematics', () => {
  const v = DEFAULT_CAR.maxSpeed;
  const R = DEFAULT_CAR.turningRadius;

  it('forward moves along +y at heading 0, at a speed proportional to the step', () => {
    const p = stepPose(ORIGIN, { direction: 'forward', speed: 15 }, 2);
    close(p.x, 0);
    close(p.y, 2 * v);
    assert.equal(p.speed, v);
    close(stepPose(ORIGIN, { direction: 'forward', speed: 5 }, 1).y, v / 3);
  });

  it('forward moves along the heading; backward against it', () => {
    const east = { ...ORIGIN, heading: Math.PI / 2 };
    const p = stepPose(east, { direction: 'forward', speed: 15 }, 1);
    close(p.x, v);
    close(p.y, 0);
    const b = stepPose(ORIGIN, { direction: 'backward', speed: 15 }, 1);
    close(b.y, -v);
    assert.equal(b.speed, -v);
  });

  it('turning changes the heading along an arc of the turning radius', () => {
    const quarter = (Math.PI / 2) * R / v; // time for a quarter circle at full speed
    const right = stepPose(ORIGIN, { direction: 'forward-right', speed: 15 }, quarter);
    close(right.heading, Math.PI / 2);
    close(right.x, R);
    close(right.y, R);
    const left = stepPose(ORIGIN, { direction: 'forward-left', speed: 15 }, quarter);
    close(left.heading, -Math.PI / 2);
    close(left.x, -R);
    close(left.y, R);
    // Reversing while steering right swings the nose the other way.
    assert.ok(stepPose(ORIGIN, { direction: 'backward-right', speed: 15 }, 0.1).heading < 0);
    // Many small steps land where one big step does (the arc is integrated exactly).
    let p = ORIGIN;
    for (let i = 0; i < 100; i++) p = stepPose(p, { direction: 'forward-right', speed: 15 }, quarter / 100);
    close(p.x, R, 1e-9);
    close(p.y, R, 1e-9);
  });

  it('stop, and steering without drive, hold the pose', () => {
    const start = { x: 1, y: 2, heading: 0.5, speed: 1 };
    for (const direction of ['stop', 'left', 'right'] as const) {
      assert.deepEqual(stepPose(start, { direction, speed: 9 }, 5), { x: 1, y: 2, heading: 0.5, speed: 0 });
    }
  });

  it('keeps the heading in (-pi, pi]', () => {
    let p = ORIGIN;
    for (let i = 0; i < 50; i++) {
      p = stepPose(p, { direction: 'forward-right', speed: 15 }, 0.37);
      assert.ok(p.heading > -Math.PI && p.heading <= Math.PI, String(p.heading));
    }
  });
});

describe('SimLink', () => {
  it('moves on the bytes it receives and reports its pose at 20 Hz while moving, once at rest', async () => {
    const clock = new VirtualClock();
    const link = new SimLink({ clock });
    const poses: Pose[] = [];
    link.on('pose', (p: Pose) => poses.push(p));
    await link.open();
    assert.equal(link.state, 'connected');
    link.write(Uint8Array.of(0x1f)); // forward, full speed
    clock.runUntil(1000);
    assert.equal(poses.length, 20);
    close(link.pose.y, DEFAULT_CAR.maxSpeed, 1e-6);
    link.write(Uint8Array.of(0x00));
    assert.equal(poses.length, 21, 'one more pose at once: at rest');
    assert.equal(poses.at(-1)!.speed, 0);
    close(poses.at(-1)!.y, DEFAULT_CAR.maxSpeed, 1e-6);
    clock.runAll();
    assert.equal(poses.length, 21, 'and nothing more while it stands');
    await link.close();
    assert.equal(link.write(Uint8Array.of(0x1f)), false);
  });

  it('speaks the driver codec: rc-app characters move the simulated car too', async () => {
    const clock = new VirtualClock();
    const link = new SimLink({ clock });
    const driver = new Driver({ link, codec: createCodec('rc-app'), watchdogMs: 500, clock });
    await driver.start();
    driver.drive({ kind: 'command', name: 'forward', speed: 15 });
    assert.deepEqual(link.motion, { direction: 'forward', speed: 15 });
    clock.runUntil(1000);
    close(driver.pose!.y, DEFAULT_CAR.maxSpeed, 1e-6);
    await driver.close();
    assert.deepEqual(link.motion, { direction: 'stop', speed: 0 });
  });

  it('is a function of the bytes and their times: late timers change nothing, a byte takes effect at the next step', async () => {
    const drive = async (lateByMs: number): Promise<{ pose: Pose; poses: number }> => {
      const clock = new VirtualClock();
      // Every pose timer fires lateByMs late, as on a busy machine.
      const link = new SimLink({ clock: clock.withTimerLateness((due) => due + lateByMs) });
      let poses = 0;
      link.on('pose', () => poses++);
      await link.open();
      for (const [t, byte] of [[0, 0x1f], [120, 0x6f], [333, 0x2a], [480, 0x00]] as const) {
        clock.runUntil(t);
        link.write(Uint8Array.of(byte));
      }
      return { pose: link.pose, poses };
    };
    const onTime = await drive(0);
    for (const late of [3, 17, 49]) assert.deepEqual((await drive(late)).pose, onTime.pose, `timers ${late} ms late`);
    // By hand: steps at 50, 100 forward (0.075 m each); the byte at 120 applies from the step at 150 on.
    let expected: Pose = { x: 0, y: 0, heading: 0, speed: 0 };
    for (let i = 0; i < 2; i++) expected = stepPose(expected, { direction: 'forward', speed: 15 }, 0.05);
    for (let i = 0; i < 4; i++) expected = stepPose(expected, { direction: 'forward-right', speed: 15 }, 0.05); // 150..300
    for (let i = 0; i < 3; i++) expected = stepPose(expected, { direction: 'backward', speed: 10 }, 0.05); // 350..450
    close(onTime.pose.x, expected.x, 1e-12);
    close(onTime.pose.y, expected.y, 1e-12);
    close(onTime.pose.heading, expected.heading, 1e-12);
    assert.equal(onTime.pose.speed, 0);
    assert.equal(onTime.poses, 10, 'nine steps and the pose at rest');
  });

  it('starts where it is told (its place in an arena), and is placed elsewhere only while stopped', async () => {
    const clock = new VirtualClock();
    const link = new SimLink({ start: { x: 0.5, y: -0.25, heading: 0, speed: 3 }, clock });
    assert.deepEqual(link.pose, { x: 0.5, y: -0.25, heading: 0, speed: 0 });
    const poses: Pose[] = [];
    link.on('pose', (p: Pose) => poses.push(p));
    await link.open();
    link.write(Uint8Array.of(0x1f));
    clock.runUntil(100);
    assert.equal(link.place({ x: 9, y: 9, heading: 1, speed: 0 }), false, 'a moving car does not jump');
    assert.ok(Math.abs(link.pose.x - 0.5) < 1e-9);
    link.write(Uint8Array.of(0x00));
    assert.equal(link.place({ x: 2, y: 3, heading: Math.PI / 2, speed: 1 }), true);
    assert.deepEqual(poses.at(-1), { x: 2, y: 3, heading: Math.PI / 2, speed: 0 }, 'the new place is reported at once');
    clock.runUntil(300);
    assert.deepEqual(link.pose, { x: 2, y: 3, heading: Math.PI / 2, speed: 0 }, 'and kept: a stopped car does not step');
    await link.close();
  });
});

// "Race my best lap" as a person meets it, in headless Chromium, on a phone and a desktop: Ada starts a
// one-lap race from the race panel, drives the lap (the arrow keys on the desktop, her thumb on the joystick
// on the phone; the test steers by the car's pose, as a person watching the map would), and once the lap is
// set the panel offers "Race my best lap"; pressing it puts her lap on the map as a ghost, labelled as her
// best lap, while her own car stays hers to drive.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { CDPSession, Locator, Page } from 'playwright-core';
import { CIRCUIT } from '../../src/control/track/circuit.js';
import { routes, steerTowards, waypointFrom, type Waypoint } from '../support/lap-bot.js';
import { SCREENSHOTS, WAIT_MS, joystickGeometry, openPage, withPage, type ControlServer, type PageRig } from './harness.js';
import { PROFILES } from './profiles.js';

type Steer = -1 | 0 | 1;

/** How a person drives: forward, steering as told, and letting everything go. */
interface Hands {
  /** Forward, steering left (-1), straight (0) or right (1). */
  drive(steer: Steer): Promise<void>;
  letGo(): Promise<void>;
  /** Presses a button of the page: a click, or a tap on a touch screen. */
  press(button: Locator): Promise<void>;
}

/** The arrow keys: up held, left or right as the turn needs. */
function keys(page: Page): Hands {
  let pressed = false;
  let held: 'ArrowLeft' | 'ArrowRight' | null = null;
  return {
    async drive(steer) {
      if (!pressed) await page.keyboard.down('ArrowUp');
      pressed = true;
      const want = steer === 0 ? null : steer > 0 ? 'ArrowRight' : 'ArrowLeft';
      if (want === held) return;
      if (held) await page.keyboard.up(held);
      if (want) await page.keyboard.down(want);
      held = want;
    },
    async letGo() {
      if (held) await page.keyboard.up(held);
      if (pressed) await page.keyboard.up('ArrowUp');
      held = null;
      pressed = false;
    },
    press: (button) => button.click(),
  };
}

/** A thumb on the joystick (real touch events through the DevTools protocol, as mobile.test.ts sends). */
function thumb(page: Page, cdp: CDPSession): Hands {
  let pad: Awaited<ReturnType<typeof joystickGeometry>> | null = null; // read once a press: a read is a round trip
  let at: Steer | null = null;
  const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', points: Array<{ x: number; y: number }>) =>
    cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points.map((p) => ({ id: 1, ...p })) });
  return {
    async drive(steer) {
      if (steer === at) return;
      const down = pad !== null;
      pad ??= await joystickGeometry(page);
      const { cx, cy, travel } = pad;
      const point = steer === 0 ? { x: cx, y: cy - travel } : { x: cx + steer * travel * Math.SQRT1_2, y: cy - travel * Math.SQRT1_2 };
      await touch(down ? 'touchMove' : 'touchStart', [point]);
      at = steer;
    },
    async letGo() {
      if (pad !== null) await touch('touchEnd', []);
      pad = null;
      at = null;
    },
    press: (button) => button.tap(),
  };
}

/** A waypoint headed for this long without reaching it is given up for the next: the car circles it. */
const CIRCLING_MS = 4_000;

/**
 * Drives forward, steering towards each waypoint in turn, until the route is driven; then lets go. When the
 * car stops under the held input (a busy machine: the page's drive input went quiet and the watchdog
 * stopped it), lets go and drives again, as a person would: the page drives again only after its input was
 * let go (arming.ts). When the car circles a waypoint (the steering came late: a touch took 600 ms to reach
 * a page at load 16), heads for the next one, as a person would.
 */
async function driveRoute(hands: Hands, server: ControlServer, route: readonly Waypoint[]): Promise<void> {
  const car = server.fleet.get('red')!.driver;
  const deadline = Date.now() + 90_000;
  let stoppedSince: number | null = null;
  let aimed = -1;
  let aimedSince = Date.now();
  for (let next = waypointFrom(car.pose!, route, 0); next < route.length; next = waypointFrom(car.pose!, route, next)) {
    assert.ok(Date.now() < deadline, `the lap is driven within 90 s: at waypoint ${next} of ${route.length}, ${JSON.stringify(car.pose)}`);
    if (next !== aimed) [aimed, aimedSince] = [next, Date.now()];
    else if (Date.now() - aimedSince > CIRCLING_MS && next + 1 < route.length) [next, aimed, aimedSince] = [next + 1, next + 1, Date.now()];
    stoppedSince = car.state.direction === 'stop' ? stoppedSince ?? Date.now() : null;
    if (stoppedSince !== null && Date.now() - stoppedSince > 300) {
      await hands.letGo();
      stoppedSince = null;
    }
    await hands.drive(steerTowards(car.pose!, route[next]) as Steer);
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  await hands.letGo();
}

for (const [profile, context] of PROFILES) {
  describe(`race my best lap on ${profile}`, () => {
    let rig: PageRig;
    withPage({ name: 'Ada', context, server: { cars: [{ name: 'red', link: 'sim', codec: 'iracer' }] } }, (r) => {
      rig = r;
    });

    it('after a lap, the race panel\'s Race my best lap puts a ghost of it on the map, labelled as Ada\'s best lap', async () => {
      const { server, page } = rig;
      const touch = context.hasTouch === true;
      const hands = touch ? thumb(page, await rig.context.newCDPSession(page)) : keys(page);
      await openPage(page, `${server.url}car/red`, 'driver');
      assert.equal(await page.locator('#best-lap').isHidden(), true, 'no lap yet: nothing to race');
      await page.locator('#race-laps').fill('1');
      await hands.press(page.getByRole('button', { name: 'Start a race' }));
      await page.locator('#race-status', { hasText: 'Racing, 1 lap' }).waitFor({ timeout: WAIT_MS });
      await page.evaluate('document.activeElement?.blur()'); // the arrows drive, not the laps field
      if (touch) await page.locator('svg.joystick').scrollIntoViewIfNeeded(); // the thumb goes where the pad is
      // From the grid at go, round the oval and over the start line: the race's one lap.
      // Round again while the race is not over, as a person would: a lap whose steering came late (a busy
      // machine) can miss a checkpoint, and the line then starts a lap afresh (1 of 10 phone runs at load 16-41).
      for (let round = 1; ; round++) {
        await driveRoute(hands, server, routes(CIRCUIT).lap);
        const over = page.locator('#race-status', { hasText: 'Race over' });
        if (await over.waitFor({ timeout: WAIT_MS }).then(() => true, () => false)) break;
        assert.ok(round < 3, `the race is over after ${round} rounds: ${await page.locator('#race-status').innerText()}`);
      }

      const offer = page.getByRole('button', { name: 'Race my best lap' });
      await offer.waitFor({ timeout: WAIT_MS });
      assert.match(await page.locator('#best-lap-time').innerText(), /^your best lap on red: \d+\.\d\d s, as a ghost to race$/);
      await hands.press(offer);
      const ghost = page.locator('.track .ghost');
      await ghost.waitFor({ timeout: WAIT_MS });
      assert.equal(await ghost.locator('text').textContent(), "ghost · Ada's best lap");
      await page.locator('.ghost-legend li', { hasText: "ghost · Ada's best lap: a replay, nobody drives it" }).waitFor({ timeout: WAIT_MS });
      // It drives her lap: off the grid, up the straight, as she did.
      await page.waitForFunction(`(() => {
        const t = document.querySelector('.track .ghost path')?.getAttribute('transform') ?? '';
        const m = /^translate\\(([-\\d.e]+),([-\\d.e]+)\\)/.exec(t);
        return m !== null && -Number(m[2]) > 0.5;
      })()`, undefined, { timeout: WAIT_MS });
      if (!touch) await page.locator('#map').screenshot({ path: join(SCREENSHOTS, 'best-lap.png') });
      assert.equal(server.ghosts.list().length, 1);
      assert.equal(server.fleet.get('red')!.driver.state.direction, 'stop', 'her own car is where she left it');
      assert.deepEqual(rig.watched.errors, []);
    });
  });
}

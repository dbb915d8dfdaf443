// The settings panel and the lights and horn, in headless Chromium against the real server on the
// simulated car: the panel is reached and left by keyboard; a key binding and a gamepad axis changed
// there change what the key and the axis do, and survive a reload; the reset brings the defaults back;
// "which button is this?" names a gamepad button and Detect takes it; haptics follow the setting; the
// lights and horn show only for a car that has them, the horn sounds while held, the lights toggle, and
// none of it is a drive message.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { AccessoryName } from '../../src/control/protocol/messages.js';
import { WAIT_MS, openPage, waitForState, waitFrames, withPage, type ControlServer, type Watched } from './harness.js';

const setStick = (page: Page, axes: number[]) => page.evaluate(`window.testPad.axes = ${JSON.stringify(axes)}`);
const setButton = (page: Page, index: number, pressed: boolean) => page.evaluate(`window.testPad.buttons[${index}].pressed = ${pressed}`);
/** Focus off any field (the slider owns the arrows; a text field every key): a click on the bar's edge. */
const focusPage = (page: Page) => page.mouse.click(3, 3);
/** Records navigator.vibrate's calls (Chromium has it; this only listens in). */
const VIBRATE_SPY = `(() => {
  window.testVibrations = [];
  const vibrate = navigator.vibrate.bind(navigator);
  navigator.vibrate = (pattern) => { window.testVibrations.push(pattern); return vibrate(pattern); };
})()`;

describe('settings (desktop, simulated car)', () => {
  let server: ControlServer;
  let page: Page;
  let watched: Watched;
  withPage({ hooks: true, initScripts: [VIBRATE_SPY], open: 'driver' }, (r) => ({ server, page, watched } = r));

  const stopped = (what: string) => waitForState(server.driver, (s) => s.direction === 'stop', what);
  const forward = (what: string) => waitForState(server.driver, (s) => s.direction === 'forward', what);
  /** Nothing moved the car: the page has had its frames, and its last word is not a drive. */
  const stillStopped = async (what: string) => {
    await waitFrames(page, 8);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(server.driver.state.direction, 'stop', what);
  };

  it('the panel opens from the keyboard, takes a new key and a gamepad axis, and Escape closes it', async () => {
    await page.locator('footer.help').click({ position: { x: 5, y: 5 } }); // past every control: Tab starts again at the top
    let onSettings = false;
    for (let i = 0; i < 6 && !onSettings; i++) {
      await page.keyboard.press('Tab');
      onSettings = await page.evaluate('document.activeElement?.id === "open-settings"') === true;
    }
    assert.ok(onSettings, 'Tab reaches the Settings button');
    await page.keyboard.press('Enter');
    await page.locator('dialog#settings[open]').waitFor({ timeout: WAIT_MS });
    assert.equal(await page.evaluate('document.activeElement.closest("dialog")?.id'), 'settings', 'focus moves into the panel');

    const forwardKey = page.locator('#settings button[data-action="forward"][data-slot="0"]');
    await forwardKey.focus();
    await page.keyboard.press('Enter');
    await page.locator('#settings .settings-status', { hasText: 'Press the new key for Forward' }).waitFor({ timeout: WAIT_MS });
    await page.keyboard.press('KeyI');
    assert.equal(await forwardKey.textContent(), 'I');
    assert.equal(await page.evaluate('document.activeElement.dataset.action'), 'forward', 'focus back on the slot');
    await page.locator('#set-throttleAxis').selectOption('3');

    await page.keyboard.press('Escape');
    await page.locator('dialog#settings').waitFor({ state: 'hidden', timeout: WAIT_MS });
    assert.equal(await page.evaluate('document.activeElement.id'), 'open-settings', 'focus returns to the button');
  });

  it('after a reload, the new key and the new axis drive, and the old ones do not', async () => {
    await openPage(page, server.url, 'driver'); // a reload
    assert.equal(await page.locator('#key-help kbd').first().textContent(), 'I', 'the key help says so');
    await focusPage(page);
    await page.keyboard.down('ArrowUp');
    await stillStopped('ArrowUp is no longer Forward');
    await page.keyboard.up('ArrowUp');
    await page.keyboard.down('KeyI');
    await forward('the new key drives');
    await page.keyboard.up('KeyI');
    await stopped('the new key let go');

    await setStick(page, [0, -1, 0, 0]);
    await stillStopped('the left stick\'s axis 1 no longer drives');
    await setStick(page, [0, 0, 0, -1]);
    await forward('axis 3 (the right stick) drives');
    await setStick(page, [0, 0, 0, 0]);
    await stopped('the stick centred');
  });

  it('"which button is this?" names a pressed button, and Detect makes it Stop', async () => {
    await page.locator('#open-settings').click();
    await page.locator('dialog#settings[open]').waitFor({ timeout: WAIT_MS });
    await waitFrames(page, 3);
    await setButton(page, 3, true);
    await page.locator('#settings .pad-probe', { hasText: 'Button 3 (Y / triangle)' }).waitFor({ timeout: WAIT_MS });
    await setButton(page, 3, false);
    await page.getByRole('button', { name: 'Detect the stop button on the gamepad' }).click();
    await setButton(page, 2, true);
    await page.waitForFunction('document.querySelector("#set-stopButton").value === "2"', undefined, { timeout: WAIT_MS });
    await setButton(page, 2, false);
    await page.keyboard.press('Escape');

    await setStick(page, [0, 0, 0, -1]);
    await forward('driving');
    await setButton(page, 2, true);
    await stopped('the detected button stops');
    await setButton(page, 2, false);
    await setStick(page, [0, 0, 0, 0]);
  });

  it('opening the panel mid-drive stops the car; a stick moved in it, or still held when it closes, drives only once centred', async () => {
    await waitFrames(page, 4); // the stick seen centred since the last test's stop
    await setStick(page, [0, 0, 0, -1]);
    await forward('driving with the stick');
    await page.locator('#open-settings').click();
    await stopped('the panel opened');
    await setStick(page, [0, 0, 0, -0.5]); // trying the stick in the panel
    await stillStopped('a stick moved while the panel is open');
    await page.keyboard.press('Escape');
    await stillStopped('the stick still held when the panel closed');
    await setStick(page, [0, 0, 0, 0]);
    await waitFrames(page, 4);
    await setStick(page, [0, 0, 0, -1]);
    await forward('centred, it drives again');
    await setStick(page, [0, 0, 0, 0]);
    await stopped('let go');
  });

  it('haptics: a buzz on Stop while on, none when turned off', async () => {
    const vibrations = async () => await page.evaluate('window.testVibrations') as unknown[];
    let from = (await vibrations()).length;
    await page.locator('#stop').click();
    assert.deepEqual((await vibrations()).slice(from), [80]);
    await page.locator('#open-settings').click();
    await page.locator('#set-haptics').uncheck();
    await page.keyboard.press('Escape');
    from = (await vibrations()).length;
    await page.locator('#stop').click();
    assert.deepEqual((await vibrations()).slice(from), []);
  });

  it('left-handed puts the joystick on the right; the reset brings every default back', async () => {
    await page.locator('#open-settings').click();
    await page.locator('#set-leftHanded').check();
    const joystick = await page.locator('#joystick').boundingBox();
    const commands = await page.locator('#controls').boundingBox();
    assert.ok(joystick && commands && joystick.x > commands.x, 'the joystick right of the commands');
    await page.getByRole('button', { name: 'Reset to defaults' }).click();
    assert.equal(await page.evaluate('document.body.classList.contains("left-handed")'), false);
    assert.equal(await page.locator('#settings button[data-action="forward"][data-slot="0"]').textContent(), '↑');
    await page.keyboard.press('Escape');
    await openPage(page, server.url, 'driver'); // a reload
    await focusPage(page);
    await page.keyboard.down('ArrowUp');
    await forward('ArrowUp drives again');
    await page.keyboard.up('ArrowUp');
    await stopped('let go');
    assert.equal(await page.locator('#accessories').isHidden(), true, 'an i-Racer has no lights or horn');
    assert.deepEqual(watched.errors, []);
  });
});

describe('lights and horn (simulated rc-app car)', () => {
  let server: ControlServer;
  let page: Page;
  let spectator: Page;
  let watched: Watched;
  const switched: Array<[AccessoryName | 'all', boolean]> = [];

  withPage({ server: { codec: 'rc-app' }, hooks: true }, async (r) => {
    ({ server, page, watched } = r);
    const accessory = server.driver.accessory.bind(server.driver);
    server.driver.accessory = (name, on) => {
      switched.push([name, on]);
      return accessory(name, on);
    };
    await openPage(page, server.url, 'driver');
    spectator = await r.context.newPage();
    await openPage(spectator, server.url, 'spectator');
  });

  const until = async (count: number) => {
    for (const deadline = Date.now() + WAIT_MS; switched.length < count && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 20));
    return switched.slice(0, count);
  };

  it('the buttons show for a car that has them; the horn sounds while held, by pointer, key and gamepad', async () => {
    const names = await page.locator('#accessories button').allTextContents();
    assert.deepEqual(names, ['Horn (hold)', 'Front lights', 'Back lights', 'Extra']);
    assert.equal(await spectator.locator('#accessories button').first().isDisabled(), true, 'a spectator cannot use them');

    const horn = page.locator('#accessories button[data-accessory="horn"]');
    const box = (await horn.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    assert.deepEqual(await until(1), [['horn', true]]);
    await page.mouse.up();
    assert.deepEqual(await until(2), [['horn', true], ['horn', false]]);

    await focusPage(page);
    await page.keyboard.down('KeyH');
    await page.keyboard.up('KeyH');
    assert.deepEqual((await until(4)).slice(2), [['horn', true], ['horn', false]]);

    await page.evaluate('window.testPad.buttons[0].pressed = true');
    await until(5);
    await page.evaluate('window.testPad.buttons[0].pressed = false');
    assert.deepEqual((await until(6)).slice(4), [['horn', true], ['horn', false]]);

    await page.keyboard.down('KeyH'); // held while the window loses focus: its keyup may never come
    await until(7);
    await page.evaluate('window.dispatchEvent(new Event("blur"))');
    assert.deepEqual((await until(8)).slice(6), [['horn', true], ['horn', false]], 'the page switches it off');
    await page.keyboard.up('KeyH');
    switched.splice(0);
  });

  it('the lights toggle by button and key, and say so; none of it is motion', async () => {
    const front = page.locator('#accessories button[data-accessory="front-lights"]');
    await front.click();
    assert.deepEqual(await until(1), [['front-lights', true]]);
    assert.equal(await front.getAttribute('aria-pressed'), 'true');
    await focusPage(page);
    await page.keyboard.press('KeyL'); // every light together: the front one was on, so off (the back one is)
    assert.deepEqual((await until(2)).slice(1), [['front-lights', false]]);
    assert.equal(await front.getAttribute('aria-pressed'), 'false');
    await page.keyboard.press('KeyL');
    assert.deepEqual((await until(4)).slice(2), [['front-lights', true], ['back-lights', true]]);
    assert.equal(await page.locator('#accessories button[data-accessory="back-lights"]').getAttribute('aria-pressed'), 'true');

    assert.deepEqual(watched.sent.filter((f) => f.message.type === 'drive' || f.message.type === 'stop'), [], 'no drive and no stop');
    assert.equal(server.driver.state.direction, 'stop');
    assert.deepEqual(watched.received.filter((f) => f.message.type === 'error'), []);
    assert.deepEqual(watched.errors, []);
  });
});

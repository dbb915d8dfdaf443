// Drive input on the drive channel in Chromium (issue 21): the page opens a WebRTC data channel to the
// server on loopback and drives, stops and gives up the seat over it, its stops also on the WebSocket;
// where UDP cannot pass the channel cannot open, and the page drives over the WebSocket at once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import {
  COUNT_CHANNEL_SENDS, RELAY_ONLY, WAIT_MS, holdKnobWithMouse, joystickGeometry, openPage, waitForState, waitFrames, withPage,
} from './harness.js';
import '../support/rtc-cleanup.js'; // ends node-datachannel's threads once this file's tests are done

/** Focus off any control that owns the arrow keys, as a driver's first tap on the page does. */
async function focusPage(page: Page): Promise<void> {
  await page.locator('body').click({ position: { x: 5, y: 780 } });
}

type Sent = Array<{ type: string; seq?: number; x?: number; y?: number }>;

describe('drive channel: Chromium and the server on loopback', () => {
  const rig = withPage({ server: { driveChannels: true }, initScripts: [COUNT_CHANNEL_SENDS] });

  it('drive channel: the page drives, stops and releases over the channel, the status bar saying direct', async () => {
    const { server, page, watched } = rig;
    await openPage(page, server.url, 'driver');
    await page.locator('#st-path[data-path="direct"]').waitFor({ timeout: WAIT_MS });
    assert.equal(await page.locator('#st-path').textContent(), 'direct');
    await focusPage(page);
    const from = watched.sent.length;
    await page.keyboard.down('ArrowUp');
    await waitForState(server.driver, (s) => s.direction === 'forward', 'forward from ArrowUp');
    await waitFrames(page, 90); // well past the watchdog (500 ms at 60 frames a second): the refreshes keep it going
    assert.equal(server.driver.state.direction, 'forward');
    // The refreshes ride the channel (on a busy machine a late beat may send a few on the WebSocket meanwhile).
    const channelDrives = (await page.evaluate('window.testChannelSends') as Sent).filter((m) => m.type === 'drive');
    assert.ok(channelDrives.length >= 3, `only ${channelDrives.length} drives went on the channel`);
    await page.keyboard.up('ArrowUp');
    await waitForState(server.driver, (s) => s.direction === 'stop', 'stop on letting go');
    const stops = watched.sent.slice(from).filter((f) => f.message.type === 'stop').map((f) => f.message.seq);
    const channelStops = (await page.evaluate('window.testChannelSends') as Sent).filter((m) => m.type === 'stop').map((m) => m.seq);
    assert.ok(stops.length >= 1 && stops.every((seq) => channelStops.includes(seq as number)), `each stop on both paths, one seq: ${stops} and ${channelStops}`);
    await page.locator('#release').click();
    await page.locator('#st-role[data-state="spectator"]').waitFor({ timeout: WAIT_MS });
    assert.deepEqual(watched.errors, []);
  });
});

/** Moves the held knob (d3-drag follows the window's mousemove) to a new position every 10 ms for `ms`, in the page. */
const SHAKE_KNOB = (cx: number, cy: number, travel: number, ms: number) => `new Promise((done) => {
  let i = 0;
  const end = performance.now() + ${ms};
  const timer = setInterval(() => {
    const x = ${cx} + (i % 2 === 0 ? 0.1 : -0.1) * ${travel};
    const y = ${cy} - (i % 4 < 2 ? 0.6 : 0.9) * ${travel};
    i += 1;
    window.dispatchEvent(new MouseEvent('mousemove', { clientX: x, clientY: y, buttons: 1, bubbles: true, view: window }));
    if (performance.now() > end) { clearInterval(timer); done(i); }
  }, 10);
})`;

describe('drive channel: copies of each new position', () => {
  const rig = withPage({ server: { driveChannels: true }, initScripts: [COUNT_CHANNEL_SENDS] }); // the default rate, 60 messages a second

  it('drive channel: the stick moved as fast as the page sends, its copies get nothing refused and the watchdog never stops the car', async () => {
    const { server, page, watched } = rig;
    await openPage(page, server.url, 'driver');
    await page.locator('#st-path[data-path="direct"]').waitFor({ timeout: WAIT_MS });
    let watchdogs = 0;
    const onWatchdog = () => { watchdogs += 1; };
    server.driver.on('watchdog', onWatchdog);
    const { cx, cy, travel } = await joystickGeometry(page);
    await holdKnobWithMouse(page, 0, -0.5);
    await waitForState(server.driver, (s) => s.direction === 'forward', 'forward from the knob');
    await page.evaluate(SHAKE_KNOB(cx, cy, travel, 4000));
    server.driver.off('watchdog', onWatchdog);
    await page.mouse.up();
    await waitForState(server.driver, (s) => s.direction === 'stop', 'stop on letting go');
    const drives = (await page.evaluate('window.testChannelSends') as Sent).filter((m) => m.type === 'drive');
    const copies = drives.filter((m, i) => i > 0 && m.x === drives[i - 1].x && m.y === drives[i - 1].y && m.seq === drives[i - 1].seq! + 1);
    assert.ok(copies.length >= 1, `copies went on the channel (${copies.length} of ${drives.length} drives)`);
    // The page itself may stop on a busy machine (a refresh 300 ms late is a freeze, web/drive.ts); the
    // server never may: not for the rate, not by its watchdog.
    assert.equal(watchdogs, 0, 'the watchdog never stopped the car while the knob was held');
    const refused = watched.received.filter((f) => f.message.type === 'error' || (f.message.type === 'notice' && f.message.code === 'watchdog'));
    assert.deepEqual(refused.map((f) => f.message), [], 'nothing refused (rate_limited), no watchdog notice');
    assert.deepEqual(watched.errors, []);
  });
});

describe('drive channel: UDP blocked', () => {
  // Relayed candidates only, and no relay: as a network that lets no UDP through.
  const rig = withPage({ server: { driveChannels: true }, initScripts: [RELAY_ONLY] });

  it('drive channel: with UDP blocked the page drives over the WebSocket within 2 s of connecting', async () => {
    const { server, page } = rig;
    await openPage(page, server.url, 'driver');
    const connectedAt = Date.now();
    await focusPage(page);
    await page.keyboard.down('ArrowUp');
    await waitForState(server.driver, (s) => s.direction === 'forward', 'forward over the WebSocket', 2000 - (Date.now() - connectedAt));
    assert.equal(await page.locator('#st-path').textContent(), 'WebSocket');
    await page.keyboard.up('ArrowUp');
    await waitForState(server.driver, (s) => s.direction === 'stop', 'stop on letting go');
  });
});

/** The page's 15 s wait before asking again for a channel (web/channel-asks.ts RETRY_MS) made 20 ms. */
const QUICK_RETRY = `(() => {
  const native = window.setTimeout;
  window.setTimeout = (fn, ms, ...args) => native(fn, ms === 15000 ? 20 : ms, ...args);
})()`;

describe('drive channel: a server without them', () => {
  const rig = withPage({ server: { driveChannels: false }, initScripts: [QUICK_RETRY] });

  it('drive channel: told retry false, the page does not ask again on this connection (its retry wait cut to 20 ms here)', async () => {
    const { server, page, watched } = rig;
    await openPage(page, server.url, 'driver');
    const answer = () => watched.received.find((f) => f.message.type === 'channel' && f.message.closed !== undefined);
    for (const end = Date.now() + WAIT_MS; !answer() && Date.now() < end;) await waitFrames(page, 2);
    assert.equal(answer()?.message.retry, false, 'the server says it has none');
    await waitFrames(page, 30); // half a second: 25 retry waits
    const asks = watched.sent.filter((f) => f.message.type === 'channel' && f.message.open === true);
    assert.equal(asks.length, 1, `asked ${asks.length} times`);
    assert.equal(await page.locator('#st-path').textContent(), 'WebSocket');
  });
});

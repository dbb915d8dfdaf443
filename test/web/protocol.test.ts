// The page against a scripted WebSocket endpoint (Playwright's routeWebSocket; the real server serves
// the page), for the protocol of the safety work exactly as the page speaks it: the resume token
// presented after a reconnect, before the access token; a failed resume not tried again; a seat held
// for a reconnecting driver; a notice. The real server's side of these is tested in test/control/.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page, WebSocketRoute } from 'playwright-core';
import type { Role, ServerMessage, VehicleState, WelcomeMessage } from '../../src/control/protocol/messages.js';
import {
  WAIT_MS, ensureBuilt, installTestHooks, launchBrowser, startServer, waitFrames, watchPage, type ControlServer,
} from './harness.js';

const STOPPED: VehicleState = {
  direction: 'stop', speed: 0, byte: 0, lastCommand: null, link: 'connected', driver: null, reserved: false, spectators: 1,
};

/** A token server's welcome; `authenticated` when the page offered the right token at the upgrade. */
function welcome(role: Role, resumeToken: string, authenticated: boolean, state: Partial<VehicleState> = {}): WelcomeMessage {
  return {
    type: 'welcome', protocol: 1, clientId: 'c1', role, authRequired: true, authenticated,
    vehicle: { codec: 'iracer', link: 'sim' },
    limits: {
      watchdogMs: 500, maxMessageBytes: 16_384, driveRatePerSecond: 60, idleTakeoverMs: 15_000, maxHoldMs: 2000,
      driverSilenceMs: 5000, resumeWindowMs: 10_000,
    },
    state: { ...STOPPED, ...state }, resumeToken,
    video: { camera: null, viewers: 0, limit: 4 },
  };
}

interface Conversation {
  route: WebSocketRoute;
  /** Every message from the page but pings, in order. */
  heard: Array<Record<string, unknown>>;
  say(message: ServerMessage): void;
}

describe('the page speaks the safety protocol (scripted endpoint)', () => {
  let server: ControlServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const conversations: Conversation[] = [];
  /** How each new connection is answered: its welcome, and replies to what the page says. */
  let script: { welcome: WelcomeMessage; reply(c: Conversation, m: Record<string, unknown>): void };

  const heard = async (n: number, type: string): Promise<Record<string, unknown>> => {
    for (const deadline = Date.now() + WAIT_MS; Date.now() < deadline;) {
      const found = conversations[n]?.heard.find((m) => m.type === type);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`connection ${n} never got '${type}': ${JSON.stringify(conversations[n]?.heard)}`);
  };
  /** The first message of `type` the page said on connection `n` after its message number `index`. */
  const heardAfter = async (n: number, index: number, type: string): Promise<Record<string, unknown>> => {
    for (const deadline = Date.now() + WAIT_MS; Date.now() < deadline;) {
      const found = conversations[n].heard.slice(index + 1).find((m) => m.type === type);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`connection ${n} never got '${type}' after message ${index}: ${JSON.stringify(conversations[n].heard)}`);
  };
  const connection = async (n: number) => {
    for (const deadline = Date.now() + 20_000; Date.now() < deadline && !conversations[n];) await new Promise((r) => setTimeout(r, 20));
    assert.ok(conversations[n], `connection ${n} was opened`);
    return conversations[n];
  };
  const driverRole = (c: Conversation) => c.say({ type: 'role', role: 'driver', driver: 'c1', authenticated: true });

  before(async () => {
    await ensureBuilt();
    server = await startServer('sim'); // serves the page; its /ws is not used here
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await installTestHooks(context);
    page = await context.newPage();
    await page.routeWebSocket(/\/ws$/, (route) => {
      const c: Conversation = { route, heard: [], say: (m) => route.send(JSON.stringify(m)) };
      conversations.push(c);
      route.onMessage((data) => {
        const message = JSON.parse(String(data)) as Record<string, unknown>;
        if (message.type === 'ping') return c.say({ type: 'pong', id: message.id as number, serverTime: 0 });
        // This endpoint never answers a drive channel (drive input stays on the WebSocket); drive-channel.test.ts has the seq.
        if (message.type === 'channel') return;
        delete message.seq;
        c.heard.push(message);
        script.reply(c, message);
      });
      c.say(script.welcome);
    });
    // The subprotocols each connection offers (what a server reads at the upgrade), around the scripted endpoint.
    await page.addInitScript(`(() => {
      window.testOffered = [];
      window.WebSocket = new Proxy(window.WebSocket, {
        construct(target, args) { window.testOffered.push(args[1] ?? []); return Reflect.construct(target, args); },
      });
    })()`);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('drops a token refused at the upgrade, asks for it, and does not send it again', async () => {
    const stale = await context.newPage();
    try {
      const talk: Array<Record<string, unknown>> = [];
      await stale.routeWebSocket(/\/ws$/, (route) => {
        route.onMessage((data) => { talk.push(JSON.parse(String(data)) as Record<string, unknown>); });
        // The page offered its token as a subprotocol (Playwright's endpoint accepts `webracer`); the
        // server found it wrong: not authenticated.
        route.send(JSON.stringify(welcome('spectator', 's1', false)));
      });
      await stale.goto(`${server.url}#token=stale`);
      await stale.locator('#notice', { hasText: 'token was not accepted' }).waitFor({ timeout: WAIT_MS });
      await stale.locator('#auth-form').waitFor({ timeout: WAIT_MS });
      assert.equal(await stale.evaluate('sessionStorage.getItem("webracer-token")'), null);
      assert.deepEqual(talk.filter((m) => m.type === 'auth'), [], 'the refused token is not presented a second time');
    } finally {
      await stale.close();
    }
  });

  it('presents the resume token of the connection that drove; the seat back does not drive with the stick held', async () => {
    script = { welcome: welcome('driver', 'r1', true), reply: () => {} };
    const watched = watchPage(page);
    await page.goto(`${server.url}#token=secret`);
    await page.locator('#st-role[data-state="driver"]').waitFor({ timeout: WAIT_MS });
    await page.evaluate('window.testPad.axes = [0, -1, 0, 0]');
    await heard(0, 'drive');
    assert.deepEqual(conversations[0].heard.filter((m) => m.type !== 'drive'), [{ type: 'stop' }],
      'no resume, no auth: the token went with the upgrade (only the stop that arms a new seat before its first push)');

    script = {
      welcome: welcome('spectator', 'r2', true, { reserved: true }),
      reply: (c, m) => { if (m.type === 'resume') driverRole(c); },
    };
    conversations[0].route.close({ code: 1001, reason: 'restarting' });
    const second = await connection(1);
    await page.locator('#st-role[data-state="driver"]').waitFor({ timeout: WAIT_MS });
    assert.deepEqual(second.heard[0], { type: 'resume', token: 'r1' }, 'the first thing said on the new connection');
    const offered = await page.evaluate('window.testOffered') as string[][];
    assert.ok(!offered[0].some((p) => p.startsWith('webracer.resume.')), `nothing to resume at first: ${offered[0]}`);
    assert.ok(offered.at(-1)!.includes('webracer.resume.r1'), `the seat's token went with the upgrade too: ${offered.at(-1)}`);
    for (const y of [-0.99, -1]) {
      await page.evaluate(`window.testPad.axes = [0, ${y}, 0, 0]`);
      await waitFrames(page, 6);
    }
    assert.deepEqual(second.heard.filter((m) => m.type === 'drive'), [], 'the seat given back waits for the stick to be centred');
    await page.evaluate('window.testPad.axes = [0, 0, 0, 0]');
    await waitFrames(page, 4);
    await page.evaluate('window.testPad.axes = [0, -1, 0, 0]');
    assert.deepEqual(await heard(1, 'drive'), { type: 'drive', x: 0, y: 1 });
    const push = second.heard.findIndex((m) => m.type === 'drive');
    assert.deepEqual(second.heard[push - 1], { type: 'stop' }, 'the seat given back is re-armed by a stop of the page\'s own');
    await page.evaluate('window.testPad.axes = [0, 0, 0, 0]');
    await heardAfter(1, push, 'stop');
    assert.deepEqual(watched.errors, []);
  });

  it('after resume_failed it says so and does not present that token again', async () => {
    script = {
      welcome: welcome('spectator', 'r3', true),
      reply: (c, m) => {
        if (m.type === 'resume') c.say({ type: 'error', code: 'resume_failed', message: 'no seat is held for this token', ref: 'resume' });
      },
    };
    conversations[1].route.close({ code: 1001, reason: 'restarting' });
    await connection(2);
    assert.deepEqual(await heard(2, 'resume'), { type: 'resume', token: 'r2' });
    await page.locator('#notice', { hasText: 'could not be given back' }).waitFor({ timeout: WAIT_MS });
    await page.locator('#st-role[data-state="spectator"]').waitFor({ timeout: WAIT_MS });
    conversations[2].route.close({ code: 1001, reason: 'restarting' });
    const fourth = await connection(3);
    await page.locator('#st-role[data-state="spectator"]').waitFor({ timeout: WAIT_MS });
    await page.getByRole('button', { name: 'Take over' }).click(); // a message after the welcome's, in order
    await heard(3, 'claim');
    assert.deepEqual(fourth.heard.filter((m) => m.type === 'resume'), [], 'a spectator has no seat to resume');
  });

  it('shows a seat held for a reconnecting driver, with no Take over meanwhile', async () => {
    const c = conversations[3];
    c.say({ type: 'state', ...STOPPED, reserved: true, spectators: 2 });
    await page.locator('#st-role', { hasText: 'seat held for the driver, reconnecting' }).waitFor({ timeout: WAIT_MS });
    assert.equal(await page.locator('#take-over').isVisible(), false);
    c.say({ type: 'state', ...STOPPED, reserved: false, spectators: 2 });
    await page.locator('#take-over').waitFor({ timeout: WAIT_MS });
    assert.match(await page.locator('#st-role').innerText(), /seat free/);
  });

  it('shows a notice from the server in the notice line', async () => {
    conversations[3].say({ type: 'notice', code: 'duration_clamped', message: 'Held for 2 s, the longest this server allows.', ref: 'up' });
    await page.locator('#notice', { hasText: 'Held for 2 s' }).waitFor({ timeout: WAIT_MS });
  });
  it('every stop the server says it made disarms the held stick: nothing is sent until it is centred, then a stop re-arms the server', async () => {
    script = { welcome: welcome('driver', 'r5', true), reply: () => {} };
    conversations[3].route.close({ code: 1001, reason: 'restarting' });
    const c = await connection(4);
    await page.locator('#st-role[data-state="driver"]').waitFor({ timeout: WAIT_MS });
    const codes = ['watchdog', 'max_hold', 'link_lost', 'new_driver', 'stopped_by_other', 'held'] as const;
    for (const code of codes) {
      await page.evaluate('window.testPad.axes = [0, 0, 0, 0]');
      await waitFrames(page, 4);
      await page.evaluate('window.testPad.axes = [0, -1, 0, 0]');
      const pushed = c.heard.length;
      await heardAfter(4, pushed - 1, 'drive');
      c.say({ type: 'notice', code, message: `stopped (${code}); centre the stick (or let go) to drive again` });
      await page.locator('#notice', { hasText: `stopped (${code})` }).waitFor({ timeout: WAIT_MS });
      const told = c.heard.length;
      for (const y of [-0.99, -1, -0.98]) {
        await page.evaluate(`window.testPad.axes = [0.01, ${y}, 0, 0]`);
        await waitFrames(page, 6);
      }
      assert.deepEqual(c.heard.slice(told), [], `after ${code} the held stick sends nothing`);
      await page.evaluate('window.testPad.axes = [0, 0, 0, 0]');
      await waitFrames(page, 4);
      await page.evaluate('window.testPad.axes = [0, -1, 0, 0]');
      await heardAfter(4, told - 1, 'drive');
      assert.deepEqual(c.heard.slice(told, told + 2), [{ type: 'stop' }, { type: 'drive', x: 0, y: 1 }], `centred after ${code}: a stop, then the push`);
    }
    await page.evaluate('window.testPad.axes = [0, 0, 0, 0]');
  });
});

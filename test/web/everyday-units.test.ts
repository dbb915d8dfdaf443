// The everyday page's pure rules, in Node: the settings model (parsing what was stored, key bindings),
// the address a join QR code carries, and telling a restarted server from a reconnect. The browser tests
// (settings.test.ts, app-shell.test.ts) exercise the same code through the real page.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { joinUrl } from '../../web/join-url.js';
import { ServerRuns } from '../../web/server-restart.js';
import {
  DEFAULT_SETTINGS, SettingsStore, actionOf, bindKey, clearKey, keyName, nameProblem, parseSettings, type Settings,
} from '../../web/settings.js';

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string) { return this.items.get(key) ?? null; }
  setItem(key: string, value: string) { this.items.set(key, value); }
  removeItem(key: string) { this.items.delete(key); }
}

describe('settings', () => {
  it('are the defaults when nothing, or nonsense, was stored', () => {
    assert.deepEqual(parseSettings(null), DEFAULT_SETTINGS);
    assert.deepEqual(parseSettings('x'), DEFAULT_SETTINGS);
    assert.deepEqual(parseSettings({ keys: 3, gamepad: [], expo: 'a' }), DEFAULT_SETTINGS);
  });

  it('keep each good field and default each bad one', () => {
    const s = parseSettings({
      keys: { forward: ['KeyI', '<img>'], stop: ['KeyQ', 'KeyX'], horn: ['Tab'] },
      gamepad: { throttleAxis: 3, steerAxis: 2.5, deadZone: 0.9, stopButton: -1, invertThrottle: true },
      expo: 0.4, leftHanded: true, haptics: 'no',
    });
    assert.deepEqual(s.keys.forward, ['KeyI', '']);
    assert.deepEqual(s.keys.stop, ['Space', 'KeyX'], 'Space stays Stop\'s first key');
    assert.deepEqual(s.keys.horn, ['', ''], 'a reserved key is refused');
    assert.deepEqual(s.keys.backward, DEFAULT_SETTINGS.keys.backward, 'an action not stored keeps its defaults');
    assert.equal(s.gamepad.throttleAxis, 3);
    assert.equal(s.gamepad.steerAxis, DEFAULT_SETTINGS.gamepad.steerAxis);
    assert.equal(s.gamepad.deadZone, DEFAULT_SETTINGS.gamepad.deadZone, 'a dead zone out of range');
    assert.equal(s.gamepad.stopButton, -1);
    assert.equal(s.gamepad.invertThrottle, true);
    assert.equal(s.expo, 0.4);
    assert.equal(s.leftHanded, true);
    assert.equal(s.haptics, DEFAULT_SETTINGS.haptics);
  });

  it('keep the speed step 1-15 and default any other', () => {
    assert.equal(parseSettings({ speed: 6 }).speed, 6);
    for (const bad of [0, 16, 2.5, '6', null]) assert.equal(parseSettings({ speed: bad }).speed, DEFAULT_SETTINGS.speed, String(bad));
  });

  it('give a key one meaning: binding it swaps it with the action that had it, or refuses to leave that one keyless', () => {
    const next = bindKey(DEFAULT_SETTINGS, 'forward', 0, 'KeyD') as Settings;
    assert.deepEqual(next.keys.forward, ['KeyD', 'KeyW']);
    assert.deepEqual(next.keys.right, ['ArrowRight', 'ArrowUp'], 'right gets forward\'s old key');
    assert.equal(actionOf(next, 'KeyD'), 'forward');
    assert.equal(actionOf(next, 'ArrowUp'), 'right');
    assert.equal(actionOf(next, 'Space'), 'stop');
    const lone = parseSettings({ keys: { forward: ['KeyI', ''] } });
    assert.match(bindKey(lone, 'lights', 1, 'KeyI') as string, /^I is forward's only key/);
    // The same rule when a hand-edited entry gives two actions one key.
    const twice = parseSettings({ keys: { forward: ['KeyZ', ''], backward: ['KeyZ', ''] } });
    assert.deepEqual([twice.keys.forward[0], twice.keys.backward[0]], ['KeyZ', '']);
  });

  it('refuse to take Space, Tab, Escape or Enter, or to empty Stop\'s Space, saying why', () => {
    assert.match(bindKey(DEFAULT_SETTINGS, 'horn', 0, 'Space') as string, /Space/);
    assert.match(bindKey(DEFAULT_SETTINGS, 'horn', 0, 'Tab') as string, /kept/);
    assert.match(bindKey(DEFAULT_SETTINGS, 'stop', 0, 'KeyQ') as string, /Space always/);
    assert.deepEqual(clearKey(DEFAULT_SETTINGS, 'stop', 0).keys.stop, ['Space', '']);
    assert.deepEqual(clearKey(DEFAULT_SETTINGS, 'forward', 1).keys.forward, ['ArrowUp', '']);
  });

  it('are saved on every change, survive a new store (a reload), and reset', () => {
    const storage = new MemoryStorage();
    const store = new SettingsStore(storage);
    const heard: Settings[] = [];
    store.onChange((s) => heard.push(s));
    store.set({ ...store.value, expo: 0.5 });
    assert.equal(new SettingsStore(storage).value.expo, 0.5);
    store.reset();
    assert.equal(storage.items.size, 0);
    assert.deepEqual(new SettingsStore(storage).value, DEFAULT_SETTINGS);
    assert.deepEqual(heard.map((s) => s.expo), [0.5, 0]);
    storage.setItem('webracer-settings', '{not json');
    assert.deepEqual(new SettingsStore(storage).value, DEFAULT_SETTINGS);
  });

  it('keep the driver\'s name as the server would take it, \'\' for skipped, null for not asked; the race panel\'s old one is read once', () => {
    assert.equal(parseSettings({}).name, null, 'not asked yet');
    assert.equal(parseSettings({ name: '' }).name, '', 'skipped');
    assert.equal(parseSettings({ name: ' Ada ' }).name, 'Ada');
    for (const bad of ['   ', 'a\nb', 'Ada\u202e', 'x'.repeat(25), 7]) assert.equal(parseSettings({ name: bad }).name, null, JSON.stringify(bad));
    assert.equal(nameProblem('Ada'), null);
    assert.match(nameProblem('B\u0007o') ?? '', /control characters/);
    assert.match(nameProblem('x'.repeat(25)) ?? '', /at most 24/);
    const storage = new MemoryStorage();
    storage.setItem('webracer.name', 'Grace');
    assert.equal(new SettingsStore(storage).value.name, 'Grace');
    storage.setItem('webracer-settings', JSON.stringify({ name: '' }));
    assert.equal(new SettingsStore(storage).value.name, '', 'a skip since then stands');
  });

  it('name keys as people do', () => {
    assert.deepEqual(['KeyW', 'ArrowUp', 'Digit3', 'Space', ''].map(keyName), ['W', '↑', '3', 'Space', 'none']);
  });
});

describe('joinUrl', () => {
  const at = (href: string) => {
    const u = new URL(href);
    return { protocol: u.protocol, hostname: u.hostname, host: u.host, pathname: u.pathname };
  };
  it('is the page\'s own address when another device can reach it, path kept, token in the fragment', () => {
    assert.deepEqual(joinUrl(at('http://192.168.1.5:8000/car/red'), ['http://10.0.0.2:8000/'], 'a b&c'),
      { url: 'http://192.168.1.5:8000/car/red#token=a+b%26c', reachable: true });
    assert.deepEqual(joinUrl(at('https://pi.local:8000/'), [], null), { url: 'https://pi.local:8000/', reachable: true });
  });
  it('is the server\'s LAN address for a page opened as localhost', () => {
    assert.deepEqual(joinUrl(at('http://localhost:8000/camera'), ['http://192.168.1.5:8000/'], null),
      { url: 'http://192.168.1.5:8000/camera', reachable: true });
    assert.deepEqual(joinUrl(at('http://127.0.0.1:8000/'), [], null), { url: 'http://127.0.0.1:8000/', reachable: false });
    assert.equal(joinUrl(at('http://[::1]:8000/'), [], null).reachable, false);
  });
});

describe('ServerRuns', () => {
  it('a reconnect to the same server is not a restart, even when a message is slow', () => {
    const runs = new ServerRuns();
    assert.equal(runs.telemetry(5000, 6000), false); // started at 1000 on the page's clock
    assert.equal(runs.telemetry(5050, 6060), false);
    runs.welcome();
    assert.equal(runs.telemetry(9000, 10_800), false, 'a first message 800 ms late');
  });
  it('the server clock going back, or a later start, is a restart: once', () => {
    const runs = new ServerRuns();
    runs.telemetry(60_000, 61_000);
    runs.welcome();
    assert.equal(runs.telemetry(200, 63_000), true, 'the clock went back');
    assert.equal(runs.telemetry(250, 63_050), false, 'the same run');
    runs.welcome();
    assert.equal(runs.telemetry(9000, 80_000), true, 'started 8 s after the last one, though its clock is ahead');
  });
  it('within a connection nothing is a restart', () => {
    const runs = new ServerRuns();
    runs.telemetry(5000, 6000);
    assert.equal(runs.telemetry(10, 9000), false);
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isOriginAllowed, machineNames, normalizeOrigin, type OriginPolicy } from '../../src/control/connection/origin.js';

const policy: OriginPolicy = {
  allowOrigins: new Set(['https://car.example.com']),
  localNames: new Set(['localhost', '127.0.0.1', '::1', 'racer-pi', 'racer-pi.local', '192.168.1.20', 'fe80::1']),
  pagePorts: [8000],
};
const allowed = (origin: string | undefined, host: string | undefined, secure = false) =>
  isOriginAllowed(origin, host, secure, policy);

test('no Origin (not a browser) is allowed', () => {
  assert.equal(allowed(undefined, '127.0.0.1:8000'), true);
  assert.equal(allowed(undefined, undefined), true);
});

test('same origin by Host when Host names this machine or an IP', () => {
  assert.equal(allowed('http://127.0.0.1:8000', '127.0.0.1:8000'), true);
  assert.equal(allowed('http://localhost:8000', 'localhost:8000'), true);
  assert.equal(allowed('http://racer-pi.local:8000', 'racer-pi.local:8000'), true);
  assert.equal(allowed('http://192.168.1.20:8000', '192.168.1.20:8000'), true);
  assert.equal(allowed('http://203.0.113.9:8080', '203.0.113.9:8080'), true); // public IP: no rebinding
  assert.equal(allowed('https://127.0.0.1:8443', '127.0.0.1:8443', true), true);
  assert.equal(allowed('http://[::1]:9000', '[::1]:9000'), true);
  assert.equal(allowed('http://LOCALHOST:80', 'localhost'), true); // normalization: case, default port
});

test('a scheme mismatch is not same-origin', () => {
  assert.equal(allowed('http://127.0.0.1:8443', '127.0.0.1:8443', true), false);
});

test('DNS rebinding: a foreign name that matches Host is still refused unless listed', () => {
  assert.equal(allowed('http://evil.example:8080', 'evil.example:8080'), false);
  assert.equal(allowed('https://car.example.com', 'car.example.com', true), true);
});

test('the page served on the HTTP port may reach another port of this machine (seed --ws-port)', () => {
  assert.equal(allowed('http://192.168.1.20:8000', '192.168.1.20:9876'), true);
  assert.equal(allowed('http://localhost:8000', '127.0.0.1:9876'), true);
  assert.equal(allowed('http://127.0.0.5:8000', '127.0.0.1:9876'), true);
  assert.equal(allowed('http://[fe80::1]:8000', '[fe80::1]:9876'), true);
  assert.equal(allowed('http://192.168.1.20:8001', '192.168.1.20:9876'), false); // not our page port
  assert.equal(allowed('http://192.168.1.99:8000', '192.168.1.20:9876'), false); // another LAN machine
});

test('foreign, malformed and opaque origins are refused', () => {
  for (const origin of ['https://evil.example', 'null', 'file://', 'chrome-extension://abc', 'ws://127.0.0.1:8000',
    'not a url', 'http://127.0.0.1:8000/path', '']) {
    assert.equal(allowed(origin, '127.0.0.1:9876'), false, origin);
  }
  assert.equal(allowed('https://evil.example', 'evil.example'), false);
  assert.equal(allowed('http://127.0.0.1:8000', 'bad host header!'), true); // page port rule still holds
});

test('normalizeOrigin accepts origins only', () => {
  assert.equal(normalizeOrigin('HTTPS://Car.Example.com:443'), 'https://car.example.com');
  assert.equal(normalizeOrigin('http://10.0.0.2:8080'), 'http://10.0.0.2:8080');
  assert.throws(() => normalizeOrigin('https://car.example.com/page'));
  assert.throws(() => normalizeOrigin('ftp://car.example.com'));
  assert.throws(() => normalizeOrigin('car.example.com'));
});

test('machineNames includes loopback and the interface addresses', () => {
  const names = machineNames();
  assert.ok(names.has('localhost') && names.has('127.0.0.1') && names.has('::1'));
});

// A car that cannot be reached says why, once, instead of retrying in silence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLink, parseLinkSpec } from '../../src/vehicle/index.js';
import { logLinkActivity } from '../../src/control/car/link-log.js';
import { toLogger } from '../../src/control/log.js';

test('a missing serial device is logged once with a hint, however often the link retries', async (t) => {
  const link = createLink(parseLinkSpec('serial:/dev/webracer-no-such-car'));
  t.after(() => link.close());
  const lines: string[] = [];
  logLinkActivity(link, toLogger((line) => lines.push(line)));
  let failures = 0;
  // The link's retry timers are unref'd (they never hold a process open), so this wait holds the loop.
  const thirdFailure = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${failures} failures: ${lines.join(' | ')}`)), 15_000);
    link.on('failure', () => {
      if (++failures < 3) return;
      clearTimeout(timer);
      resolve();
    });
  });
  await link.open();
  await thirdFailure;
  const failureLines = lines.filter((line) => line.startsWith('car link: '));
  assert.equal(failureLines.length, 1, lines.join('\n'));
  assert.match(failureLines[0], /webracer-no-such-car/);
  assert.match(failureLines[0], /see --list-devices/);
  assert.ok(lines.includes('link state=reconnecting'), lines.join('\n'));
});

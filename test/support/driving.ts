// A Driver on a link, started and connected, for the link liveness tests: its failures are kept, and
// `connected` is the test's own sign that the car has its first byte (the stop on connecting).
import type { TestContext } from 'node:test';
import { createCodec, Driver, type Link } from '../../src/vehicle/index.js';
import { waitForLinkState } from './link-state.js';

export async function drivingOver<L extends Link>(t: TestContext, link: L, connected: () => Promise<unknown>) {
  const failures: string[] = [];
  link.on('failure', (e: Error) => failures.push(e.message));
  const driver = new Driver({ link, codec: createCodec('iracer') });
  t.after(() => driver.close());
  await driver.start();
  await waitForLinkState(link, 'connected');
  await connected();
  return { link, driver, failures };
}

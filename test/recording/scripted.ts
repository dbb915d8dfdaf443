// A scripted driver for the recording tests: a bit of everything a Driver does, in under three seconds:
// the stick (two directions, refreshed at 20 Hz as the page does), a silence the watchdog ends, a timed
// seed command whose hold ends, a raw byte, and a stop.
import type { Client } from '../control/helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function hold(client: Client, x: number, y: number, ms: number): Promise<void> {
  for (const until = performance.now() + ms; performance.now() < until;) {
    client.send({ type: 'drive', x, y });
    await sleep(50);
  }
}

export async function scriptedDrive(client: Client): Promise<void> {
  client.arm(); // the stick at the centre first, as the page shows it (docs/protocol.md "Arming")
  await hold(client, 0.5, 1, 300);
  await hold(client, 0, -0.8, 200);
  await sleep(700); // the watchdog stops the car after 500 ms
  client.send({ command: 'up', duration: 0.4 });
  await sleep(600); // the hold ends after 400 ms
  client.send({ command: 'raw', data: 0x57 });
  await sleep(200);
  client.send({ type: 'stop' });
  await client.roundTrip();
}

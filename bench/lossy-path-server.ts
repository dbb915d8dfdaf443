/**
 * The control server for bench/drive-paths-lossy.ts, run inside the lossy path's namespace: a simulated
 * car on the far side of the path. Prints `{"port":N}` once listening, then `{"t":ns,"byte":B}` for every
 * byte handed to the car's link (the Driver's 'state' event, right after link.write), t from the
 * system-wide monotonic clock (process.hrtime), so the bench in the other namespace can compare times.
 */
import { startControlServer } from '../src/control/server.js';

const host = process.argv[2] ?? '10.212.0.2';
const server = await startControlServer({ port: 0, host, link: 'sim', codec: 'iracer', watchdogMs: 500, driveRatePerSecond: 200 });
let last = -1;
server.driver.on('state', (s: { byte: number }) => {
  if (s.byte === last) return;
  last = s.byte;
  process.stdout.write(`${JSON.stringify({ t: Number(process.hrtime.bigint()), byte: s.byte })}\n`);
});
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));

/**
 * The far side of the lossy path for bench/drive-paths-lossy.ts, run inside the path's namespace: two
 * control servers serving the built page, each with its own simulated car behind a TCP byte recorder
 * (`--link tcp:`, as an ESP32 serial bridge; test/support/byte-recorder.ts): "websocket" without drive
 * channels, "channel" with them. Prints `{"ports":{"websocket":N,"channel":M}}` once listening, then
 * `{"path":P,"t":ms,"byte":B}` for every byte a car's recorder reads, t on the system-wide monotonic
 * clock (process.hrtime, in ms), so the bench in the other namespace can compare it with its own times.
 * A watchdog stop or a dropped driver goes to stderr (the bench's), with its path.
 *
 *   ip netns exec NS node --import tsx bench/lossy-path-server.ts HOST STATIC_DIR
 */
import { createLogger } from '../src/control/log.js';
import { startControlServer } from '../src/control/server.js';
import { ByteRecorder } from '../test/support/byte-recorder.js';

const [host = '10.212.0.2', staticDir] = process.argv.slice(2);
/** performance.now() (the recorder's stamps) to the monotonic clock both namespaces share. */
const offset = Number(process.hrtime.bigint()) / 1e6 - performance.now();

const paths = { websocket: false, channel: true } as const;
const running = await Promise.all(Object.entries(paths).map(async ([path, driveChannels]) => {
  const car = await ByteRecorder.start();
  // The server's stops that the page did not ask for, on stderr: a run whose car stopped mid-way says why.
  const log = createLogger((r) => {
    if (r.event === 'watchdog' || r.event === 'dropped') process.stderr.write(`drive paths: ${path} server: ${r.event} ${JSON.stringify(r.fields)}\n`);
  });
  const server = await startControlServer({ port: 0, host, link: car.link, codec: 'iracer', watchdogMs: 500, staticDir, driveChannels, log });
  return { path, car, server, printed: 0 };
}));

setInterval(() => {
  for (const r of running) {
    const bytes = r.car.bytes;
    for (; r.printed < bytes.length; r.printed++) {
      const b = bytes[r.printed];
      process.stdout.write(`${JSON.stringify({ path: r.path, t: b.at + offset, byte: b.value })}\n`);
    }
  }
}, 5);
process.stdout.write(`${JSON.stringify({ ports: Object.fromEntries(running.map((r) => [r.path, r.server.port])) })}\n`);
process.on('SIGTERM', () => void Promise.all(running.map((r) => r.server.close())).then(() => process.exit(0)));

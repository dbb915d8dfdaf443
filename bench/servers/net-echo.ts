/**
 * A raw node:net echo server: no WebSocket framing, so it is the ceiling for any Node server on this
 * machine (one write per read, whatever the read carried).
 *
 *   node --import tsx bench/servers/net-echo.ts --port P --host 127.0.0.1
 *
 * Prints `tcp://HOST:PORT`; errors go to stderr as `bench-error ...`.
 */
import { createServer } from 'node:net';
import { parseServerArgs } from './args.js';

const args = parseServerArgs(process.argv.slice(2));
const server = createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('error', (err) => console.error(`bench-error net connection: ${err.message}`));
  socket.pipe(socket); // pipe pauses the read side while the write side is full
});
server.on('error', (err) => {
  console.error(`bench-error net server: ${err.message}`);
  process.exit(1);
});
server.listen(args.port, args.host, () => console.log(`tcp://${args.host}:${args.port}`));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => process.exit(0));
}

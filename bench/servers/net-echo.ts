/**
 * A raw node:net echo server: no WebSocket framing, so it is the ceiling for any Node server on this
 * machine (one write per read, whatever the read carried).
 *
 *   node --import tsx bench/servers/net-echo.ts --port P --host 127.0.0.1
 *
 * Prints `tcp://HOST:PORT`; errors go to stderr as `bench-error ...`.
 */
import { createServer, type Socket } from 'node:net';
import { parseServerArgs } from './args.js';

const args = parseServerArgs(process.argv.slice(2));
// Shared handlers (`this` is the socket): no closures per connection, so this is also the floor for
// memory per idle connection in Node.
function onData(this: Socket, chunk: Buffer): void {
  if (!this.write(chunk)) this.pause(); // resume on 'drain': never buffer without bound
}
function onDrain(this: Socket): void {
  this.resume();
}
function onError(this: Socket, err: Error): void {
  console.error(`bench-error net connection: ${err.message}`);
}

const server = createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('data', onData);
  socket.on('drain', onDrain);
  socket.on('error', onError);
});
server.on('error', (err) => {
  console.error(`bench-error net server: ${err.message}`);
  process.exit(1);
});
server.listen(args.port, args.host, () => console.log(`tcp://${args.host}:${args.port}`));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => process.exit(0));
}

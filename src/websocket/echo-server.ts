/**
 * An echo server for conformance and load tests: every message goes back as received (text as
 * text, binary as binary). `npm run echo -- --port 9001 [--host 127.0.0.1] [--deflate]
 * [--heartbeat MS]`; prints the ws:// URL and runs until SIGINT or SIGTERM.
 */
import { parseArgs } from 'node:util';
import { WebSocketServer } from './server.js';
import type { WebSocket } from './websocket.js';

const AS_TEXT = { binary: false } as const;
const AS_BINARY = { binary: true } as const;

function echo(this: WebSocket, data: Buffer, isBinary: boolean): void {
  this.send(data, isBinary ? AS_BINARY : AS_TEXT);
}

function main(): void {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '9001' },
      host: { type: 'string', default: '127.0.0.1' },
      deflate: { type: 'boolean', default: false },
      // Off by default: unsolicited pings would disturb the frame sequences conformance suites expect.
      heartbeat: { type: 'string', default: '0' },
    },
  });
  const port = Number(values.port);
  const heartbeat = Number(values.heartbeat);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got ${values.port}`);
  if (!Number.isFinite(heartbeat) || heartbeat < 0) throw new Error(`--heartbeat must be a number of ms, got ${values.heartbeat}`);

  const wss = new WebSocketServer({
    port,
    host: values.host,
    perMessageDeflate: values.deflate,
    heartbeatIntervalMs: heartbeat,
  });
  wss.on('connection', (ws: WebSocket) => ws.on('message', echo));
  wss.on('listening', () => {
    const address = wss.address();
    const host = address?.family === 'IPv6' ? `[${address.address}]` : address?.address;
    console.log(`ws://${host}:${address?.port}`);
  });
  wss.on('error', (err: Error) => {
    console.error(`echo server: ${err.message}`);
    process.exit(1);
  });
  const stop = (): void => wss.close(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

try {
  main();
} catch (err) {
  console.error(`echo server: ${(err as Error).message}`);
  process.exit(2);
}

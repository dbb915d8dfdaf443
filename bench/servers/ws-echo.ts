/**
 * The `ws` package's echo server, run as its own child process by the benchmark.
 *
 *   node --import tsx bench/servers/ws-echo.ts --port P --host 127.0.0.1 --mode plain|native [--deflate]
 *
 * "plain" is meant to run with WS_NO_BUFFER_UTIL=1 WS_NO_UTF_8_VALIDATE=1 in its environment (ws then
 * masks in JavaScript); "native" with bufferutil installed the way ws users run it in production. Which
 * helpers ws really loaded is checked here, after ws is imported, and a mismatch is a startup error: a
 * benchmark labelled "native" that silently ran the fallback would be a lie.
 * Prints `ws://HOST:PORT`, then `bench-info {...}`; errors go to stderr as `bench-error ...`.
 */
import { isUtf8 } from 'node:buffer';
import { createRequire } from 'node:module';
import { WebSocketServer } from 'ws';
import { parseServerArgs } from './args.js';

const args = parseServerArgs(process.argv.slice(2), ['plain', 'native']);
const require = createRequire(import.meta.url);

/** Module files the CommonJS loader holds: ws and its optional helpers are CommonJS. */
function loaded(suffix: string): boolean {
  return Object.keys(require.cache).some((file) => file.endsWith(suffix));
}

const nativeMask = loaded('bufferutil.node');
const nativeUtf8Validate = loaded('utf-8-validate.node');
if (args.mode === 'native' && !nativeMask) {
  console.error('bench-error ws native: bufferutil\'s native binding was not loaded by ws');
  process.exit(1);
}
if (args.mode === 'plain' && (nativeMask || nativeUtf8Validate)) {
  console.error('bench-error ws plain: a native helper was loaded despite WS_NO_BUFFER_UTIL/WS_NO_UTF_8_VALIDATE');
  process.exit(1);
}

const wss = new WebSocketServer({ port: args.port, host: args.host, perMessageDeflate: args.deflate });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
  ws.on('error', (err) => console.error(`bench-error ws connection: ${err.message}`));
});
wss.on('error', (err) => {
  console.error(`bench-error ws server: ${err.message}`);
  process.exit(1);
});
wss.on('listening', () => {
  const info = {
    server: `ws ${args.mode}`,
    mask: nativeMask ? 'bufferutil (native)' : 'JavaScript',
    // Node >= 18.14 has buffer.isUtf8, which ws prefers to utf-8-validate for messages of 24+ bytes.
    utf8: nativeUtf8Validate ? 'utf-8-validate (native)' : typeof isUtf8 === 'function' ? 'buffer.isUtf8 (Node core)' : 'JavaScript',
    deflate: args.deflate,
  };
  console.log(`ws://${args.host}:${args.port}`);
  console.log(`bench-info ${JSON.stringify(info)}`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => wss.close(() => process.exit(0)));
}

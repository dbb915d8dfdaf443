// A raw TCP byte stream to a serial bridge: ser2net in raw mode, an ESP32 or ESP8266 running a
// WiFi-to-UART bridge. Each byte we write reaches the car's UART unchanged.

import net from 'node:net';
import type { LinkSpec } from '../link-spec.js';
import { ReconnectingLink, type BackoffOptions, type Connector, type Transport } from './reconnect.js';

type TcpSpec = Extract<LinkSpec, { kind: 'tcp' }>;

/** A connect attempt that hangs (a silent host) counts as a failure after this long. */
const CONNECT_TIMEOUT_MS = 5_000;

export function tcpConnector(spec: TcpSpec): Connector {
  return (lost) => new Promise<Transport>((resolve, reject) => {
    const socket = net.connect({ host: spec.host, port: spec.port });
    const where = `${spec.host}:${spec.port}`;
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => socket.destroy(new Error(`connect to ${where} timed out`)));
    socket.once('error', (err) => reject(new Error(`cannot connect to ${where}: ${err.message}`)));
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.setNoDelay(true); // a steering byte must not wait for Nagle
      socket.setKeepAlive(true, 10_000);
      socket.removeAllListeners('error');
      socket.on('data', () => {}); // a bridge may echo or chatter; drop it
      let ended = false;
      socket.on('error', () => {}); // 'close' follows and reports the loss
      socket.on('close', () => {
        if (!ended) lost(new Error(`connection to ${where} lost`));
      });
      resolve({
        write: (bytes) => {
          socket.write(bytes);
        },
        end: () => new Promise<void>((done) => {
          ended = true;
          if (socket.destroyed) return done();
          socket.once('close', () => done());
          socket.end();
          // A peer that never answers our FIN must not hold close() forever.
          setTimeout(() => socket.destroy(), 2_000).unref();
        }),
      });
    });
  });
}

export function createTcpLink(spec: TcpSpec, backoff?: BackoffOptions): ReconnectingLink {
  return new ReconnectingLink(spec, tcpConnector(spec), backoff);
}

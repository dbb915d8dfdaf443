// A serial port: a paired Bluetooth SPP car (/dev/rfcomm0, /dev/tty.<name>, COM5) or a USB serial
// adapter. 8 data bits, no parity, 1 stop bit, no flow control (PROTOCOL.md section 1).

import { SerialPort } from 'serialport';
import type { LinkSpec } from '../link-spec.js';
import { ReconnectingLink, type BackoffOptions, type Connector, type Transport } from './reconnect.js';

type SerialSpec = Extract<LinkSpec, { kind: 'serial' }>;

export function serialConnector(spec: SerialSpec): Connector {
  return (lost) => new Promise<Transport>((resolve, reject) => {
    const port = new SerialPort({
      path: spec.path, baudRate: spec.baudRate, dataBits: 8, parity: 'none', stopBits: 1,
      rtscts: false, xon: false, xoff: false, autoOpen: false,
    });
    port.open((err) => {
      if (err) {
        reject(new Error(`cannot open ${spec.path}: ${err.message}`));
        return;
      }
      // The car may talk back (some HC-05 sketches echo); nobody listens, so keep reading and drop it.
      port.on('data', () => {});
      // A vanished device shows up as an error, a close, or both; report it once.
      let gone = false;
      const vanish = (why: Error): void => {
        if (gone) return;
        gone = true;
        if (port.isOpen) port.close(() => {});
        lost(why);
      };
      port.on('error', (e: Error) => vanish(new Error(`${spec.path}: ${e.message}`)));
      port.on('close', () => vanish(new Error(`${spec.path} closed`)));
      resolve({
        write: (bytes) => {
          port.write(Buffer.from(bytes), (e) => e && vanish(new Error(`${spec.path}: write failed: ${e.message}`)));
        },
        end: () => new Promise<void>((done) => {
          gone = true; // our own close is not a loss
          if (!port.isOpen) return done();
          port.drain(() => port.close(() => done()));
        }),
      });
    });
  });
}

export function createSerialLink(spec: SerialSpec, backoff?: BackoffOptions): ReconnectingLink {
  return new ReconnectingLink(spec, serialConnector(spec), backoff);
}

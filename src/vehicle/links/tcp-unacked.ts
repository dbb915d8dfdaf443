// How many bytes a TCP connection has sent that its peer has not acknowledged yet.
//
// Node's write callback fires when bytes reach the kernel, not the peer: to a bridge that vanished (an ESP32
// switched off or out of Wi-Fi range) every write still "succeeds", and the kernel retransmits for ~15
// minutes (tcp_retries2) before it gives up. A one-byte command stream never fills the socket buffers, so
// backpressure never shows it either. Linux publishes, per socket, tx_queue in /proc/net/tcp and
// /proc/net/tcp6: write_seq - snd_una, the bytes written to the kernel and not yet acknowledged. Node has no
// getsockopt(TCP_INFO) or ioctl(SIOCOUTQ), and the file needs no native code, so we read it: asynchronously,
// and only while something is unacknowledged (the link asks after each write until the answer is 0).
//
// Elsewhere (macOS, Windows), or where /proc cannot be read, there is no probe and the link falls back to
// Node's writableLength (see tcp.ts).

import { readFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';

/** Resolves to the socket's unacknowledged byte count, or null when it cannot be told (socket not listed). */
export type UnackedProbe = () => Promise<number | null>;

/** A probe for this connected socket, or null on systems without /proc/net/tcp. */
export function unackedProbe(socket: net.Socket): UnackedProbe | null {
  if (process.platform !== 'linux') return null;
  const local = socket.localAddress;
  const remote = socket.remoteAddress;
  if (local === undefined || remote === undefined || socket.localPort === undefined || socket.remotePort === undefined) return null;
  const localHex = addressHex(local);
  const remoteHex = addressHex(remote);
  if (localHex === null || remoteHex === null || localHex.length !== remoteHex.length) return null;
  const file = localHex.length === 8 ? '/proc/net/tcp' : '/proc/net/tcp6';
  // A line reads "  sl  local_address:port rem_address:port st tx_queue:rx_queue ..." in uppercase hex.
  const key = ` ${localHex}:${portHex(socket.localPort)} ${remoteHex}:${portHex(socket.remotePort)} `;
  let readable = true;
  return async () => {
    if (!readable) return null;
    let table: string;
    try {
      table = await readFile(file, 'latin1');
    } catch {
      readable = false; // a hardened /proc: stop trying, fall back for good
      return null;
    }
    const at = table.indexOf(key);
    if (at === -1) return null;
    const field = table.slice(at + key.length + 3, at + key.length + 11); // after "st "
    return /^[0-9A-F]{8}$/.test(field) ? parseInt(field, 16) : null;
  };
}

const portHex = (port: number): string => port.toString(16).toUpperCase().padStart(4, '0');

/** The kernel prints each 32-bit word of an address as a number in the machine's byte order. */
export function addressHex(address: string): string | null {
  const bytes = net.isIPv4(address) ? ipv4Bytes(address) : ipv6Bytes(address.split('%')[0]);
  if (bytes === null) return null;
  const view = Buffer.from(bytes);
  const little = os.endianness() === 'LE';
  let out = '';
  for (let i = 0; i < view.length; i += 4) {
    const word = little ? view.readUInt32LE(i) : view.readUInt32BE(i);
    out += word.toString(16).toUpperCase().padStart(8, '0');
  }
  return out;
}

function ipv4Bytes(address: string): number[] {
  return address.split('.').map(Number);
}

/** RFC 4291 section 2.2 text forms: "::" for zero groups, and a dotted IPv4 tail (::ffff:1.2.3.4). */
export function ipv6Bytes(address: string): number[] | null {
  if (!net.isIPv6(address)) return null;
  const groups = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const [a, b, c, d] = ipv4Bytes(g);
        out.push((a << 8) | b, (c << 8) | d);
      } else {
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const gap = address.indexOf('::');
  const head = groups(gap === -1 ? address : address.slice(0, gap));
  const tail = gap === -1 ? [] : groups(address.slice(gap + 2));
  const all = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

// How many bytes a TCP connection has sent that its peer has not acknowledged yet.
//
// Node's write callback fires when bytes reach the kernel, not the peer: to a bridge that vanished (an ESP32
// switched off or out of Wi-Fi range) every write still "succeeds", and the kernel retransmits for ~15
// minutes (tcp_retries2) before it gives up. A one-byte command stream never fills the socket buffers, so
// backpressure never shows it either. Linux publishes, per socket, tx_queue in /proc/net/tcp and
// /proc/net/tcp6: write_seq - snd_una, the bytes written to the kernel and not yet acknowledged. Node has no
// getsockopt(TCP_INFO) or ioctl(SIOCOUTQ), and the file needs no native code, so we read it: asynchronously,
// and only while something is unacknowledged (the TCP transport asks while it waits for an ACK).
//
// Cheap on purpose, since it runs next to the command path: pread(2) of a descriptor kept open, searched as
// bytes, no string; one reading of the table serves every link that is looking (TableReader). (The kernel
// hands a seq_file out a page at a time, so a reading is one read per ~27 sockets on the machine.)
//
// Elsewhere (macOS, Windows), or where /proc cannot be read, there is no probe and the link falls back to
// Node's writableLength (see tcp.ts).

import { open, read } from 'node:fs';
import net from 'node:net';
import os from 'node:os';

/** Resolves to the socket's unacknowledged byte count, or null when it cannot be told (socket not listed). */
export type UnackedProbe = () => Promise<number | null>;

const INITIAL_BUFFER = 16 * 1024;
const MAX_BUFFER = 16 * 1024 * 1024; // ~100,000 sockets; past that we stop looking
const HEX = /^[0-9A-F]{8}$/;

/** A probe for this connected socket, or null on systems without /proc/net/tcp. */
export function unackedProbe(socket: net.Socket): UnackedProbe | null {
  if (process.platform !== 'linux') return null;
  const { localAddress, remoteAddress, localPort, remotePort } = socket;
  if (localAddress === undefined || remoteAddress === undefined || localPort === undefined || remotePort === undefined) return null;
  const localHex = addressHex(localAddress);
  const remoteHex = addressHex(remoteAddress);
  if (localHex === null || remoteHex === null || localHex.length !== remoteHex.length) return null;
  const table = localHex.length === 8 ? '/proc/net/tcp' : '/proc/net/tcp6';
  // A line reads "  sl  local_address:port rem_address:port st tx_queue:rx_queue ..." in uppercase hex.
  const key = Buffer.from(` ${localHex}:${portHex(localPort)} ${remoteHex}:${portHex(remotePort)} `, 'latin1');
  let seen = false;
  const look = async (): Promise<number | null> => {
    const snapshot = await reader(table).snapshot();
    if (snapshot === null) return null;
    const at = snapshot.indexOf(key);
    const field = at + key.length + 3; // after "st "
    if (at === -1 || field + 8 > snapshot.length) return null;
    const hex = snapshot.toString('latin1', field, field + 8);
    return HEX.test(hex) ? parseInt(hex, 16) : null;
  };
  return async () => {
    let unacked = await look();
    // The table is read a page at a time, and a socket closing elsewhere between two pages can shift ours
    // out of both: a line seen before and missing now gets a second look.
    if (unacked === null && seen) unacked = await look();
    if (unacked !== null) seen = true;
    return unacked;
  };
}

/**
 * Whole readings of one table, shared by every probe of the process (one per car's link). A reading
 * answers each probe that asked before it started; whoever asks while one is under way gets the next,
 * which starts when it ends and is shared the same way. So the table is read at most twice for any one
 * probe's look, however many links look at once. (Reading it once per probe was quadratic in effect:
 * the kernel keeps one read position per open file, the looks' page reads interleaved on the shared
 * descriptor, and every read away from where the last one ended walks the table again from its start.
 * With a few thousand sockets on the machine and three cars, a look took longer than a link's write
 * timeout, and healthy links were given up as lost.)
 */
class TableReader {
  #capacity = INITIAL_BUFFER;
  #reading: Promise<Buffer | null> | null = null;
  #next: Promise<Buffer | null> | null = null;
  #fd: Promise<number | null> | null = null;

  constructor(private readonly table: string) {}

  /** The table as read entirely after this call (never one begun before it); null when it cannot be read. */
  snapshot(): Promise<Buffer | null> {
    if (this.#reading === null) return this.#start();
    this.#next ??= this.#reading.then(() => {
      this.#next = null;
      return this.#start();
    });
    return this.#next;
  }

  #start(): Promise<Buffer | null> {
    const reading = this.#read().finally(() => {
      if (this.#reading === reading) this.#reading = null;
    });
    this.#reading = reading;
    return reading;
  }

  /** One reading, from offset 0 (a fresh snapshot) to the end, into a buffer of its own. */
  async #read(): Promise<Buffer | null> {
    readings++;
    // One descriptor per table for the whole process, opened on first use (null: /proc cannot be read here).
    this.#fd ??= new Promise((resolve) => open(this.table, 'r', (err, n) => resolve(err ? null : n)));
    const fd = await this.#fd;
    if (fd === null) return null;
    let buffer = Buffer.allocUnsafe(this.#capacity);
    let n = 0;
    for (;;) {
      if (n === buffer.length) {
        if (buffer.length >= MAX_BUFFER) return null;
        const bigger = Buffer.allocUnsafe(buffer.length * 2); // more sockets than fit: grow, and start there next time
        buffer.copy(bigger, 0, 0, n);
        buffer = bigger;
        this.#capacity = bigger.length;
      }
      const got = await readAt(fd, buffer, n);
      if (got === null) return null;
      if (got === 0) return buffer.subarray(0, n);
      n += got;
    }
  }
}

const readers = new Map<string, TableReader>();
let readings = 0;

/** How many times this process has read a table (each a walk of the kernel's connection table): the cost. */
export function tableReadings(): number {
  return readings;
}

function reader(table: string): TableReader {
  let r = readers.get(table);
  if (r === undefined) {
    r = new TableReader(table);
    readers.set(table, r);
  }
  return r;
}

/** Reads the table from `offset` on into buffer[offset..]; a read at offset 0 starts a fresh snapshot. */
function readAt(fd: number, buffer: Buffer, offset: number): Promise<number | null> {
  return new Promise((resolve) => read(fd, buffer, offset, buffer.length - offset, offset, (err, n) => resolve(err ? null : n)));
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

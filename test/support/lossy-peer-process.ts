// The far end of test/support/lossy-peer.ts: a TCP byte recorder running inside its own network namespace
// (started by `unshare --net`). It reports over the IPC channel, and configures and cuts its own side of the
// veth pair when told to (it is root in its namespace, so `ip` and `tc` act on this namespace only).
// Its behaviour as a bridge (PeerBehaviour) comes as JSON in argv[2].
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { promisify } from 'node:util';

export interface PeerBehaviour {
  /** Send every byte back once it is recorded (`--link-ack echo`). */
  echo?: boolean;
  /** Serve one connection at a time, oldest first, as ser2net does: a newer one waits until the older ends. */
  oneAtATime?: boolean;
  /** The kernel's receive buffer for its connections (net.ipv4.tcp_rmem in this namespace), in bytes. */
  receiveBufferBytes?: number;
}

/** What a stalled bridge holds that it has not passed on to the car, per connection still open. */
export interface Unread {
  conn: number;
  /** Acknowledged by its kernel, not read by its program (rx_queue in /proc/net/tcp). */
  kernel: number;
  /** Read by its program, not passed on (the socket's readable buffer). */
  program: number;
}

export type PeerRequest =
  | { cmd: 'configure'; dev: string; address: string }
  | { cmd: 'cut' | 'restore' | 'stall' | 'unstall' | 'drop' | 'unread' };
export type PeerCommand = PeerRequest & { id: number };

export type PeerReport =
  | { type: 'listening'; port: number }
  | { type: 'connection'; conn: number }
  | { type: 'data'; conn: number; bytes: number[] }
  | { type: 'end'; conn: number }
  | { type: 'done'; id: number; error?: string; unread?: Unread[] };

const run = promisify(execFile);
const report = (r: PeerReport): void => void process.send!(r);

const behaviour = JSON.parse(process.argv[2] ?? '{}') as PeerBehaviour;
const sockets = new Map<net.Socket, number>(); // open connections, oldest first, and their numbers
let connections = 0;
let stalled = false;
let dev = '';

/** A connection reads when the bridge is not stalled and (one at a time) it is the oldest one open. */
function serve(): void {
  let first = true;
  for (const socket of sockets.keys()) {
    if (!stalled && (first || !behaviour.oneAtATime)) socket.resume();
    else socket.pause();
    first = false;
  }
}

// A high-water mark of 1: a paused connection stops reading at once, so what a stalled bridge holds is in its
// kernel, where /proc/net/tcp shows it, and not in this program's buffers.
const server = net.createServer({ pauseOnConnect: true, highWaterMark: 1 }, (socket) => {
  const conn = connections++;
  sockets.set(socket, conn);
  report({ type: 'connection', conn });
  socket.on('data', (chunk) => {
    report({ type: 'data', conn, bytes: [...chunk] });
    if (behaviour.echo) socket.write(chunk);
  });
  socket.on('error', () => {}); // a reset is reported as the end of the connection
  socket.on('close', () => {
    sockets.delete(socket);
    report({ type: 'end', conn });
    serve();
  });
  serve();
});

/** Per open connection: what its kernel and this program hold unread. */
async function unread(): Promise<Unread[]> {
  const table = await readFile('/proc/net/tcp', 'latin1');
  return [...sockets].map(([socket, conn]) => {
    const port = socket.localPort!.toString(16).toUpperCase().padStart(4, '0');
    const remotePort = socket.remotePort!.toString(16).toUpperCase().padStart(4, '0');
    const line = table.split('\n').map((l) => l.trim().split(/\s+/))
      .find((f) => f[1]?.endsWith(`:${port}`) && f[2]?.endsWith(`:${remotePort}`));
    return { conn, kernel: line ? parseInt(line[4].split(':')[1], 16) : 0, program: socket.readableLength };
  });
}

async function handle(c: PeerCommand): Promise<Unread[] | void> {
  switch (c.cmd) {
    case 'configure':
      dev = c.dev;
      await run('ip', ['link', 'set', 'lo', 'up']);
      await run('ip', ['addr', 'add', c.address, 'dev', dev]);
      await run('ip', ['link', 'set', dev, 'up']);
      // Local delivery is decided by the 'local' rule at priority 0; move it behind the slot that cut() uses,
      // so a blackhole rule there drops what arrives on the veth before it reaches our socket.
      await run('ip', ['rule', 'add', 'pref', '100', 'lookup', 'local']);
      await run('ip', ['rule', 'del', 'pref', '0']);
      return;
    case 'cut':
      // In: packets from the veth are dropped by routing, as if they never arrived.
      await run('ip', ['rule', 'add', 'pref', '10', 'iif', dev, 'blackhole']);
      // Out: a queue of length 0 drops everything we would send (ACKs, data, FIN, RST).
      await run('tc', ['qdisc', 'replace', 'dev', dev, 'root', 'pfifo', 'limit', '0']);
      return;
    case 'restore':
      await run('tc', ['qdisc', 'del', 'dev', dev, 'root']);
      await run('ip', ['rule', 'del', 'pref', '10']);
      return;
    case 'stall':
      stalled = true;
      serve();
      return;
    case 'unstall':
      stalled = false;
      serve();
      return;
    case 'drop':
      for (const s of sockets.keys()) s.destroy();
      return;
    case 'unread':
      return unread();
  }
}

process.on('message', (c: PeerCommand) => {
  handle(c).then(
    (found) => report({ type: 'done', id: c.id, ...(found ? { unread: found } : {}) }),
    (err: Error) => report({ type: 'done', id: c.id, error: err.message }),
  );
});
// The test process went away: so do we, and with us the namespace and the veth pair.
process.on('disconnect', () => process.exit(0));

/** A small receive buffer, as on an ESP32 (lwIP's window is a few KiB): set before listening, inherited. */
async function start(): Promise<void> {
  const bytes = behaviour.receiveBufferBytes;
  if (bytes !== undefined) await writeFile('/proc/sys/net/ipv4/tcp_rmem', `${bytes} ${bytes} ${bytes}`);
  server.listen(0, '0.0.0.0', () => report({ type: 'listening', port: (server.address() as net.AddressInfo).port }));
}

start().catch((err: Error) => {
  console.error(`lossy peer: ${err.message}`);
  process.exit(1);
});

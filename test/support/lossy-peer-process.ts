// The far end of test/support/lossy-peer.ts: a TCP byte recorder running inside its own network namespace
// (started by `unshare --net`). It reports over the IPC channel, and configures and cuts its own side of the
// veth pair when told to (it is root in its namespace, so `ip` and `tc` act on this namespace only).
import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';

export type PeerRequest =
  | { cmd: 'configure'; dev: string; address: string }
  | { cmd: 'cut' | 'restore' | 'stall' | 'unstall' | 'drop' };
export type PeerCommand = PeerRequest & { id: number };

export type PeerReport =
  | { type: 'listening'; port: number }
  | { type: 'connection'; conn: number }
  | { type: 'data'; conn: number; bytes: number[] }
  | { type: 'end'; conn: number }
  | { type: 'done'; id: number; error?: string };

const run = promisify(execFile);
const report = (r: PeerReport): void => void process.send!(r);

const sockets = new Set<net.Socket>();
let connections = 0;
let stalled = false;
let dev = '';

const server = net.createServer((socket) => {
  const conn = connections++;
  sockets.add(socket);
  if (stalled) socket.pause();
  report({ type: 'connection', conn });
  socket.on('data', (chunk) => report({ type: 'data', conn, bytes: [...chunk] }));
  socket.on('error', () => {}); // a reset is reported as the end of the connection
  socket.on('close', () => {
    sockets.delete(socket);
    report({ type: 'end', conn });
  });
});

async function handle(c: PeerCommand): Promise<void> {
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
      for (const s of sockets) s.pause();
      return;
    case 'unstall':
      stalled = false;
      for (const s of sockets) s.resume();
      return;
    case 'drop':
      for (const s of sockets) s.destroy();
      return;
  }
}

process.on('message', (c: PeerCommand) => {
  handle(c).then(
    () => report({ type: 'done', id: c.id }),
    (err: Error) => report({ type: 'done', id: c.id, error: err.message }),
  );
});
// The test process went away: so do we, and with us the namespace and the veth pair.
process.on('disconnect', () => process.exit(0));

server.listen(0, '0.0.0.0', () => report({ type: 'listening', port: (server.address() as net.AddressInfo).port }));

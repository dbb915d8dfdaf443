// A TCP byte recorder whose network can be cut: it plays a serial bridge (ser2net, an ESP32) that records
// every byte the car would get, and that can vanish the way a real one does (powered off, out of Wi-Fi range):
// no FIN, no RST, no ACK, nothing comes back, while this machine's kernel keeps retransmitting.
//
//   const peer = await startLossyPeer();   // throws if lossyPeerUnsupported() gives a reason
//   t.after(() => peer.close());
//   spawn('webracer', ['--link', peer.spec]) / createLink(parseLinkSpec(peer.spec))
//   await peer.until(() => peer.lastByte === 0x16, 'the forward byte');
//   await peer.cut();          // every packet both ways is dropped from now on
//   await peer.restore();      // packets flow again (a connection our side gave up on stays dead)
//   await peer.stall();        // the bridge stops reading (its kernel still ACKs until its buffer is full)
//   await peer.unstall();
//   await peer.drop();         // closes every connection (FIN), like a bridge that restarts its server
//   await peer.unread();       // per open connection, what the bridge holds and has not passed on
//
//   startLossyPeer({ echo: true })                  a bridge that echoes every byte (--link-ack echo)
//   startLossyPeer({ oneAtATime: true })            serves the oldest open connection only, as ser2net does
//   startLossyPeer({ receiveBufferBytes: 4096 })    its kernel's receive buffer (an ESP32's is a few KiB)
//
//   peer.spec         'tcp:169.254.X.Y:PORT', for --link and parseLinkSpec
//   peer.host, peer.port
//   peer.connections  the bytes each accepted connection delivered to the bridge, in order (number[][])
//   peer.bytes        all of them, flattened; peer.lastByte: the last one, or undefined
//   peer.until(check, what, timeoutMs = 15_000)  resolves when check() holds, re-checked on every
//                     connection, byte and end; rejects after timeoutMs naming `what` and the bytes so far
//
// How: the recorder is a child process started with `unshare --net`, so it has a network namespace of its
// own. A veth pair joins that namespace to ours, with a /30 from the link-local range 169.254.0.0/16 picked
// from the child's pid (nothing leaves the machine, and the addresses are never routed). cut() makes the
// child add, in its own namespace only, a routing rule that blackholes what arrives on its veth and a
// zero-length queue (`tc qdisc ... pfifo limit 0`) that drops what it sends; our side of the pair is left
// alone, so our kernel sees exactly what it sees when a bridge vanishes: sends that succeed, and silence.
// (netem would do, but kernels are often built without it, this machine's included.) When the child exits, or
// this process dies, the namespace and both ends of the veth pair disappear with it.
//
// Needs Linux, root (CI runs as root), and `unshare`, `ip` and `tc` (util-linux, iproute2).
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { PeerBehaviour, PeerCommand, PeerReport, PeerRequest, Unread } from './lossy-peer-process.js';

export type { PeerBehaviour, Unread } from './lossy-peer-process.js';

export interface LossyPeer {
  readonly host: string;
  readonly port: number;
  readonly spec: string;
  readonly connections: ReadonlyArray<ReadonlyArray<number>>;
  readonly bytes: number[];
  readonly lastByte: number | undefined;
  until(check: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  cut(): Promise<void>;
  restore(): Promise<void>;
  stall(): Promise<void>;
  unstall(): Promise<void>;
  drop(): Promise<void>;
  unread(): Promise<Unread[]>;
  close(): Promise<void>;
}

const run = promisify(execFile);
const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lossy-peer-process.ts');
const START_TIMEOUT_MS = 20_000;

let unsupported: string | undefined | null = null; // null: not checked yet

/** Why a lossy peer cannot run here, or undefined when it can. */
export function lossyPeerUnsupported(): string | undefined {
  if (unsupported === null) unsupported = whyUnsupported();
  return unsupported;
}

function whyUnsupported(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux network namespaces';
  if (process.getuid?.() !== 0) return 'needs root (unshare --net, ip link add veth)';
  for (const tool of ['unshare', 'ip', 'tc']) {
    if (!onPath(tool)) return `needs '${tool}' on PATH (util-linux, iproute2)`;
  }
  // Root in a container without CAP_SYS_ADMIN cannot make a namespace.
  if (spawnSync('unshare', ['--net', 'true'], { stdio: 'ignore', timeout: 10_000 }).status !== 0) {
    return 'unshare --net is not permitted here (a container without CAP_SYS_ADMIN?)';
  }
  return undefined;
}

export async function startLossyPeer(behaviour: PeerBehaviour = {}): Promise<LossyPeer> {
  const why = lossyPeerUnsupported();
  if (why !== undefined) throw new Error(`lossy peer: ${why}`);
  const child = spawn('unshare', ['--net', '--', process.execPath, '--import', 'tsx', CHILD, JSON.stringify(behaviour)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const port = await listening(child);
    const pid = child.pid!;
    const { hostAddress, peerAddress } = addressesFor(pid);
    const hostDev = `wlp${pid}h`;
    const peerDev = `wlp${pid}p`;
    await run('ip', ['link', 'add', hostDev, 'type', 'veth', 'peer', 'name', peerDev, 'netns', String(pid)]);
    await run('ip', ['addr', 'add', `${hostAddress}/30`, 'dev', hostDev]);
    await run('ip', ['link', 'set', hostDev, 'up']);
    const peer = new Peer(child, peerAddress, port);
    await peer.command({ cmd: 'configure', dev: peerDev, address: `${peerAddress}/30` });
    return peer;
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
}

class Peer implements LossyPeer {
  readonly spec: string;
  readonly #connections: number[][] = [];
  #waiters = new Set<() => void>();
  #nextId = 0;
  #replies = new Map<number, (error?: string, unread?: Unread[]) => void>();
  #exited: Promise<unknown>;

  constructor(private readonly child: ChildProcess, readonly host: string, readonly port: number) {
    this.spec = `tcp:${host}:${port}`;
    this.#exited = child.exitCode !== null ? Promise.resolve() : once(child, 'exit');
    child.on('message', (r: PeerReport) => this.#onReport(r));
  }

  get connections(): ReadonlyArray<ReadonlyArray<number>> {
    return this.#connections;
  }

  get bytes(): number[] {
    return this.#connections.flat();
  }

  get lastByte(): number | undefined {
    for (let i = this.#connections.length - 1; i >= 0; i--) {
      const c = this.#connections[i];
      if (c.length > 0) return c[c.length - 1];
    }
    return undefined;
  }

  until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = (): void => {
        if (!check()) return;
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`lossy peer: timed out waiting for ${what}; bytes per connection: ${JSON.stringify(this.#connections)}`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  cut = (): Promise<void> => this.command({ cmd: 'cut' });
  restore = (): Promise<void> => this.command({ cmd: 'restore' });
  stall = (): Promise<void> => this.command({ cmd: 'stall' });
  unstall = (): Promise<void> => this.command({ cmd: 'unstall' });
  drop = (): Promise<void> => this.command({ cmd: 'drop' });

  unread(): Promise<Unread[]> {
    return new Promise((resolve, reject) => this.#ask({ cmd: 'unread' }, (error, unread) =>
      (error === undefined ? resolve(unread ?? []) : reject(new Error(`lossy peer: unread: ${error}`)))));
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.#exited;
  }

  command(c: PeerRequest): Promise<void> {
    return new Promise((resolve, reject) => this.#ask(c, (error) =>
      (error === undefined ? resolve() : reject(new Error(`lossy peer: ${c.cmd}: ${error}`)))));
  }

  #ask(c: PeerRequest, reply: (error?: string, unread?: Unread[]) => void): void {
    const id = this.#nextId++;
    this.#replies.set(id, reply);
    this.child.send({ ...c, id } as PeerCommand);
  }

  #onReport(r: PeerReport): void {
    switch (r.type) {
      case 'connection':
        this.#connections[r.conn] = [];
        break;
      case 'data':
        this.#connections[r.conn].push(...r.bytes);
        break;
      case 'done': {
        const reply = this.#replies.get(r.id);
        this.#replies.delete(r.id);
        reply?.(r.error, r.unread);
        return;
      }
      default:
        break;
    }
    for (const w of [...this.#waiters]) w();
  }
}

function listening(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lossy peer: not listening within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    child.once('error', (err) => { clearTimeout(timer); reject(err); });
    child.once('exit', (code, signal) => { clearTimeout(timer); reject(new Error(`lossy peer: exited with ${code ?? signal} before listening`)); });
    child.on('message', function onMessage(r: PeerReport) {
      if (r.type !== 'listening') return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(r.port);
    });
  });
}

/** A /30 in 169.254.0.0/16 from the pid (unique among live processes), avoiding 169.254.0.x, .169.x and .255.x. */
function addressesFor(pid: number): { hostAddress: string; peerAddress: string } {
  const slot = pid % (253 * 64);
  let third = 1 + Math.floor(slot / 64);
  if (third >= 169) third++;
  const base = (slot % 64) * 4;
  return { hostAddress: `169.254.${third}.${base + 1}`, peerAddress: `169.254.${third}.${base + 2}` };
}

function onPath(tool: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    try {
      accessSync(path.join(dir, tool), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

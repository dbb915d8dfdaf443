/**
 * `node --import tsx bench/drive-paths-lossy.ts [--moves 80] [--loss 0,2,5]` (root: a network namespace)
 *
 * Drive input through ../shared/tools/lossy-path (RTT 40 ms, the given loss each way), the WebSocket and
 * the drive channel in the same run (issue 21 "Measure", without the browser: a Node client sends what
 * the page would). The server runs in the namespace (bench/lossy-path-server.ts); this process is the
 * page. Each move is a drive with a new stick position (8 speeds in turn, 20 a second, one rising seq);
 * its latency is the time from its send to the first byte handed to the car that is its own or a later
 * move's (a lost datagram is superseded by the next move: what the car runs on is what counts). Reported:
 * p50, p99, max, and moves the car never got (superseded before anything of theirs arrived is not missing).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import nodeDataChannel from 'node-datachannel';
import { WebSocket } from 'ws';

const NS = `wr-data-channel-${process.pid}`;
const TUNPATH = fileURLToPath(new URL('../../shared/tools/lossy-path/tunpath.py', import.meta.url));
const SERVER = fileURLToPath(new URL('./lossy-path-server.ts', import.meta.url));
const SPEEDS = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
const MOVE_MS = 50;

interface Lines { next(match: (v: Record<string, number>) => boolean): Promise<Record<string, number>>; all: Array<Record<string, number>> }

function lines(child: ChildProcess): Lines {
  const all: Array<Record<string, number>> = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line.startsWith('{')) all.push(JSON.parse(line) as Record<string, number>);
    else if (line === 'ready') all.push({ ready: 1 });
    for (const w of waiters.splice(0)) w();
  });
  return {
    all,
    async next(match) {
      for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
        const found = all.find(match);
        if (found) return found;
        await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 200); });
      }
      throw new Error('timed out waiting for a line');
    },
  };
}

const now = () => Number(process.hrtime.bigint());

async function openChannel(ws: WebSocket): Promise<nodeDataChannel.DataChannel> {
  const pc = new nodeDataChannel.PeerConnection('bench', { iceServers: [] });
  ws.on('message', (raw) => {
    const m = JSON.parse(String(raw)) as { type: string; description?: { sdp: string; type: string }; candidate?: { candidate: string; sdpMid?: string } | null };
    if (m.type !== 'channel') return;
    if (m.description) pc.setRemoteDescription(m.description.sdp, m.description.type as 'offer');
    if (m.candidate) pc.addRemoteCandidate(m.candidate.candidate, m.candidate.sdpMid ?? '0');
  });
  pc.onLocalDescription((sdp, type) => ws.send(JSON.stringify({ type: 'channel', description: { type, sdp } })));
  pc.onLocalCandidate((candidate, sdpMid) => ws.send(JSON.stringify({ type: 'channel', candidate: { candidate, sdpMid } })));
  return new Promise((resolve, reject) => {
    setTimeout(() => reject(new Error('no channel')), 15_000);
    pc.onDataChannel((dc) => (dc.isOpen() ? resolve(dc) : dc.onOpen(() => resolve(dc))));
    ws.send(JSON.stringify({ type: 'channel', open: true }));
  });
}

let seq = 0;

/** One run of `moves` moves on one path (the driver's connection, and its channel for 'channel'); latencies in ms. */
async function run(ws: WebSocket, server: Lines, channel: nodeDataChannel.DataChannel | null, moves: number): Promise<{ ms: number[]; missing: number }> {
  const send = (m: object, both = false) => {
    const text = JSON.stringify({ ...m, seq: ++seq });
    if (channel && !both) channel.sendMessage(text); else ws.send(text);
  };
  send({ type: 'stop' }, true);
  send({ type: 'drive', x: 0, y: 0 }, true); // armed, on the WebSocket
  await new Promise((r) => setTimeout(r, 300));
  const from = server.all.length;
  const sent: Array<{ t: number; y: number }> = [];
  for (let k = 0; k < moves; k++) {
    const y = SPEEDS[k % SPEEDS.length];
    sent.push({ t: now(), y });
    send({ type: 'drive', x: 0, y });
    await new Promise((r) => setTimeout(r, MOVE_MS));
  }
  await new Promise((r) => setTimeout(r, 1500));
  send({ type: 'stop' }, true);
  await new Promise((r) => setTimeout(r, 300));
  return latencies(sent, server.all.slice(from).filter((l) => 'byte' in l) as Array<{ t: number; byte: number }>);
}

/** Each move's latency: until the car got its byte or a later move's (its byte learned from the moves themselves). */
function latencies(sent: Array<{ t: number; y: number }>, bytes: Array<{ t: number; byte: number }>): { ms: number[]; missing: number } {
  const arrivals: Array<{ t: number; move: number }> = [];
  for (const b of bytes) {
    // The latest move sent before the byte whose position gives it: the byte's speed order matches SPEEDS.
    const speedIndex = byteOrder(bytes).indexOf(b.byte);
    let move = -1;
    for (let k = 0; k < sent.length && sent[k].t <= b.t; k++) if (k % SPEEDS.length === speedIndex) move = k;
    if (move >= 0) arrivals.push({ t: b.t, move });
  }
  const ms: number[] = [];
  let missing = 0;
  for (let k = 0; k < sent.length; k++) {
    const first = arrivals.find((a) => a.move >= k && a.t >= sent[k].t);
    if (first === undefined) missing++;
    else ms.push((first.t - sent[k].t) / 1e6);
  }
  return { ms, missing };
}

/** The bytes of the 8 speeds, slowest first (an i-Racer's speed is the low nibble; the direction the same). */
function byteOrder(bytes: Array<{ byte: number }>): number[] {
  return [...new Set(bytes.map((b) => b.byte).filter((b) => b !== 0))].sort((a, b) => (a & 0x0f) - (b & 0x0f));
}

function summary(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]?.toFixed(0) ?? '–';
  return `p50 ${at(50)} / p99 ${at(99)} / max ${s.length ? s[s.length - 1].toFixed(0) : '–'} ms`;
}

async function level(loss: number, moves: number): Promise<void> {
  const tun = spawn('python3', [TUNPATH, NS, '20', String(loss)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const server = spawn('ip', ['netns', 'exec', NS, process.execPath, '--import', 'tsx', SERVER, '10.212.0.2'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await lines(tun).next((l) => 'ready' in l);
    const out = lines(server);
    const { port } = await out.next((l) => 'port' in l);
    const ws = new WebSocket(`ws://10.212.0.2:${port}/ws`);
    await new Promise((r, j) => { ws.once('open', r); ws.once('error', j); });
    const channel = await openChannel(ws);
    for (const path of ['websocket', 'channel'] as const) {
      const r = await run(ws, out, path === 'channel' ? channel : null, moves);
      console.log(`loss ${loss}%  ${path.padEnd(9)}  ${summary(r.ms)}  (${r.ms.length} moves, ${r.missing} never reached the car)`);
    }
    ws.close();
  } finally {
    server.kill('SIGTERM');
    tun.kill();
  }
}

const args = process.argv.slice(2);
const moves = Number(args[args.indexOf('--moves') + 1] ?? 80) || 80;
const losses = args.includes('--loss') ? args[args.indexOf('--loss') + 1].split(',').map(Number) : [0, 2, 5];
if (spawnSync('ip', ['netns', 'add', NS]).status !== 0) {
  console.log('skipped: cannot make a network namespace here (needs root and iproute2)');
  process.exit(0);
}
try {
  for (const loss of losses) await level(loss, moves);
} finally {
  spawnSync('ip', ['netns', 'del', NS]);
  nodeDataChannel.cleanup();
}
process.exit(0);

/**
 * Load client for workload 6 (permessage-deflate, RFC 7692). wsload speaks no extensions, so this uses
 * the `ws` client with perMessageDeflate on, in its own process (pinned like wsload). Being Node, it does
 * as much zlib work as the server, so it may be the bottleneck: the figures compare servers driven by the
 * same client, they are not a ceiling.
 *
 *   node --import tsx bench/deflate-load.ts URL --conns 10 --inflight 4 --size 16384 --duration 4 --warmup 1 [--server-pid P]
 *
 * Every echo is checked byte for byte. Prints one JSON line: { msgs_per_s, mb_per_s, msgs, errors, ... };
 * with --server-pid also server_cpu (fraction of one core over the window, from /proc/P/stat), so a
 * client-bound run still shows how much CPU each server spent per message.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { WebSocket } from 'ws';

/** utime + stime of a process, in seconds (fields 14 and 15 of /proc/PID/stat, in clock ticks). */
function cpuSeconds(pid: number, ticksPerSecond: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // the name may hold spaces
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

interface Opts { url: string; conns: number; inflight: number; size: number; duration: number; warmup: number; 'server-pid': number }

function parse(argv: readonly string[]): Opts {
  const opts: Opts = { url: argv[0] ?? '', conns: 10, inflight: 4, size: 16384, duration: 4, warmup: 1, 'server-pid': 0 };
  if (!/^ws:\/\/127\.\d+\.\d+\.\d+:\d+/.test(opts.url)) throw new Error(`deflate-load: need a ws://127.x.y.z:PORT URL, got "${opts.url}"`);
  for (let i = 1; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '') as keyof Opts;
    const value = Number(argv[i + 1]);
    if (key === 'url' || !(key in opts) || !(value > 0)) throw new Error(`deflate-load: bad option ${argv[i]} ${argv[i + 1]}`);
    opts[key] = value;
  }
  return opts;
}

/** Compressible text that still differs message to message (so context takeover cannot make it free). */
function textPool(size: number, count: number): string[] {
  const words = ['steer', 'left', 'right', 'forward', 'speed', 'throttle', 'car', 'analog', '{"x":', '"y":', '0.25,', '-0.5}', 'stop'];
  let seed = 12345;
  const next = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  return Array.from({ length: count }, () => {
    let s = '';
    while (s.length < size) s += words[next() % words.length] + (next() % 7 === 0 ? '\n' : ' ');
    return s.slice(0, size);
  });
}

async function main(): Promise<void> {
  const opts = parse(process.argv.slice(2));
  const pool = textPool(opts.size, 64);
  let counted = 0;
  let errors = 0;
  let measuring = false;
  let stopped = false;
  let firstError = '';
  const fail = (why: string): void => {
    errors++;
    firstError ||= why;
  };
  const sockets = await Promise.all(
    Array.from({ length: opts.conns }, () => new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(opts.url, { perMessageDeflate: true });
      ws.once('open', () => (ws.extensions.includes('permessage-deflate') ? resolve(ws) : reject(new Error('server did not negotiate permessage-deflate'))));
      ws.once('error', reject);
    })),
  );
  for (const ws of sockets) {
    const sent: string[] = []; // FIFO of what is in flight: the server echoes in order
    let n = 0;
    const sendOne = (): void => {
      const text = pool[n++ % pool.length];
      sent.push(text);
      ws.send(text);
    };
    ws.on('message', (data, isBinary) => {
      const expected = sent.shift();
      if (isBinary || expected === undefined || data.toString() !== expected) fail('echo differs from what was sent');
      if (measuring) counted++;
      if (!stopped) sendOne();
    });
    ws.on('error', (err) => fail(err.message));
    ws.on('close', (code) => stopped || fail(`server closed the connection (${code})`));
    for (let i = 0; i < opts.inflight; i++) sendOne();
  }
  await new Promise((r) => setTimeout(r, opts.warmup * 1000));
  const pid = opts['server-pid'];
  const ticks = pid ? Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100 : 100;
  const cpu0 = pid ? cpuSeconds(pid, ticks) : 0;
  measuring = true;
  const t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, opts.duration * 1000));
  measuring = false;
  stopped = true;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const serverCpu = pid ? (cpuSeconds(pid, ticks) - cpu0) / seconds : -1;
  for (const ws of sockets) ws.close();
  const msgsPerS = counted / seconds;
  console.log(JSON.stringify({
    conns: opts.conns, inflight: opts.inflight, size: opts.size, duration_s: seconds, msgs: counted,
    msgs_per_s: msgsPerS, mb_per_s: (msgsPerS * opts.size) / 1e6, server_cpu: serverCpu, errors, first_error: firstError,
  }));
  process.exitCode = errors ? 1 : 0;
}

main().catch((err: Error) => {
  console.error(`deflate-load: ${err.message}`);
  process.exit(2);
});

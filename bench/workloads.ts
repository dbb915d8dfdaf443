/**
 * The workloads 1-6, each a function from a running server to named figures. Parameters come in
 * a full and a --quick size; the shapes (connections, in-flight, message size) stay the same in quick mode
 * except the idle count, so a quick run exercises the same code paths.
 */
import { join } from 'node:path';
import { runJsonChild } from './child-json.js';
import { rssKiB, type RunningServer } from './servers/child.js';
import { ROOT, type ServerDef } from './servers/catalog.js';
import { field, runWsload, type WsloadResult } from './wsload.js';

export interface Metric {
  key: string;
  label: string;
  unit: string;
  better: 'higher' | 'lower';
}

export interface Context {
  def: ServerDef;
  server: RunningServer;
  wsload: string;
  clientPin: readonly string[];
  quick: boolean;
}

/** Figures of one run of one workload, plus the raw line(s) it came from (kept for the report). */
export interface Sample {
  values: Record<string, number>;
  raw: string;
}

export interface Workload {
  id: number;
  title: string;
  metrics: readonly Metric[];
  /** Workload 6 runs on a server started with --deflate; the others share one plain start. */
  deflate: boolean;
  /** A server-bound throughput run: re-measured when another process took the server's core. */
  throughput?: boolean;
  run(ctx: Context): Promise<Sample>;
}

function timing(quick: boolean): string[] {
  return quick ? ['-d', '1', '-w', '0.3'] : ['-d', '4', '-w', '1'];
}

/** Echo throughput: WebSocket servers through `wsload echo`, the raw server through `wsload tcp`. */
async function echo(ctx: Context, conns: number, inflight: number, size: number): Promise<WsloadResult> {
  const frames = size > 1024 ? '-b' : '-t';
  const args =
    ctx.def.protocol === 'tcp'
      ? ['tcp', ctx.server.url, '-c', String(conns), '-k', String(inflight), '-s', String(size), '-V']
      : ['echo', ctx.server.url, '-c', String(conns), '-k', String(inflight), '-s', String(size), frames, '-V'];
  return runWsload(ctx.wsload, [...args, ...timing(ctx.quick), '-S', String(ctx.server.pid)], { pin: ctx.clientPin });
}

function cpu(r: WsloadResult): Record<string, number> {
  return { client_cpu: field(r, 'client_cpu'), server_cpu: field(r, 'server_cpu') };
}

/**
 * A throughput figure plus the same work per second of server CPU (all its threads): the second holds
 * when another process takes part of the server's core, which the first does not.
 */
function throughput(r: WsloadResult, key: 'msgs_per_s' | 'mb_per_s'): Record<string, number> {
  const value = field(r, key);
  const serverCpu = field(r, 'server_cpu');
  return { [key]: value, [`${key}_cpu`]: serverCpu > 0 ? value / serverCpu : 0, ...cpu(r) };
}

const MSGS: Metric = { key: 'msgs_per_s', label: 'messages/s', unit: 'msg/s', better: 'higher' };
const MBS: Metric = { key: 'mb_per_s', label: 'MB/s', unit: 'MB/s', better: 'higher' };
const MSGS_CPU: Metric = { key: 'msgs_per_s_cpu', label: 'messages per server CPU-second', unit: 'msg/CPU-s', better: 'higher' };
const MBS_CPU: Metric = { key: 'mb_per_s_cpu', label: 'MB per server CPU-second', unit: 'MB/CPU-s', better: 'higher' };

export const WORKLOADS: readonly Workload[] = [
  {
    id: 1,
    title: '100 conns x 10 in flight x 32 B text',
    metrics: [MSGS, MSGS_CPU],
    deflate: false,
    throughput: true,
    async run(ctx) {
      const r = await echo(ctx, 100, 10, 32);
      return { values: throughput(r, 'msgs_per_s'), raw: r.line };
    },
  },
  {
    id: 2,
    title: '10 conns x 4 in flight x 16 KiB binary',
    metrics: [MBS, MBS_CPU],
    deflate: false,
    throughput: true,
    async run(ctx) {
      const r = await echo(ctx, 10, 4, 16384);
      return { values: throughput(r, 'mb_per_s'), raw: r.line };
    },
  },
  {
    id: 3,
    title: '4 conns x 1 in flight x 1 MiB binary',
    metrics: [MBS, MBS_CPU],
    deflate: false,
    throughput: true,
    async run(ctx) {
      const r = await echo(ctx, 4, 1, 1 << 20);
      return { values: throughput(r, 'mb_per_s'), raw: r.line };
    },
  },
  {
    id: 4,
    title: 'latency at 10,000 msg/s over 100 conns (32 B)',
    metrics: [
      { key: 'p50_us', label: 'p50', unit: 'µs', better: 'lower' },
      { key: 'p99_us', label: 'p99', unit: 'µs', better: 'lower' },
    ],
    deflate: false,
    async run(ctx) {
      const args = ['latency', ctx.server.url, '-c', '100', '-r', '10000', '-s', '32', ...timing(ctx.quick)];
      const r = await runWsload(ctx.wsload, [...args, '-S', String(ctx.server.pid)], { pin: ctx.clientPin });
      return { values: { p50_us: field(r, 'p50_us'), p99_us: field(r, 'p99_us'), ...cpu(r) }, raw: r.line };
    },
  },
  {
    id: 5,
    title: 'idle connections: server RSS per connection',
    metrics: [
      { key: 'kib_per_conn', label: 'RSS/conn', unit: 'KiB', better: 'lower' },
      { key: 'marginal_kib_per_conn', label: 'RSS/conn, second half only', unit: 'KiB', better: 'lower' },
    ],
    deflate: false,
    run: idleMemory,
  },
  {
    id: 6,
    title: 'permessage-deflate: 10 conns x 4 in flight x 16 KiB compressible text',
    metrics: [MBS, { key: 'cpu_ms_per_mb', label: 'server CPU per MB', unit: 'ms/MB', better: 'lower' }],
    deflate: true,
    run: deflateThroughput,
  },
];

/**
 * (RSS with N idle connections open - RSS before) / N, both read from /proc/<pid>/status of the server.
 * A short warm-up round of connections first, so code compiled on the first upgrade is not charged to
 * the connections. The N open in two halves, and the RSS is read after each has settled: the second
 * half's cost per connection ("marginal") leaves out one-off growth (V8's young generation, code) that
 * the headline figure spreads over the connections.
 */
async function idleMemory(ctx: Context): Promise<Sample> {
  const n = ctx.quick ? 2000 : 10_000;
  const half = n / 2;
  const settleMs = ctx.quick ? 500 : 1500;
  const { url, pid } = ctx.server;
  const pin = { pin: ctx.clientPin };
  await runWsload(ctx.wsload, ['idle', url, '-c', '300', '-d', '0.3'], pin);
  await sleep(300);
  const before = rssKiB(pid);
  const settled = async (opened: Promise<WsloadResult>): Promise<number> => {
    const line = await opened;
    if (field(line, 'open') !== half) throw new Error(`idle: only ${field(line, 'open')}/${half} connections open (${line.line})`);
    await sleep(settleMs);
    return rssKiB(pid);
  };
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  // Both halves hold until both readings are taken (the 60 s hold is only a bound), then are stopped.
  const opened = [0, 1].map(() => {
    let onOpen!: (r: WsloadResult) => void;
    const open = new Promise<WsloadResult>((resolve) => (onOpen = resolve));
    return { open, onOpen };
  });
  const first = runWsload(ctx.wsload, ['idle', url, '-c', String(half), '-d', '60', '-C', '256'], { ...pin, onAllOpen: opened[0].onOpen, stopWhen: released });
  let second: Promise<WsloadResult> | undefined;
  try {
    const rssHalf = await Promise.race([settled(opened[0].open), first.then(() => Promise.reject(new Error('idle: first half ended early')))]);
    second = runWsload(ctx.wsload, ['idle', url, '-c', String(half), '-d', '60', '-C', '256'], { ...pin, onAllOpen: opened[1].onOpen, stopWhen: released });
    const rssFull = await Promise.race([settled(opened[1].open), second.then(() => Promise.reject(new Error('idle: second half ended early')))]);
    return {
      values: { kib_per_conn: (rssFull - before) / n, marginal_kib_per_conn: (rssFull - rssHalf) / half, rss_before_kib: before, rss_after_kib: rssFull },
      raw: `rss_kib before=${before} half=${rssHalf} full=${rssFull}`,
    };
  } finally {
    release();
    await Promise.allSettled([first, second]);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function deflateThroughput(ctx: Context): Promise<Sample> {
  const time = ctx.quick ? ['--duration', '1', '--warmup', '0.3'] : ['--duration', '4', '--warmup', '1'];
  const argv = [...ctx.clientPin, process.execPath, '--import', 'tsx', join(ROOT, 'bench', 'deflate-load.ts'),
    ctx.server.url, '--conns', '10', '--inflight', '4', '--size', '16384', '--server-pid', String(ctx.server.pid), ...time];
  const r = await runJsonChild<{ mb_per_s: number; msgs_per_s: number; server_cpu: number }>(argv, 'deflate-load', 60_000);
  // The Node client may be the bottleneck here, so also: server CPU time per MB echoed.
  const cpuMsPerMb = r.mb_per_s > 0 ? (r.server_cpu * 1000) / r.mb_per_s : 0;
  return { values: { mb_per_s: r.mb_per_s, msgs_per_s: r.msgs_per_s, server_cpu: r.server_cpu, cpu_ms_per_mb: cpuMsPerMb }, raw: JSON.stringify(r) };
}

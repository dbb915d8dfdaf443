/**
 * Turns repeated samples into the published table: median with min and max per server, and our ratio to
 * ws plain and ws native from the same run (absolute numbers drift on shared machines; ratios are quoted).
 */
import { arch, cpus, loadavg, release, totalmem, type } from 'node:os';
import type { ServerName } from './servers/catalog.js';
import type { Sample, Workload } from './workloads.js';

export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('summarize: no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], n: sorted.length };
}

/** ours / reference, or null when either side is missing or the reference is zero. */
export function ratio(ours: Summary | undefined, reference: Summary | undefined): number | null {
  if (!ours || !reference || reference.median === 0) return null;
  return ours.median / reference.median;
}

/** Three significant-ish digits, thousands grouped: 153844 -> "153,844", 6.684 -> "6.68". */
export function formatNumber(v: number): string {
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function formatSummary(s: Summary | undefined): string {
  if (!s) return '—';
  if (s.n === 1) return formatNumber(s.median);
  return `${formatNumber(s.median)} (${formatNumber(s.min)}–${formatNumber(s.max)})`;
}

export function formatRatio(r: number | null): string {
  return r === null ? '—' : `${r.toFixed(2)}x`;
}

/** A target from the issue, as a bound on one ratio. */
export interface Target {
  workload: number;
  metric: string;
  against: 'ws plain' | 'ws native';
  bound: 'min' | 'max';
  value: number;
}

export const TARGETS: readonly Target[] = [
  { workload: 1, metric: 'msgs_per_s', against: 'ws plain', bound: 'min', value: 3 },
  { workload: 2, metric: 'mb_per_s', against: 'ws native', bound: 'min', value: 1 },
  { workload: 3, metric: 'mb_per_s', against: 'ws native', bound: 'min', value: 1 },
  { workload: 4, metric: 'p99_us', against: 'ws plain', bound: 'max', value: 1 },
  { workload: 5, metric: 'kib_per_conn', against: 'ws plain', bound: 'max', value: 0.7 },
];

export function checkTarget(t: Target, r: number | null): string {
  const goal = `${t.bound === 'min' ? '≥' : '≤'} ${t.value}x ${t.against}`;
  if (r === null) return goal;
  const met = t.bound === 'min' ? r >= t.value : r <= t.value;
  return `${goal}: ${met ? 'met' : 'MISSED'}`;
}

/** samples[workload id][server] = one Sample per repeat. */
export type Results = Map<number, Map<ServerName, Sample[]>>;

export const COLUMNS: readonly ServerName[] = ['ours', 'ws plain', 'ws native', 'net'];

/**
 * Median over a server's samples of one figure. For throughput workloads, samples taken while another
 * process held the core are left out when at least one clean sample exists (the notes list them).
 */
function summaryOf(results: Results, workload: number, server: ServerName, key: string, throughput = false): Summary | undefined {
  let samples = results.get(workload)?.get(server) ?? [];
  if (throughput && samples.some((s) => !isContended(s))) samples = samples.filter((s) => !isContended(s));
  const values = samples.map((s) => s.values[key]).filter((v): v is number => typeof v === 'number');
  return values.length ? summarize(values) : undefined;
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** The main table: every workload's figures, then ours / ws plain and ours / ws native, then the target. */
export function resultsTable(workloads: readonly Workload[], results: Results): string {
  const head = ['Workload', 'Figure', ...COLUMNS, 'ours / ws plain', 'ours / ws native', 'Target'];
  const lines = [row(head), row(head.map(() => '---'))];
  for (const w of workloads) {
    if (!results.has(w.id)) continue;
    for (const m of w.metrics) {
      const s = (server: ServerName): Summary | undefined => summaryOf(results, w.id, server, m.key, w.throughput);
      const target = TARGETS.find((t) => t.workload === w.id && t.metric === m.key);
      const targetCell = target ? checkTarget(target, ratio(s('ours'), s(target.against))) : '';
      lines.push(row([
        `${w.id}. ${w.title}`,
        `${m.label} (${m.unit}, ${m.better} is better)`,
        ...COLUMNS.map((c) => formatSummary(s(c))),
        formatRatio(ratio(s('ours'), s('ws plain'))),
        formatRatio(ratio(s('ours'), s('ws native'))),
        targetCell,
      ]));
    }
  }
  return lines.join('\n');
}

/** Median CPU use (fraction of one core) of client and server over the measured windows: who was the bottleneck. */
export function cpuTable(workloads: readonly Workload[], results: Results): string {
  const head = ['Workload', ...COLUMNS.map((c) => `${c} server / client`)];
  const lines = [row(head), row(head.map(() => '---'))];
  for (const w of workloads) {
    if (!results.has(w.id) || w.id === 5 || w.deflate) continue;
    lines.push(row([
      String(w.id),
      ...COLUMNS.map((c) => {
        const srv = summaryOf(results, w.id, c, 'server_cpu', w.throughput);
        const cli = summaryOf(results, w.id, c, 'client_cpu', w.throughput);
        return srv && cli ? `${srv.median.toFixed(2)} / ${cli.median.toFixed(2)}` : '—';
      }),
    ]));
  }
  return lines.join('\n');
}

/** Below this share of a core on both sides, a throughput sample was not limited by either of them. */
export const CONTENTION_FLOOR = 0.85;

/**
 * Neither the server nor the load generator used its whole core: something else on the machine had it,
 * so the figure understates the server.
 */
export function isContended(sample: Sample): boolean {
  const { server_cpu: srv, client_cpu: cli } = sample.values;
  return srv !== undefined && cli !== undefined && srv < CONTENTION_FLOOR && cli < CONTENTION_FLOOR;
}

/** The report's notes for kept throughput samples that are still contended after re-measuring. */
export function contentionNotes(results: Results, throughputWorkloads: readonly number[] = [1, 2, 3]): string[] {
  const notes: string[] = [];
  for (const id of throughputWorkloads) {
    for (const [server, samples] of results.get(id) ?? []) {
      samples.forEach((s, i) => {
        if (!isContended(s)) return;
        const { server_cpu: srv, client_cpu: cli } = s.values;
        const clean = samples.some((other) => !isContended(other));
        notes.push(`workload ${id}, ${server}, repeat ${i + 1}: server used ${srv.toFixed(2)} and load generator ${cli.toFixed(2)} of their cores: another process probably took CPU, so this sample is low (${clean ? 'left out of the median' : 'kept: no clean sample'})`);
      });
    }
  }
  return notes;
}

export interface MachineInfo {
  os: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  date: string;
  /** 1-minute load average when the run started: other work on the machine competes for the cores. */
  load: number;
}

export function machineInfo(now = new Date()): MachineInfo {
  const list = cpus();
  return {
    os: `${type()} ${release()} ${arch()}`,
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    date: now.toISOString().replace(/\.\d+Z$/, 'Z'),
    load: loadavg()[0],
  };
}


export interface Document {
  quick: boolean;
  machine: MachineInfo;
  pinning: string;
  repeats: number;
  /** 1-minute load average when the run ended. */
  loadAtEnd: number;
  serverNotes: readonly string[];
  notes: readonly string[];
  table: string;
  cpu: string;
  sections: ReadonlyArray<{ title: string; body: string }>;
}

export function renderMarkdown(doc: Document): string {
  const m = doc.machine;
  return [
    `# Benchmarks${doc.quick ? ' (quick smoke run: not for quoting)' : ''}`,
    '',
    'Generated by `npm run bench` (bench/run.ts). Every server is an echo server started alone as its own',
    'child process on loopback; the load comes from the native generator in `../shared/tools/wsload/`.',
    'Absolute numbers drift on shared machines: quote the ratios, which come from the same run.',
    '',
    `- Machine: ${m.os}, ${m.cores} x ${m.cpu}, ${m.memoryGiB} GiB RAM`,
    `- Node ${m.node}; date ${m.date}`,
    `- Load average (1 min) at start ${m.load.toFixed(2)}, at end ${doc.loadAtEnd.toFixed(2)}: other processes on the machine share the cores`,
    `- ${doc.pinning}`,
    `- Each figure: median over ${doc.repeats} repeat${doc.repeats === 1 ? '' : 's'}, (min–max) when more than one.`,
    ...doc.serverNotes.map((n) => `- ${n}`),
    '',
    '## Echo servers',
    '',
    'Ratio = ours / the other server. For messages/s and MB/s higher is better; for µs and KiB lower is better.',
    'The "per server CPU-second" rows divide the same work by the CPU time the server process used in the',
    'window: they hold when another process takes part of the server\'s core (see the notes), the raw rows do not.',
    '',
    doc.table,
    '',
    'CPU use over the measured window (fraction of one core, median), server / load generator. A server at',
    '~1.00 is the bottleneck; a client near 1.00 means the figure is a floor for that server.',
    '',
    doc.cpu,
    ...(doc.notes.length ? ['', '### Notes', '', ...doc.notes.map((n) => `- ${n}`)] : []),
    ...doc.sections.flatMap((s) => ['', `## ${s.title}`, '', s.body]),
    '',
  ].join('\n');
}

// The harness's arithmetic and parsing, on real wsload output lines (no timing measured here).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkTarget, contentionNotes, formatNumber, formatSummary, ratio, renderMarkdown, resultsTable, summarize, TARGETS, type Results } from '../../bench/report.js';
import { parseRunArgs } from '../../bench/run-args.js';
import { WORKLOADS } from '../../bench/workloads.js';
import { field, parseWsloadLine, parseWsloadOutput } from '../../bench/wsload.js';

const ECHO = 'wsload echo conns=100 inflight=10 size=32 binary=0 duration_s=2.00 msgs=307689 msgs_per_s=153844 mb_per_s=4.92 errors=0 open=100 client_cpu=0.76 server_cpu=1.00 server_rss_kb=86996';
const LATENCY = 'wsload latency conns=100 rate=10000 size=32 binary=0 duration_s=2.00 samples=20000 achieved_per_s=10000 p50_us=51.9 p90_us=55.9 p99_us=125.7 p999_us=516.3 max_us=2957.1 mean_us=55.8 late=0 lost=0 errors=0 open=100 client_cpu=0.36 server_cpu=0.29 server_rss_kb=113476';
const IDLE_OPEN = 'wsload idle all_open conns=2000 open=2000 open_ms=210.9 errors=0';
const IDLE = 'wsload idle conns=2000 open=2000 held_s=2.0 open_ms=210.9 errors=0 closed_by_server=0 server_rss_base_kb=113476 server_rss_open_kb=126812 server_rss_end_kb=126828 kib_per_conn=6.68';

test('parses an echo result line into numbers', () => {
  const r = parseWsloadLine(ECHO);
  assert.equal(r.mode, 'echo');
  assert.equal(field(r, 'msgs_per_s'), 153844);
  assert.equal(field(r, 'mb_per_s'), 4.92);
  assert.equal(field(r, 'server_cpu'), 1);
  assert.throws(() => field(r, 'p99_us'), /no numeric "p99_us"/);
});

test('parses latency percentiles', () => {
  const r = parseWsloadOutput(`${LATENCY}\n`);
  assert.equal(r.mode, 'latency');
  assert.equal(field(r, 'p50_us'), 51.9);
  assert.equal(field(r, 'p99_us'), 125.7);
});

test('idle output: the final line wins over the intermediate all_open line', () => {
  const r = parseWsloadOutput(`${IDLE_OPEN}\n${IDLE}\n`);
  assert.equal(r.mode, 'idle');
  assert.equal(field(r, 'kib_per_conn'), 6.68);
  assert.equal(field(r, 'open'), 2000);
});

test('rejects output without a result line and malformed fields', () => {
  assert.throws(() => parseWsloadOutput(`${IDLE_OPEN}\n`), /no "wsload \.\.\." result line/);
  assert.throws(() => parseWsloadOutput('wsload: 100/100 connections open\n'), /no "wsload/);
  assert.throws(() => parseWsloadLine('wsload echo conns=1 garbage'), /malformed field "garbage"/);
  assert.equal(parseWsloadLine(IDLE_OPEN).mode, 'idle all_open');
  assert.throws(() => parseWsloadLine('hello echo conns=1'), /not a wsload result line/);
});

test('median, min and max over repeats', () => {
  assert.deepEqual(summarize([3, 1, 2]), { median: 2, min: 1, max: 3, n: 3 });
  assert.deepEqual(summarize([4, 1, 3, 2]), { median: 2.5, min: 1, max: 4, n: 4 });
  assert.deepEqual(summarize([7]), { median: 7, min: 7, max: 7, n: 1 });
  assert.throws(() => summarize([]), /no values/);
});

test('ratios are ours / reference, null when a side is missing', () => {
  assert.equal(ratio(summarize([300]), summarize([100, 90, 110])), 3);
  assert.equal(ratio(undefined, summarize([1])), null);
  assert.equal(ratio(summarize([1]), summarize([0])), null);
});

test('targets: bounds from below and above', () => {
  const w1 = TARGETS.find((t) => t.workload === 1)!;
  const w5 = TARGETS.find((t) => t.workload === 5)!;
  assert.equal(checkTarget(w1, 3.2), '≥ 3x ws plain: met');
  assert.equal(checkTarget(w1, 2.9), '≥ 3x ws plain: MISSED');
  assert.equal(checkTarget(w5, 0.6), '≤ 0.7x ws plain: met');
  assert.equal(checkTarget(w5, 0.9), '≤ 0.7x ws plain: MISSED');
});

test('numbers are grouped and rounded for the table', () => {
  assert.equal(formatNumber(153844.4), '153,844');
  assert.equal(formatNumber(51.94), '51.9');
  assert.equal(formatNumber(6.684), '6.68');
  assert.equal(formatSummary(summarize([10, 30, 20])), '20.0 (10.0–30.0)');
  assert.equal(formatSummary(undefined), '—');
});

test('the table carries medians, ranges and both ratios', () => {
  const sample = (msgs: number) => ({ values: { msgs_per_s: msgs, client_cpu: 0.5, server_cpu: 1 }, raw: ECHO });
  const results: Results = new Map([[1, new Map([
    ['ours', [sample(300_000), sample(330_000), sample(310_000)]],
    ['ws plain', [sample(100_000), sample(100_000), sample(100_000)]],
    ['ws native', [sample(150_000), sample(150_000), sample(150_000)]],
  ])]]);
  const table = resultsTable(WORKLOADS, results);
  const row = table.split('\n').find((l) => l.startsWith('| 1.'));
  assert.ok(row, table);
  // A figure no sample carries (messages per CPU-second here) is shown as missing, not as 0.
  assert.match(table, /messages per server CPU-second .*\| — \| — \| — \| — \| — \| — \|/);
  assert.match(row, /\| 310,000 \(300,000–330,000\) \| 100,000 \(100,000–100,000\) \| 150,000 \(150,000–150,000\) \| — \| 3\.10x \| 2\.07x \| ≥ 3x ws plain: met \|/);
  const doc = renderMarkdown({
    quick: true,
    machine: { os: 'Linux', cpu: 'Test CPU', cores: 2, memoryGiB: 4, node: 'v20.0.0', date: '2026-01-01T00:00:00Z', load: 0.5 },
    loadAtEnd: 1.25,
    pinning: 'not pinned',
    repeats: 3,
    serverNotes: [],
    notes: ['a note'],
    table,
    cpu: '',
    sections: [{ title: 'Command path latency', body: 'body' }],
  });
  assert.match(doc, /^# Benchmarks \(quick smoke run/);
  assert.match(doc, /2 x Test CPU/);
  assert.match(doc, /Node v20\.0\.0; date 2026-01-01T00:00:00Z/);
  assert.match(doc, /- a note/);
  assert.match(doc, /Load average \(1 min\) at start 0.50, at end 1.25/);
  assert.match(doc, /## Command path latency\n\nbody/);
});

test('run arguments: --quick means one repeat, bad input is refused', () => {
  assert.deepEqual(parseRunArgs(['--quick']), { quick: true, repeats: 1, servers: null, workloads: null, commandPath: true, safety: true, video: true, drivePaths: true, ours: null });
  assert.deepEqual(parseRunArgs([]), { quick: false, repeats: 3, servers: null, workloads: null, commandPath: true, safety: true, video: true, drivePaths: true, ours: null });
  assert.equal(parseRunArgs(['--skip-video']).video, false);
  assert.equal(parseRunArgs(['--skip-drive-paths']).drivePaths, false);
  assert.deepEqual(parseRunArgs(['--workloads', '1,5']).workloads, [1, 5]);
  assert.throws(() => parseRunArgs(['--workloads', '7']), /unknown argument "--workloads"/);
  assert.deepEqual(parseRunArgs(['--repeats', '5', '--servers', 'ours,ws plain']).servers, ['ours', 'ws plain']);
  assert.throws(() => parseRunArgs(['--servers', 'uws']), /unknown server "uws"/);
  assert.throws(() => parseRunArgs(['--repeats', '0']), /unknown argument "--repeats"/);
  assert.throws(() => parseRunArgs(['--fast']), /unknown argument "--fast"/);
});

test('samples where neither side had its whole core are flagged', () => {
  const sample = (server_cpu: number, client_cpu: number, msgs_per_s = 1) => ({ values: { msgs_per_s, server_cpu, client_cpu }, raw: '' });
  const results: Results = new Map([[1, new Map([
    ['ours', [sample(0.99, 0.5), sample(0.6, 0.34, 0.25)]],
    ['net', [sample(0.7, 0.95)]], // client-bound, not contention
  ])]]);
  const notes = contentionNotes(results);
  assert.equal(notes.length, 1);
  assert.match(notes[0], /^workload 1, ours, repeat 2: server used 0\.60 and load generator 0\.34 .*left out of the median/);
  // ... and the median of workload 1 (a throughput workload) uses the clean sample only.
  const table = resultsTable(WORKLOADS, results);
  assert.match(table.split('\n').find((l) => l.startsWith('| 1.'))!, /^\| 1\.[^|]*\|[^|]*\| 1\.00 \|/);
});

// Runs the test files, each as its own `node --import tsx --test FILE` child in a process group of its
// own, a bounded number at once, and prints a summary. A file that runs past its limit is killed with its
// whole group and every process under it (SIGKILL): node's own --test-timeout once left a Chromium test's
// process spinning at half a core, deaf to SIGTERM, for 30 minutes after its timeout, starving every file
// after it. A run cannot hang here: each file ends by its limit, and the run with its last file.
//
//   node scripts/run-tests.mjs [options] [FILE...]     (no FILE: every test/*/*.test.ts)
//     --jobs=N           files at once (2: the machine's cores)
//     --browser-jobs=N   files that run Chromium at once (1: two of them on two cores time out)
//     --mix-browsers     runs Chromium files beside the others (by default they run after them, one at a
//                        time, alone: beside a busy non-browser file on two cores, a clean-clone CI run saw
//                        the page's 350 ms freeze test, the camera's state and a replay's end pose fail)
//     --limit=SECONDS    a file's limit, after which its processes are killed (630)
//     --test-timeout=MS  node's own per-test timeout, passed on (600000)
//     --timings=PATH     each file's expected seconds, to start the long ones first (test/timings.json)
//     --save-timings     writes this run's durations there (merged with the file's other entries)
//
// Every file gets one XDG_CONFIG_HOME of the run's own (a temporary folder, removed at the end): a CLI a test
// starts keeps what must outlive a run (best-laps.json, a self-signed certificate) in its default data dir,
// which would otherwise be the user's ~/.config/webracer.
//
// Each file's output is printed whole when it ends (never interleaved with another's), headed by its name.
// The exit code is 1 if any file failed or was killed, else 0.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Output after a file's process exits is awaited this long (a stray child may hold its pipes open). */
const DRAIN_MS = 2_000;

function parseArgs(argv) {
  const opts = { jobs: 2, browserJobs: 1, limitS: 630, testTimeoutMs: 600_000, timings: join(ROOT, 'test', 'timings.json'), saveTimings: false, mixBrowsers: false, files: [] };
  const numbers = { '--jobs': 'jobs', '--browser-jobs': 'browserJobs', '--limit': 'limitS', '--test-timeout': 'testTimeoutMs' };
  for (const arg of argv) {
    const [name, value] = arg.split('=', 2);
    if (numbers[name]) {
      const n = Number(value);
      if (!(n > 0)) throw new Error(`${name} wants a positive number, not ${JSON.stringify(value)}`);
      opts[numbers[name]] = n;
    } else if (name === '--timings' && value) opts.timings = value;
    else if (arg === '--save-timings') opts.saveTimings = true;
    else if (arg === '--mix-browsers') opts.mixBrowsers = true;
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else opts.files.push(relative(ROOT, resolve(arg)));
  }
  if (opts.files.length === 0) opts.files = allTestFiles();
  return opts;
}

/** test/<layer>/<name>.test.ts, as `npm test` has always run them (fixtures deeper down are not tests). */
function allTestFiles() {
  const test = join(ROOT, 'test');
  return readdirSync(test, { withFileTypes: true }).filter((d) => d.isDirectory()).flatMap((d) =>
    readdirSync(join(test, d.name)).filter((f) => f.endsWith('.test.ts')).map((f) => `test/${d.name}/${f}`)).sort();
}

/** A file that starts Chromium: it imports a browser harness (test/web/*harness.ts) or playwright-core itself. */
function runsChromium(file) {
  const imports = readFileSync(join(ROOT, file), 'utf8').replace(/import type [^;]*;/g, '');
  return /harness\.js'|'playwright-core'/.test(imports);
}

function readTimings(path) {
  if (!existsSync(path)) return {};
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Every process below `pid` (Linux /proc), found before any is killed: a killed parent's children move to init. */
function descendants(pid) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch { /* it ended while we looked */ }
  }
  const found = [];
  for (let i = -1, next = pid; next !== undefined; next = found[++i]) found.push(...(children.get(next) ?? []));
  return found;
}

function killQuietly(target) {
  try { process.kill(target, 'SIGKILL'); } catch { /* already gone */ }
}

/** The file's process group and everything below it, which may have made groups of their own (Chromium does). */
function killTree(pid) {
  const below = descendants(pid);
  killQuietly(-pid);
  for (const p of below) {
    killQuietly(-p); // a group it leads, if any
    killQuietly(p);
  }
}

/** Node's spec reporter ends with `ℹ tests N`, `ℹ pass N`, `ℹ fail N`, ...: the file's counts. */
function countsIn(output) {
  const counts = {};
  for (const m of output.matchAll(/^ℹ (tests|pass|fail|cancelled|skipped|todo) (\d+)$/gm)) counts[m[1]] = Number(m[2]);
  return counts;
}

/** Runs one file; resolves with its result, never rejects, and by `limitS` at the latest. */
function runFile(file, opts) {
  const started = Date.now();
  const args = ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-timeout=${opts.testTimeoutMs}`, file];
  // Without NODE_TEST_CONTEXT (set when this runner is itself under node --test) the child reports as a runner of its own.
  const { NODE_TEST_CONTEXT: _, ...inherited } = process.env;
  const env = { ...inherited, XDG_CONFIG_HOME: opts.configHome };
  const child = spawn(process.execPath, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const chunks = [];
  child.stdout.on('data', (c) => chunks.push(c));
  child.stderr.on('data', (c) => chunks.push(c));
  return new Promise((resolve) => {
    let timedOut = false;
    const limit = setTimeout(() => { timedOut = true; killTree(child.pid); }, opts.limitS * 1000);
    const finish = (code, signal) => {
      clearTimeout(limit);
      running.delete(child);
      killTree(child.pid); // strays the file left in its group, or below it
      const output = Buffer.concat(chunks).toString('utf8');
      const seconds = (Date.now() - started) / 1000;
      const passed = !timedOut && code === 0;
      resolve({ file, seconds, passed, timedOut, code, signal, output, counts: countsIn(output) });
    };
    child.on('error', (err) => { chunks.push(Buffer.from(`\nrun-tests: could not start: ${err.message}\n`)); });
    child.on('exit', (code, signal) => {
      const drained = new Promise((r) => { child.on('close', r); setTimeout(r, DRAIN_MS).unref(); });
      void drained.then(() => finish(code, signal));
    });
  });
}

// A reader that went away (`| head`) does not end the run: its exit code still tells.
process.stdout.on('error', (err) => { if (err.code !== 'EPIPE') throw err; });

/** Children still running, killed if the run itself is stopped. */
const running = new Set();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    for (const child of running) killTree(child.pid);
    process.exit(1);
  });
}

function printFile(result, opts) {
  const state = result.timedOut ? 'KILLED' : result.passed ? 'passed' : 'FAILED';
  const lines = [`\n━━ ${result.file}: ${state} in ${result.seconds.toFixed(1)} s`, result.output.trimEnd()];
  if (result.timedOut) {
    lines.push(`run-tests: ${result.file} ran past its limit of ${opts.limitS} s: killed its process group and every process under it (SIGKILL); the output above is all it printed`);
  } else if (!result.passed) {
    lines.push(`run-tests: ${result.file} failed (exit code ${result.code}${result.signal ? `, signal ${result.signal}` : ''})`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * Each group starts its longest expected file first (files without a timing first: their length is unknown).
 * With --mix-browsers a free Chromium place takes the next Chromium file, and the other files fill the rest.
 */
async function runAll(opts) {
  const timings = readTimings(opts.timings);
  const expected = (f) => timings[f] ?? Infinity;
  const files = opts.files.map((file) => ({ file, browser: runsChromium(file) }))
    .sort((a, b) => expected(b.file) - expected(a.file) || a.file.localeCompare(b.file));
  if (opts.mixBrowsers) return schedule(files, opts, opts.jobs);
  // The others first, `jobs` at once; then each Chromium file alone.
  const others = await schedule(files.filter((f) => !f.browser), opts, opts.jobs);
  return [...others, ...await schedule(files.filter((f) => f.browser), opts, 1)];
}

/** Runs `pending` longest first, at most `jobs` at once and `opts.browserJobs` of them Chromium files. */
async function schedule(pending, opts, jobs) {
  const results = [];
  let browsers = 0;
  await new Promise((done) => {
    let active = 0;
    const fill = () => {
      while (active < jobs && pending.length > 0) {
        const canBrowse = browsers < opts.browserJobs;
        const index = canBrowse && pending.some((p) => p.browser) ? pending.findIndex((p) => p.browser) : pending.findIndex((p) => !p.browser);
        if (index < 0) break;
        const [next] = pending.splice(index, 1);
        active += 1;
        if (next.browser) browsers += 1;
        void runFile(next.file, opts).then((result) => {
          active -= 1;
          if (next.browser) browsers -= 1;
          results.push(result);
          printFile(result, opts);
          fill();
        });
      }
      if (active === 0 && pending.length === 0) done();
    };
    fill();
  });
  return results;
}

function summary(results, wallSeconds, opts) {
  const failed = results.filter((r) => !r.passed);
  const sum = (key) => results.reduce((n, r) => n + (r.counts[key] ?? 0), 0);
  const lines = ['', '━━ summary'];
  lines.push(`files: ${results.length - failed.length} passed, ${failed.length} failed (of ${results.length})`);
  lines.push(`tests: ${sum('pass')} passed, ${sum('fail')} failed, ${sum('cancelled')} cancelled, ${sum('skipped')} skipped, ${sum('todo')} todo (of ${sum('tests')} counted; a killed file's are not)`);
  lines.push(`time: ${wallSeconds.toFixed(1)} s wall, ${results.reduce((n, r) => n + r.seconds, 0).toFixed(1)} s of files, ${opts.jobs} at once`);
  lines.push('slowest files:');
  for (const r of [...results].sort((a, b) => b.seconds - a.seconds).slice(0, 10)) lines.push(`  ${r.seconds.toFixed(1).padStart(7)} s  ${r.file}`);
  for (const r of failed) lines.push(`${r.timedOut ? 'KILLED at its limit' : 'FAILED'}: ${r.file}`);
  lines.push('durations (s):');
  for (const r of [...results].sort((a, b) => a.file.localeCompare(b.file))) lines.push(`  ${r.file} ${r.seconds.toFixed(1)}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

function saveTimings(results, opts) {
  const timings = readTimings(opts.timings);
  for (const r of results) timings[r.file] = Math.round(r.seconds * 10) / 10; // a failed file's time counts too: it ran that long
  const sorted = Object.fromEntries(Object.entries(timings).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(opts.timings, `${JSON.stringify(sorted, null, 2)}\n`);
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`run-tests: ${err.message}\n`);
    process.exit(2);
  }
  const started = Date.now();
  const how = opts.mixBrowsers ? `${opts.jobs} at once (${opts.browserJobs} with Chromium)` : `${opts.jobs} at once, then each Chromium file alone`;
  process.stdout.write(`run-tests: ${opts.files.length} files, ${how}, each killed after ${opts.limitS} s\n`);
  opts.configHome = mkdtempSync(join(tmpdir(), 'webracer-test-config-'));
  const results = await runAll(opts).finally(() => rmSync(opts.configHome, { recursive: true, force: true }));
  summary(results, (Date.now() - started) / 1000, opts);
  if (opts.saveTimings) saveTimings(results, opts);
  process.exitCode = results.every((r) => r.passed) ? 0 : 1;
}

await main();

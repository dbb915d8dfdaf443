/**
 * `npm run bench [-- --quick] [--repeats N] [--servers ours,ws plain,...] [--workloads 1,5] [--ours PATH] [--skip-command-path] [--skip-safety] [--skip-video] [--skip-drive-paths]`
 *
 * Starts each echo server alone, drives it with wsload through the issue's workloads, repeats, then
 * prints the table and writes it: docs/benchmarks.md for a full run, bench/out/benchmarks-quick.md for
 * --quick (a smoke run must not overwrite the published numbers). Any server error, crash or wsload
 * failure is printed as FAIL and makes the exit status 1.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { choosePinning } from './pinning.js';
import { contentionNotes, cpuTable, isContended, machineInfo, renderMarkdown, resultsTable, type Results } from './report.js';
import { ROOT, SERVERS, useOurScript, type ServerDef } from './servers/catalog.js';
import { killAllServers, startServer, type RunningServer } from './servers/child.js';
import { negotiatedExtensions } from './servers/probe.js';
import { WORKLOADS, type Context, type Workload } from './workloads.js';
import { buildWsload, OUT_DIR } from './wsload.js';
import { parseRunArgs } from './run-args.js';
import { commandPathSection } from './command-path-section.js';
import { safetySection } from './safety-section.js';
import { videoSection } from './video-section.js';
import { VIDEO_SFU_TITLE, videoSfuSection } from './video-sfu-section.js';
import { drivePathsSection } from './drive-paths-section.js';

const failures: string[] = [];
/** Re-measurements of contended throughput samples, for the whole run (bounds the run's length). */
const retries = { left: 20, used: 0 };
function fail(what: string, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  failures.push(`${what}: ${message}`);
  console.error(`FAIL ${what}: ${message}`);
}

function describe(values: Record<string, number>, w: Workload): string {
  return w.metrics.map((m) => `${m.label} ${values[m.key].toFixed(1)} ${m.unit}`).join(', ');
}

/** Runs the given workloads against one freshly started server; failures are recorded, not thrown. */
async function session(def: ServerDef, workloads: readonly Workload[], deflate: boolean, base: Omit<Context, 'def' | 'server'>,
  serverPin: readonly string[], results: Results, tag: string, infos: Map<string, string>): Promise<void> {
  let server: RunningServer;
  try {
    server = await startServer(def, { pin: serverPin, deflate });
  } catch (err) {
    fail(`${tag} ${def.name}${deflate ? ' --deflate' : ''}: start`, err);
    return;
  }
  if (server.info) infos.set(def.name, JSON.stringify(server.info));
  let reported = 0; // problems already in a failure
  try {
    for (const w of workloads) {
      let sample = await w.run({ ...base, def, server });
      // Another process took the server's core: measure again, within a budget for the whole run.
      for (let again = 0; w.throughput && isContended(sample) && again < 2 && retries.left > 0; again++) {
        retries.left--;
        retries.used++;
        console.log(`${tag} ${def.name.padEnd(9)} w${w.id}: contended (server ${sample.values.server_cpu.toFixed(2)}, client ${sample.values.client_cpu.toFixed(2)} of a core), measuring again`);
        sample = await w.run({ ...base, def, server });
      }
      const problems = server.problems();
      if (problems.length) {
        reported = problems.length;
        throw new Error(`server reported: ${problems.join(' | ')}`);
      }
      console.log(`${tag} ${def.name.padEnd(9)} w${w.id}: ${describe(sample.values, w)}`);
      const byServer = results.get(w.id) ?? new Map();
      results.set(w.id, byServer);
      byServer.set(def.name, [...(byServer.get(def.name) ?? []), sample]);
    }
  } catch (err) {
    fail(`${tag} ${def.name}`, err);
  } finally {
    await server.stop();
    const problems = server.problems().slice(reported);
    if (problems.length) fail(`${tag} ${def.name}: server errors`, new Error(`${problems.join(' | ')}\n${server.stderr().slice(-2000)}`));
  }
}

/** Workload 6 needs our server to take --deflate and really negotiate permessage-deflate. */
async function ourDeflateSupport(def: ServerDef): Promise<string | null> {
  let server: RunningServer | undefined;
  try {
    server = await startServer(def, { pin: [], deflate: true, startTimeoutMs: 20_000 });
    const ext = await negotiatedExtensions(server.url);
    return ext.includes('permessage-deflate') ? null : `our echo server started with --deflate negotiated no permessage-deflate ("${ext}")`;
  } catch (err) {
    return `our echo server does not run with --deflate yet (${(err as Error).message.split('\n')[0]})`;
  } finally {
    await server?.stop();
  }
}

async function main(): Promise<void> {
  const args = parseRunArgs(process.argv.slice(2));
  if (args.ours) useOurScript(resolve(args.ours));
  const started = Date.now();
  const machine = machineInfo();
  const wsload = buildWsload();
  const pinning = choosePinning();
  console.log(`bench: ${args.quick ? 'quick' : 'full'} run, ${args.repeats} repeat(s); ${pinning.note}`);
  const notes: string[] = args.ours ? [`"ours" is ${args.ours} (--ours), not src/websocket/echo-server.ts`] : [];
  const defs = SERVERS.filter((d) => !args.servers || args.servers.includes(d.name)).filter((d) => {
    const why = d.unavailable();
    if (why) notes.push(`${d.name} not measured: ${why}`);
    return !why;
  });
  const chosen = WORKLOADS.filter((w) => !args.workloads || args.workloads.includes(w.id));
  const plain = chosen.filter((w) => !w.deflate).sort((a, b) => (a.id === 5 ? -1 : b.id === 5 ? 1 : a.id - b.id));
  let withDeflate = chosen.filter((w) => w.deflate);
  if (withDeflate.length) {
    const ours = defs.find((d) => d.name === 'ours');
    const why = ours ? await ourDeflateSupport(ours) : 'our echo server is not measured in this run';
    if (why) {
      withDeflate = [];
      notes.push(`workload 6 (permessage-deflate) skipped: ${why}`);
    } else {
      notes.push('workload 6 is driven by the `ws` client (bench/deflate-load.ts), since wsload speaks no extensions; that client does as much zlib work as the server and may be the bottleneck');
    }
  }
  const base = { wsload, clientPin: pinning.client, quick: args.quick };
  const results: Results = new Map();
  const infos = new Map<string, string>();
  for (let r = 1; r <= args.repeats; r++) {
    const tag = `[${r}/${args.repeats}]`;
    for (const def of defs) {
      await session(def, plain, false, base, pinning.server, results, tag, infos);
      if (withDeflate.length && def.deflate) await session(def, withDeflate, true, base, pinning.server, results, tag, infos);
    }
  }
  const sections = args.commandPath ? [await commandPathSection(args.quick, pinning.client, pinning.server).catch((err) => {
    fail('command path', err);
    return { title: 'Command path latency', body: `Failed: ${(err as Error).message}` };
  })] : [];
  if (args.safety) {
    sections.push(await safetySection(args.quick).catch((err) => {
      fail('safety', err);
      return { title: 'Safety: fault to stop byte', body: `Failed: ${(err as Error).message}` };
    }));
  }
  if (args.video) {
    sections.push(await videoSection(args.quick).catch((err) => {
      fail('video', err);
      return { title: 'Video: opening the page to the first frame', body: `Failed: ${(err as Error).message}` };
    }));
    sections.push(await videoSfuSection(args.quick).catch((err) => {
      fail('video through the SFU', err);
      return { title: VIDEO_SFU_TITLE, body: `Failed: ${(err as Error).message}` };
    }));
  }
  if (args.drivePaths) {
    sections.push(await drivePathsSection(args.quick).catch((err) => {
      fail('drive paths', err);
      return { title: 'Drive input over a lossy path: WebSocket and drive channel', body: `Failed: ${(err as Error).message}` };
    }));
  }
  if (retries.used) notes.push(`${retries.used} throughput sample(s) were measured again because another process had taken the server's core (at most 2 more tries each, 20 per run)`);
  notes.push(...contentionNotes(results));
  const findings = join(ROOT, 'bench', 'findings.md');
  if (existsSync(findings)) sections.push({ title: 'Profile findings', body: readFileSync(findings, 'utf8').trim() });
  const serverNotes = [...infos].map(([name, json]) => {
    const info = JSON.parse(json) as { mask?: string; utf8?: string };
    return `${name}: masking by ${info.mask}, UTF-8 check by ${info.utf8} (what ws loaded, checked inside the server process)`;
  });
  if (infos.size) {
    serverNotes.push('On Node >= 18.14 ws validates UTF-8 with `buffer.isUtf8` (messages of 24 bytes or more; shorter ones in JavaScript) and never loads utf-8-validate, so WS_NO_UTF_8_VALIDATE changes nothing: "plain" and "native" differ in masking only');
  }
  const doc = renderMarkdown({
    quick: args.quick,
    machine,
    pinning: pinning.note,
    repeats: args.repeats,
    loadAtEnd: loadavg()[0],
    serverNotes,
    notes,
    table: resultsTable(WORKLOADS, results),
    cpu: cpuTable(WORKLOADS, results),
    sections,
  });
  console.log(`\n${doc}`);
  mkdirSync(OUT_DIR, { recursive: true });
  const target = failures.length ? join(OUT_DIR, 'benchmarks-failed.md') : args.quick || args.servers || args.workloads || args.ours ? join(OUT_DIR, 'benchmarks-quick.md') : join(ROOT, 'docs', 'benchmarks.md');
  writeFileSync(target, doc);
  console.log(`bench: wrote ${target} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (failures.length) {
    console.error(`\nbench: ${failures.length} failure(s):\n${failures.map((f) => `  - ${f}`).join('\n')}`);
    process.exitCode = 1;
  }
}

process.on('exit', killAllServers);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
main().catch((err: Error) => {
  console.error(`bench: ${err.stack ?? err.message}`);
  process.exit(1);
});

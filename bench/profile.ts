/**
 * Profiles our echo server under one workload: `node --cpu-prof` on the server, wsload (or the deflate
 * client) as the load, then a summary of where the server's CPU time went (self time per function).
 *
 *   node --import tsx bench/profile.ts [--workload 1..6] [--server ours|ws plain|ws native]
 *
 * The .cpuprofile is kept in bench/out/profiles/ (open it in Chrome DevTools for the call tree).
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hotSpots, type CpuProfile } from './hot-spots.js';
import { choosePinning } from './pinning.js';
import { SERVERS } from './servers/catalog.js';
import { killAllServers, startServer } from './servers/child.js';
import { WORKLOADS } from './workloads.js';
import { buildWsload, OUT_DIR } from './wsload.js';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const id = Number(argv[argv.indexOf('--workload') + 1] ?? 1) || 1;
  const name = argv.includes('--server') ? argv[argv.indexOf('--server') + 1] : 'ours';
  const workload = WORKLOADS.find((w) => w.id === id);
  const def = SERVERS.find((s) => s.name === name);
  if (!workload || !def || def.protocol !== 'ws') throw new Error('usage: profile.ts [--workload 1..6] [--server ours|ws plain|ws native]');
  const dir = join(OUT_DIR, 'profiles');
  mkdirSync(dir, { recursive: true });
  const before = new Set(readdirSync(dir));
  const pinning = choosePinning();
  const server = await startServer(def, {
    pin: pinning.server, deflate: workload.deflate, nodeFlags: ['--cpu-prof', '--cpu-prof-dir', dir],
  });
  try {
    const sample = await workload.run({ def, server, wsload: buildWsload(), clientPin: pinning.client, quick: false });
    console.log(`workload ${id} on ${def.name}: ${JSON.stringify(sample.values)}`);
  } finally {
    await server.stop(); // the profile is written as the server exits
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile') && !before.has(f));
  if (!file) throw new Error(`no new .cpuprofile in ${dir}`);
  const spots = hotSpots(JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile);
  console.log(`profile: ${join(dir, file)}\nself time, top 25:`);
  for (const s of spots.slice(0, 25)) console.log(`${(s.share * 100).toFixed(1).padStart(5)}%  ${s.selfMs.toFixed(0).padStart(6)} ms  ${s.name}`);
}

process.on('exit', killAllServers);
main().catch((err: Error) => {
  console.error(`profile: ${err.message}`);
  process.exit(1);
});

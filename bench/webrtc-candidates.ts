/**
 * `node --import tsx bench/webrtc-candidates.ts <werift|node-datachannel|@roamhq/wrtc> [node_modules dir]`
 *
 * Measures one WebRTC library for the drive data channel (issue 21 item 4), through the W3C API each of
 * them offers: CPU per 1,000 drive-sized messages over an unordered, unretransmitted channel between two
 * peers in this process on loopback (sender and receiver both counted), and resident memory per connected
 * peer (20 connected pairs; run with --expose-gc). The candidates are installed into a scratch folder of their own (the project
 * depends on one of them only), whose node_modules is the second argument. Prints one JSON line.
 */
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

type Api = { RTCPeerConnection: new (config?: object) => any };

const ENTRY: Record<string, string> = { werift: 'werift', 'node-datachannel': 'node-datachannel/polyfill', '@roamhq/wrtc': '@roamhq/wrtc' };

async function load(name: string, modulesDir: string): Promise<Api> {
  const require = createRequire(join(resolve(modulesDir), 'noop.js'));
  const path = require.resolve(ENTRY[name]);
  const mod = await import(pathToFileURL(path).href);
  return (mod.RTCPeerConnection ? mod : mod.default) as Api;
}

/** Resolves when `pc` has gathered its candidates (all three libraries fire icegatheringstatechange). */
function gathered(pc: any): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((done) => {
    const check = (): void => { if (pc.iceGatheringState === 'complete') done(); };
    if (pc.iceGatheringStateChange?.subscribe) pc.iceGatheringStateChange.subscribe(check); // werift
    else pc.addEventListener?.('icegatheringstatechange', check) ?? (pc.onicegatheringstatechange = check);
    setTimeout(done, 2000); // some gather forever on hosts with many interfaces; loopback is enough
  });
}

/** Opens one pair of peers joined by a drive-style channel; resolves with both ends open. */
async function pair(api: Api): Promise<{ a: any; b: any; send: any; receive: Promise<any> }> {
  const a = new api.RTCPeerConnection({ iceServers: [] });
  const b = new api.RTCPeerConnection({ iceServers: [] });
  const send = a.createDataChannel('drive', { ordered: false, maxRetransmits: 0 });
  const receive = new Promise<any>((done) => {
    const take = (e: any): void => done(e.channel ?? e);
    if (b.onDataChannel?.subscribe) b.onDataChannel.subscribe(take); else b.ondatachannel = take;
  });
  await a.setLocalDescription(await a.createOffer());
  await gathered(a);
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(await b.createAnswer());
  await gathered(b);
  await a.setRemoteDescription(b.localDescription);
  await new Promise<void>((done) => { if (send.readyState === 'open') done(); else send.onopen = () => done(); });
  return { a, b, send, receive };
}

/** CPU microseconds (user + system) for 1,000 drive messages sent and received on loopback. */
async function cpuPerThousand(api: Api): Promise<{ cpuMs: number; received: number }> {
  const p = await pair(api);
  const channel = await p.receive;
  const count = 1000;
  let received = 0;
  const all = new Promise<void>((done) => {
    channel.onmessage = () => { if (++received === count) done(); };
    setTimeout(done, 10_000); // unretransmitted: a loss on loopback must not hang the bench
  });
  const before = process.cpuUsage();
  for (let seq = 1; seq <= count; seq++) {
    p.send.send(JSON.stringify({ type: 'drive', seq, throttle: (seq % 200) / 100 - 1, steering: 0.25 }));
    if (seq % 50 === 0) await new Promise((r) => setImmediate(r)); // a stick's rate, not one burst
  }
  await all;
  const used = process.cpuUsage(before);
  p.a.close(); p.b.close();
  return { cpuMs: (used.user + used.system) / 1000, received };
}

/** Resident and JS-heap growth per connected peer (a native library's memory is outside the heap). */
async function memoryPerPeer(api: Api, pairs: number): Promise<{ rss: number; heap: number }> {
  globalThis.gc?.();
  const before = process.memoryUsage();
  const open = [];
  for (let i = 0; i < pairs; i++) open.push(await pair(api));
  await new Promise((r) => setTimeout(r, 500));
  globalThis.gc?.();
  const after = process.memoryUsage();
  for (const p of open) { p.a.close(); p.b.close(); }
  return { rss: (after.rss - before.rss) / (2 * pairs), heap: (after.heapUsed - before.heapUsed) / (2 * pairs) };
}

const [name, modulesDir = 'node_modules'] = process.argv.slice(2);
if (!ENTRY[name]) {
  console.error(`usage: webrtc-candidates.ts <${Object.keys(ENTRY).join('|')}> [node_modules dir]`);
  process.exit(2);
}
const api = await load(name, modulesDir);
await cpuPerThousand(api); // warm-up: the first pair pays for loading and certificate generation
const cpu = await cpuPerThousand(api);
const memory = await memoryPerPeer(api, 20);
console.log(JSON.stringify({ library: name, cpuMsPer1000: +cpu.cpuMs.toFixed(1), received: cpu.received, rssKiBPerPeer: Math.round(memory.rss / 1024), heapKiBPerPeer: Math.round(memory.heap / 1024) }));
setTimeout(() => process.exit(0), 200); // native libraries keep threads alive after close

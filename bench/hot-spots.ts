/** Where a V8 CPU profile (.cpuprofile, from `node --cpu-prof`) spent its time: self time per function. */
import { relative } from 'node:path';
import { ROOT } from './servers/catalog.js';

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
export interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

export interface HotSpot { name: string; selfMs: number; share: number }

/** Self time per function (name and file, the same function at two nodes summed), largest first. */
export function hotSpots(profile: CpuProfile, root = ROOT): HotSpot[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const us = profile.timeDeltas[i] ?? 0;
    if (!node) return;
    const { functionName, url } = node.callFrame;
    const file = url.startsWith('file://') ? relative(root, new URL(url).pathname) : url;
    // Line numbers are left out: under tsx they point into the transpiled code, not the .ts file.
    const key = `${functionName || '(anonymous)'} ${file}`.trim();
    self.set(key, (self.get(key) ?? 0) + us);
    total += us;
  });
  return [...self]
    .map(([name, us]) => ({ name, selfMs: us / 1000, share: total ? us / total : 0 }))
    .sort((a, b) => b.selfMs - a.selfMs);
}

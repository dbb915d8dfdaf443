// The rooms of src/control (src/control/README.md): an import goes only down a floor, never sideways
// into another room or back up, and no files import each other in a loop (type-only imports included).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const CONTROL = fileURLToPath(new URL('../../src/control/', import.meta.url));

/** Each room's floor, from the ground up; a room may import only rooms on a lower floor. */
const FLOORS: Record<string, number> = {
  'log.ts': 0,
  'protocol/': 1, 'redact.ts': 1, 'throttle.ts': 1, 'data-dir.ts': 1, 'fault-injection.ts': 1,
  'connection/': 2, 'track/': 2,
  'video/': 3, 'http/': 3, 'drive-channel/': 3,
  'car/': 4,
  'fleet.ts': 5, 'ghost/': 5,
  'race/': 6, 'add-on.ts': 6,
  'http-routes.ts': 7, 'options.ts': 7,
  'upgrades.ts': 8,
  'server.ts': 9,
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

/** The files of src/control that `file` imports (static, dynamic, type-only and re-exports alike). */
function controlImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
    const target = resolve(dirname(file), m[1]).replace(/\.js$/, '.ts');
    if (target.startsWith(CONTROL)) found.push(target);
  }
  return found;
}

function roomOf(file: string): string {
  const rel = relative(CONTROL, file);
  return rel.includes('/') ? rel.slice(0, rel.indexOf('/') + 1) : rel;
}

test('every file of src/control is in a room with a floor, and imports only rooms on lower floors', () => {
  const wrong: string[] = [];
  for (const file of sources(CONTROL)) {
    const room = roomOf(file);
    assert.ok(room in FLOORS, `${relative(CONTROL, file)}: a file outside the rooms (add it to a room, and its floor here)`);
    for (const target of controlImports(file)) {
      const to = roomOf(target);
      if (to !== room && !(FLOORS[to] < FLOORS[room])) wrong.push(`${relative(CONTROL, file)} -> ${relative(CONTROL, target)}`);
    }
  }
  assert.deepEqual(wrong, [], 'imports that run sideways or back up');
});

test('no files of src/control import each other in a loop, type-only imports included', () => {
  const graph = new Map(sources(CONTROL).map((f) => [f, controlImports(f)]));
  const state = new Map<string, 'open' | 'done'>();
  const loops: string[] = [];
  const visit = (file: string, path: string[]): void => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      loops.push([...path.slice(path.indexOf(file)), file].map((f) => relative(CONTROL, f)).join(' -> '));
      return;
    }
    state.set(file, 'open');
    for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  assert.deepEqual(loops, []);
});

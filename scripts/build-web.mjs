// Bundles the pages (web/) into dist/web/: app.js from web/main.ts (a car's page), camera.js from
// web/camera-main.ts (the camera page, docs/video.md), lobby.js from web/lobby.ts (the lobby at / with
// several cars), recordings.js from web/recordings/main.ts (/recordings, docs/recording.md), plus the
// static files.
import { build } from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'web');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: {
    app: join(root, 'web', 'main.ts'),
    camera: join(root, 'web', 'camera-main.ts'),
    lobby: join(root, 'web', 'lobby.ts'),
    recordings: join(root, 'web', 'recordings', 'main.ts'),
  },
  bundle: true,
  format: 'esm',
  target: ['es2020', 'safari14.1'],
  minify: true,
  sourcemap: true,
  outdir: out,
  logLevel: 'warning',
});
// The service worker (web/sw.ts) on its own: a classic script at the root, so its scope is the whole site.
await build({
  entryPoints: { sw: join(root, 'web', 'sw.ts') },
  bundle: true,
  format: 'iife',
  target: ['es2020', 'safari14.1'],
  minify: true,
  outdir: out,
  logLevel: 'warning',
});
cpSync(join(root, 'web', 'static'), out, { recursive: true });

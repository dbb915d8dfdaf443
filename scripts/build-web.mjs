// Bundles the controller page (web/) into dist/web/: app.js from web/main.ts, plus the static files.
import { build } from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'web');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(root, 'web', 'main.ts')],
  bundle: true,
  format: 'esm',
  target: ['es2020', 'safari14.1'],
  minify: true,
  sourcemap: true,
  outfile: join(out, 'app.js'),
  logLevel: 'warning',
});
cpSync(join(root, 'web', 'static'), out, { recursive: true });

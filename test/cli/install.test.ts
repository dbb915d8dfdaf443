// Installs like real software: `npm pack` (whose prepack builds dist/ and the page), then a global
// install of the tarball into a temporary prefix, then the installed `webracer` on its own: --version,
// a start, the page at /. The pack runs in a copy of the checkout, so the build never touches the
// dist/ that other tests serve the page from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, ROOT, run, start } from './process.js';

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const SOURCES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md', 'src', 'web', 'scripts', 'docs'];

test('npm pack, npm install -g of the tarball, and the installed webracer serves the page', { timeout: 300_000 }, async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'webracer-pack-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  const checkout = join(work, 'checkout');
  for (const name of SOURCES) cpSync(join(ROOT, name), join(checkout, name), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(checkout, 'node_modules'), 'dir');

  const packed = await run(t, [NPM, 'pack', '--json', '--pack-destination', work], { cwd: checkout, env: cleanEnv() });
  assert.equal(packed.code, 0, packed.stderr);
  const [{ filename, files }] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const paths = new Set(files.map((f) => f.path));
  for (const needed of ['dist/cli/main.js', 'dist/control/server.js', 'dist/web/index.html', 'dist/web/app.js']) {
    assert.ok(paths.has(needed), `the package has ${needed}`);
  }
  assert.ok(![...paths].some((p) => p.startsWith('src/') || p.startsWith('test/')), 'sources and tests stay out');

  const prefix = join(work, 'prefix');
  const installed = await run(t, [NPM, 'install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund',
    join(work, filename)], { cwd: work, env: cleanEnv() });
  assert.equal(installed.code, 0, installed.stderr);
  const pkg = join(prefix, 'lib', 'node_modules', 'webracer');
  const bin = join(prefix, 'bin', 'webracer');
  for (const dev of ['tsx', 'esbuild', 'typescript']) {
    assert.ok(!existsSync(join(pkg, 'node_modules', dev)) && !existsSync(join(prefix, 'lib', 'node_modules', dev)), `${dev} is not installed`);
  }
  const main = join(pkg, 'dist', 'cli', 'main.js');
  assert.match(readFileSync(main, 'utf8'), /^#!\/usr\/bin\/env node\n/);
  assert.ok((statSync(main).mode & 0o111) !== 0, 'the bin is executable');

  // Run from elsewhere, with nothing of the checkout on any path.
  const env = cleanEnv({ PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}` });
  const version = await run(t, [bin, '--version'], { cwd: work, env });
  assert.equal(version.code, 0, version.stderr);
  assert.equal(version.stdout.trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);

  const server = start(t, [bin, '--port', '0', '--host', '127.0.0.1', '--no-qr'], { cwd: work, env });
  const [url] = await server.waitFor(/http:\/\/127\.0\.0\.1:\d+\//);
  const page = await fetch(url);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<html/i);
  const app = await fetch(new URL('app.js', url));
  assert.equal(app.status, 200);
  await app.arrayBuffer();
  assert.doesNotMatch(server.stdout(), /no index\.html/);
  server.kill('SIGTERM');
  const exit = await server.exited;
  assert.equal(exit.code, 0, exit.stderr);
});

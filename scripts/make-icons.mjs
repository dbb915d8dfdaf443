// Makes the app icons (web/static/icon-192.png, icon-512.png) from the favicon's car, for the web app
// manifest: full-bleed, so they work as "maskable" icons (a phone cuts them to its own shape), with the
// car inside the central safe circle (80 % of the width). Run by hand when the logo changes
// (`node scripts/make-icons.mjs`; it needs /usr/bin/chromium); the PNGs are committed, so neither a build
// nor an install needs a browser.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const favicon = readFileSync(join(root, 'web', 'static', 'favicon.svg'), 'utf8');
const car = /<g id="car">([\s\S]*?)<\/g>/.exec(favicon)?.[1];
if (!car) throw new Error('favicon.svg has no <g id="car">');

const icon = (size) => `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 100 100">
  <rect width="100" height="100" fill="#15181d"/>
  <g transform="translate(50 50) scale(2.3) translate(-16 -16)">${car}</g>
</svg>`;

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const page = await browser.newPage();
  for (const size of [192, 512]) {
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(`<html><body style="margin:0">${icon(size)}</body></html>`);
    const png = await page.locator('svg').screenshot({ type: 'png' });
    writeFileSync(join(root, 'web', 'static', `icon-${size}.png`), png);
  }
} finally {
  await browser.close();
}

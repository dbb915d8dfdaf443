// The service worker (served as /sw.js, scope /): the page's shell from a cache when the car's server
// cannot be reached, so a phone that opens the app (or reloads it) while the server is down gets the page,
// which says "the car's server is not reachable, retrying" and connects by itself once it is back,
// instead of the browser's error page.
//
// What it never does: cache or replay anything that moves the car. It handles only GET requests for the
// page's own files (an allow-list: the pages, their scripts, styles and icons), always from the network
// first, so a running server is always what the page gets; `/api/*` is never touched. WebSocket traffic,
// the only way a command reaches the car, does not pass through service workers at all.
// Service workers exist only in secure contexts: http://localhost, 127.0.0.1, or https with a
// certificate the browser trusts (docs/control.md).

interface ExtendableEvent extends Event { waitUntil(promise: Promise<unknown>): void }
interface FetchEvent extends ExtendableEvent { request: Request; respondWith(response: Promise<Response>): void }
interface WorkerScope {
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  location: Location;
}
const worker = self as unknown as WorkerScope;

const CACHE = 'webracer-shell-1';
/** The page's files, kept for when the server is away. */
const SHELL = [
  '/index.html', '/app.js', '/style.css', '/tools.css', '/favicon.svg', '/manifest.webmanifest', '/icon-192.png', '/icon-512.png',
  '/camera.html', '/camera.js', '/camera.css', '/lobby.html', '/lobby.js',
];
/** A server that answers nothing at all (Wi-Fi gone) is given this long before the cached page is shown. */
const NETWORK_WAIT_MS = 4000;

/** Which cached file stands in for a page address: the camera's page, or the driving page. */
function shellPageFor(path: string): string {
  return /(^|\/)camera\/?$/.test(path) ? '/camera.html' : '/index.html';
}

worker.addEventListener('install', (event) => {
  // One file at a time, so a missing one (an older build) does not keep the rest out.
  event.waitUntil(caches.open(CACHE)
    .then((cache) => Promise.all(SHELL.map((path) => cache.add(new Request(path, { cache: 'no-cache' })).catch(() => {}))))
    .then(() => worker.skipWaiting()));
});

worker.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((n) => n.startsWith('webracer-shell-') && n !== CACHE).map((n) => caches.delete(n))))
    .then(() => worker.clients.claim()));
});

worker.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== worker.location.origin || url.pathname.startsWith('/api/')) return;
  const page = request.mode === 'navigate';
  if (!page && !SHELL.includes(url.pathname)) return; // not ours to keep: the browser's own handling
  event.respondWith(page ? pageFromNetwork(request, url.pathname) : fromNetwork(request, url.pathname));
});

/** A file of the shell: the network's answer (a copy kept), or, when there is none, the kept one. */
async function fromNetwork(request: Request, path: string): Promise<Response> {
  try {
    return keep(await withTimeout(fetch(request), NETWORK_WAIT_MS), path);
  } catch {
    return (await caches.match(path)) ?? unreachablePage();
  }
}

/** A page address (/, /car/NAME, /camera): kept under its own path; without the network, the one kept
 *  for it, else the shell's page for its kind, else a page that says the server is not reachable. */
async function pageFromNetwork(request: Request, path: string): Promise<Response> {
  try {
    return keep(await withTimeout(fetch(request), NETWORK_WAIT_MS), path);
  } catch {
    return (await caches.match(path)) ?? (await caches.match(shellPageFor(path))) ?? unreachablePage();
  }
}

/** Keeps a copy of a good answer of our own server's; anything else is passed on untouched. */
function keep(response: Response, path: string): Response {
  if (response.ok && response.type === 'basic') {
    const copy = response.clone();
    void caches.open(CACHE).then((cache) => cache.put(path, copy)).catch(() => {});
  }
  return response;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer')), ms);
    promise.then((v) => { clearTimeout(timer); resolve(v); }, (e: unknown) => { clearTimeout(timer); reject(e); });
  });
}

/** When not even the shell is cached yet: a page that says so and tries again every few seconds. */
function unreachablePage(): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>webracer: server not reachable</title></head>
<body style="background:#15181d;color:#eef1f4;font:18px system-ui,sans-serif;padding:2rem">
<h1 style="font-size:1.4rem">The car's server is not reachable, retrying…</h1>
<p>This page tries again every 5 seconds.</p></body></html>`;
  return new Response(html, { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' } });
}

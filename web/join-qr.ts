// "Join QR": a dialog with a QR code of this page's address, so a second phone can join by scanning the
// first one's screen. The addresses come from `GET /api/join` (join-url.ts picks one); the token, when
// this tab holds one, rides in the fragment, and the dialog says so: whoever scans that code can drive.
// The encoding is uqr's (the same small encoder the CLI uses for its start-up code); the drawing is an
// SVG of our own, dark modules on white with the standard quiet zone, which every phone camera reads.

import { encode } from 'uqr';
import { joinUrl } from './join-url.js';

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Light modules around the code, as the standard asks. */
const QUIET_ZONE = 4;

export interface JoinQrOptions {
  /** The token this tab holds (auth.ts), or null. */
  token(): string | null;
  /** The dialog is about to open: the page stops what it set going (a modal takes the controls away). */
  opening(): void;
}

/** An SVG of the QR code for `text`: one path of dark modules on a white square. */
export function qrSvg(text: string): SVGSVGElement {
  const { data } = encode(text, { ecc: 'M', border: QUIET_ZONE });
  const size = data.length;
  let d = '';
  data.forEach((row, y) => row.forEach((dark, x) => {
    if (dark) d += `M${x},${y}h1v1h-1z`;
  }));
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
  svg.setAttribute('shape-rendering', 'crispEdges');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'QR code of the address shown below it');
  const ground = document.createElementNS(SVG_NS, 'rect');
  ground.setAttribute('width', String(size));
  ground.setAttribute('height', String(size));
  ground.setAttribute('fill', '#fff');
  const modules = document.createElementNS(SVG_NS, 'path');
  modules.setAttribute('d', d);
  modules.setAttribute('fill', '#000');
  svg.append(ground, modules);
  return svg;
}

async function lanUrls(): Promise<string[]> {
  try {
    const response = await fetch('/api/join', { cache: 'no-store' });
    if (!response.ok) return [];
    const body = await response.json() as { urls?: unknown };
    return Array.isArray(body.urls) ? body.urls.filter((u): u is string => typeof u === 'string') : [];
  } catch {
    return []; // an older server, or none: this page's own address
  }
}

export function attachJoinQr(button: HTMLButtonElement, dialog: HTMLDialogElement, opts: JoinQrOptions): void {
  const codeHost = dialog.querySelector<HTMLElement>('.qr')!;
  const address = dialog.querySelector<HTMLElement>('.qr-url')!;
  const note = dialog.querySelector<HTMLElement>('.qr-note')!;

  button.addEventListener('click', async () => {
    opts.opening();
    codeHost.replaceChildren();
    address.textContent = 'Looking up the address…';
    note.textContent = '';
    dialog.showModal();
    const token = opts.token();
    const { url, reachable } = joinUrl(location, await lanUrls(), token);
    codeHost.replaceChildren(qrSvg(url));
    address.textContent = url.split('#', 1)[0];
    const notes: string[] = [];
    if (token) notes.push('This code carries the access token: whoever scans it can drive.');
    if (!reachable) notes.push('This server listens on this machine only (--host 127.0.0.1): other devices cannot reach it.');
    note.textContent = notes.join(' ');
  });
}

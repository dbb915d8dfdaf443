// The recordings API (src/recording/http.ts), with the token when the server asks for one: sent as
// `Authorization: Bearer`, never in a URL. The token is the one the controller page keeps for the tab
// (auth.ts: sessionStorage, or a `#token=` fragment), so a driver who unlocked the controls sees the
// recordings without typing it again.

import type { RecordingSummary, Track } from '../../src/recording/api-types.js'; // types only: nothing of the server is bundled

export type { RecordingSummary, Track, TrackPoint } from '../../src/recording/api-types.js';

const KEY = 'webracer-token';

export class NeedsToken extends Error {
  constructor(readonly wrong: boolean) {
    super(wrong ? 'wrong token' : 'the recordings need the token');
  }
}

export function takeTokenFromFragment(): void {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (!token) return;
  sessionStorage.setItem(KEY, token);
  history.replaceState(null, '', location.pathname + location.search);
}

export function setToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

/** A request with the token, if the tab has one; a refused token is forgotten (NeedsToken). */
export async function call(path: string, init: RequestInit = {}): Promise<Response> {
  const token = sessionStorage.getItem(KEY);
  const headers = { ...(init.headers as Record<string, string> | undefined), ...(token ? { Authorization: `Bearer ${token}` } : {}) };
  const response = await fetch(path, { ...init, headers, cache: 'no-store' });
  if (response.status === 401) {
    if (token) sessionStorage.removeItem(KEY); // refused: never send it again (each wrong try counts)
    throw new NeedsToken(token !== null);
  }
  return response;
}

async function get(path: string): Promise<Response> {
  const response = await call(path);
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response;
}

export async function listRecordings(): Promise<RecordingSummary[]> {
  const response = await get('/api/recordings').catch((err: unknown) => {
    // Without --record the server has no such API: say so, rather than a bare 404 (from the lobby's link).
    if (err instanceof Error && / 404 /.test(err.message)) throw new Error('This server does not record driving sessions (it runs without --record).');
    throw err;
  });
  return ((await response.json()) as { recordings: RecordingSummary[] }).recordings;
}

export async function fetchRecording(name: string): Promise<string> {
  return (await get(`/api/recordings/${encodeURIComponent(name)}`)).text();
}

export async function fetchTrack(name: string): Promise<Track> {
  return (await get(`/api/recordings/${encodeURIComponent(name)}/track`)).json() as Promise<Track>;
}

/** Saves the file: fetched with the token, then handed to the browser as a download. */
export async function download(name: string): Promise<void> {
  const blob = await (await get(`/api/recordings/${encodeURIComponent(name)}?download`)).blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

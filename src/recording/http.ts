/**
 * The recordings over HTTP (docs/recording.md "The page"):
 *   GET /recordings                     the page (web/recordings/), open to anyone: it holds no data
 *   GET /api/recordings                 the list: car, driver, start, length, distance on the simulator
 *   GET /api/recordings/NAME            the file (JSON Lines); with ?download, as an attachment
 *   GET /api/recordings/NAME/track      the simulated track, for the page's map
 * With --token, the /api/ routes need `Authorization: Bearer <token>` (http-auth.ts in control): 401
 * without it or with a wrong one, 429 once the address is locked out. A NAME is only ever looked up among
 * the folder's own recordings by exact name (directory.ts pathOf), so no client text becomes a path, and a
 * file is served only if it is a regular file as opened (directory.ts openRecording: no link followed).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { HttpContext } from '../control/add-on.js';
import { send } from '../control/http/static.js';
import type { OpenRecording, RecordingDirectory } from './directory.js';
import type { RecordingSummaries } from './summaries.js';

const API = /^\/api\/recordings(?:\/([^/]+)(\/track)?)?\/?$/;

export function createRecordingRoutes(directory: RecordingDirectory, summaries: RecordingSummaries) {
  return (req: IncomingMessage, res: ServerResponse, ctx: HttpContext): boolean => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/recordings' || url.pathname === '/recordings/') {
      ctx.serveStatic(req, res, '/recordings.html');
      return true;
    }
    const match = API.exec(url.pathname);
    if (match === null) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      send(res, 405, 'method not allowed');
      return true;
    }
    const auth = ctx.authorize(req);
    if (auth !== 'ok') {
      if (auth === 'locked') {
        send(res, 429, 'too many wrong tokens from this address; try again later');
      } else {
        res.setHeader('WWW-Authenticate', 'Bearer realm="webracer recordings"');
        send(res, 401, auth === 'missing' ? 'recordings need the token (Authorization: Bearer ...)' : 'wrong token');
      }
      return true;
    }
    const [, rawName, track] = match;
    const answer = rawName === undefined
      ? list(res, summaries)
      : one(req, res, { directory, summaries }, rawName, track !== undefined ? 'track' : url.searchParams.has('download') ? 'download' : 'file');
    answer.catch(() => {
      if (!res.headersSent) send(res, 500, 'internal error');
      else res.destroy();
    });
    return true;
  };
}

async function list(res: ServerResponse, summaries: RecordingSummaries): Promise<void> {
  sendJson(res, { recordings: await summaries.all() });
}

/** What `/api/recordings/NAME` answers with: its track (`/track`), or the file, to show or to download (`?download`). */
type RecordingView = 'track' | 'file' | 'download';

async function one(req: IncomingMessage, res: ServerResponse, { directory, summaries }: { directory: RecordingDirectory; summaries: RecordingSummaries },
  rawName: string, view: RecordingView): Promise<void> {
  let name: string;
  try {
    name = decodeURIComponent(rawName);
  } catch {
    return send(res, 400, 'bad name');
  }
  if (view === 'track') {
    const path = await directory.pathOf(name);
    return path === null ? send(res, 404, 'no such recording') : sendJson(res, await summaries.track(path));
  }
  const file = await directory.openRecording(name);
  if (file === null) return send(res, 404, 'no such recording');
  await sendFile(req, res, file, { name, attachment: view === 'download' });
}

/** How a recording is sent: its name, and whether the browser should save it (`?download`) or show it. */
interface SendAs {
  name: string;
  attachment: boolean;
}

/**
 * Sends an opened recording, exactly the size it had when opened (a file still being written grows while
 * we send it). The file is closed on every path: here when nothing is to be read (HEAD, an empty file,
 * an error before the stream exists), else by the stream once it ends, fails or the client goes away
 * (pipeline destroys it; a plain pipe() would leave it open, paused, for good).
 */
async function sendFile(req: IncomingMessage, res: ServerResponse, file: OpenRecording, how: SendAs): Promise<void> {
  const { handle, size } = file;
  let streaming = false;
  try {
    res.statusCode = 200;
    res.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
    res.setHeader('Content-Length', size);
    res.setHeader('Cache-Control', 'no-store'); // may be private, and a session in progress keeps growing
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (how.attachment) res.setHeader('Content-Disposition', `attachment; filename="${how.name}"`);
    if (req.method === 'HEAD' || size === 0) return void res.end();
    const stream = handle.createReadStream({ start: 0, end: size - 1 }); // closes the handle when done
    streaming = true;
    await pipeline(stream, res);
  } finally {
    if (!streaming) await handle.close();
  }
}

function sendJson(res: ServerResponse, value: unknown): void {
  send(res, 200, JSON.stringify(value), 'application/json; charset=utf-8');
}

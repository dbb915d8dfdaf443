/**
 * Ghosts over HTTP (docs/recording.md "Ghosts"): a recording replayed on a simulated car of its own in the
 * arena (src/control/ghost/).
 *   GET    /api/ghosts        the ghosts now
 *   POST   /api/ghosts        a ghost from {"recording": NAME} (application/json: one of this server's
 *                             recordings, by the name /api/recordings lists) or from the file itself
 *                             (application/x-ndjson, at most MAX_GHOST_FILE_BYTES: `webracer replay FILE --to URL`)
 *   DELETE /api/ghosts/ID     removes it; only with the key its start answered with (X-Ghost-Key)
 * Who may: whoever may read recordings, so with --token a token holder (Bearer, as /api/recordings). These
 * change state, so a browser's request must also come from a page the WebSocket would take (its Origin), and
 * a body must be one of the two types above: a page of another site cannot send either without asking first
 * (a CORS preflight, which is never answered). A NAME is only looked up among the folder's own recordings
 * (directory.ts pathOf): nothing sent becomes a path.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpContext } from '../control/add-on.js';
import { send } from '../control/http/static.js';
import type { RecordingDirectory } from './directory.js';
import { ghostScriptOf, MAX_GHOST_FILE_BYTES, readRecordingBytes } from './ghost-script.js';
import { readRecordingFile, RecordingError, type Playable } from './reader.js';

const GHOSTS = /^\/api\/ghosts(?:\/([^/]+))?\/?$/;
/** A JSON request names a recording: far less than this. */
const MAX_JSON_BYTES = 4 * 1024;

/** A refusal with its HTTP status. */
class Refused extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export function createGhostRoutes(directory: RecordingDirectory | null) {
  return (req: IncomingMessage, res: ServerResponse, ctx: HttpContext): boolean => {
    const match = GHOSTS.exec((req.url ?? '/').split('?', 1)[0]);
    if (match === null) return false;
    const id = match[1];
    const method = req.method ?? 'GET';
    const allowed = id === undefined ? ['GET', 'HEAD', 'POST'] : ['DELETE'];
    if (!allowed.includes(method)) {
      res.setHeader('Allow', allowed.join(', '));
      send(res, 405, 'method not allowed');
      return true;
    }
    if (method !== 'GET' && method !== 'HEAD' && !ctx.originAllowed(req)) {
      send(res, 403, 'a page of another site may not start or remove ghosts (see --allow-origin)');
      return true;
    }
    if (!authorized(req, res, ctx)) return true;
    if (method === 'DELETE') return removeGhost(req, res, ctx, id), true;
    if (method !== 'POST') return sendJson(res, 200, { ghosts: ctx.ghosts.list() }), true;
    startGhost(req, res, ctx, directory).catch((err: unknown) => {
      if (err instanceof Refused) {
        if (err.status === 413) res.setHeader('Connection', 'close'); // the rest of the body is never read
        return send(res, err.status, `${err.message}\n`);
      }
      if (err instanceof RecordingError) return send(res, 400, `this recording cannot be shown as a ghost: ${err.message}\n`);
      if (!res.headersSent) send(res, 500, 'internal error\n');
      else res.destroy();
    });
    return true;
  };
}

/** With --token, a token holder only: 401 without it or with a wrong one, 429 once the address is locked out. */
function authorized(req: IncomingMessage, res: ServerResponse, ctx: HttpContext): boolean {
  const auth = ctx.authorize(req);
  if (auth === 'ok') return true;
  if (auth === 'locked') {
    send(res, 429, 'too many wrong tokens from this address; try again later');
  } else {
    res.setHeader('WWW-Authenticate', 'Bearer realm="webracer ghosts"');
    send(res, 401, auth === 'missing' ? 'ghosts need the token (Authorization: Bearer ...)' : 'wrong token');
  }
  return false;
}

function removeGhost(req: IncomingMessage, res: ServerResponse, ctx: HttpContext, rawId: string): void {
  const key = req.headers['x-ghost-key'];
  if (typeof key !== 'string' || key === '') {
    return send(res, 403, 'only whoever started a ghost removes it: send the key its start answered with (X-Ghost-Key)\n');
  }
  let id: string;
  try {
    id = decodeURIComponent(rawId);
  } catch {
    return send(res, 404, 'no such ghost\n'); // a malformed escape names no ghost
  }
  const result = ctx.ghosts.remove(id.slice(0, 64), key.slice(0, 256));
  if (result === 'no-such-ghost') return send(res, 404, 'no such ghost (it may have ended)\n');
  if (result === 'wrong-key') return send(res, 403, 'that is not the key this ghost was started with\n');
  res.statusCode = 204;
  res.end();
}

async function startGhost(req: IncomingMessage, res: ServerResponse, ctx: HttpContext, directory: RecordingDirectory | null): Promise<void> {
  const type = (req.headers['content-type'] ?? '').split(';', 1)[0].trim().toLowerCase();
  let recording: Playable;
  if (type === 'application/x-ndjson') {
    recording = readRecordingBytes(await body(req, MAX_GHOST_FILE_BYTES)).recording;
  } else if (type === 'application/json') {
    recording = await named(await body(req, MAX_JSON_BYTES), directory);
  } else {
    throw new Refused(415, 'send the recording itself as application/x-ndjson, or {"recording": NAME} as application/json');
  }
  const started = ctx.ghosts.start(await ghostScriptOf(recording), req.socket.remoteAddress ?? '?');
  if (!started.ok) throw new Refused(started.status, started.message);
  sendJson(res, 201, { ghost: started.ghost, key: started.key, durationMs: Math.round(recording.end?.t ?? recording.lines.at(-1)?.t ?? 0) });
}

/** `{"recording": NAME}`: one of the folder's own recordings, by its exact name. */
async function named(bytes: Buffer, directory: RecordingDirectory | null): Promise<Playable> {
  let name: unknown;
  try {
    name = (JSON.parse(bytes.toString('utf8')) as { recording?: unknown } | null)?.recording;
  } catch {
    throw new Refused(400, 'the body is not JSON: send {"recording": NAME}');
  }
  if (typeof name !== 'string' || name === '') throw new Refused(400, 'which recording? send {"recording": NAME}, a name /api/recordings lists');
  if (directory === null) {
    throw new Refused(404, 'this server keeps no recordings (it runs without --record): send the file itself (webracer replay FILE --to URL)');
  }
  const path = await directory.pathOf(name);
  if (path === null) {
    throw new Refused(404, `no recording named '${JSON.stringify(name.slice(0, 100)).slice(1, -1)}' in this server's recordings folder `
      + '(only a name /api/recordings lists, never a path)');
  }
  return (await readRecordingFile(path, MAX_GHOST_FILE_BYTES)).recording;
}

/** A request's body, up to `max` bytes; a longer one is refused (413) and its connection closed. */
function body(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    const tooLarge = () => new Refused(413, `a ghost's recording is at most ${max / 1024 / 1024 >= 1 ? `${max / 1024 / 1024} MiB` : `${max / 1024} KiB`}`);
    if (declared > max) return reject(tooLarge()); // unread: the answer closes the connection
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.pause();
        return reject(tooLarge());
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8');
}

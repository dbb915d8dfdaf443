/**
 * Serves the page's files from one folder (dist/web by default) and nothing outside it. The request path
 * is decoded once, split into segments, and refused if any segment could climb out or hide a separator
 * (`..`, `.`, dotfiles, backslashes, NUL, an encoded `/`); the final real path (symlinks resolved) must
 * still lie inside the folder's real path.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream';
import { extname, join, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Headers on every answer: no MIME sniffing, no framing (a framed page could be clickjacked into driving). */
const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
};

/**
 * Maps a request target to path segments inside the folder, or null when it must be refused.
 * Exported for the traversal tests.
 */
export function safeSegments(target: string): string[] | null {
  const pathname = target.split('?', 1)[0].split('#', 1)[0];
  if (!pathname.startsWith('/')) return null; // absolute-form or '*' targets are not for files
  const segments: string[] = [];
  for (const raw of pathname.split('/').slice(1)) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null; // malformed percent-encoding
    }
    if (segment === '') continue; // '//' and the trailing '/'
    // After decoding: an encoded '/' or '\' would be a separator the split above did not see.
    if (/[/\\\0]/.test(segment) || segment.startsWith('.')) return null;
    segments.push(segment);
  }
  return segments;
}

/** `target` overrides the request's own path (a route that serves one of the folder's files). */
export type StaticHandler = (req: IncomingMessage, res: ServerResponse, target?: string) => void;

export function createStaticHandler(root: string): StaticHandler {
  return (req, res, target) => {
    serve(root, req, res, target ?? req.url ?? '/').catch(() => {
      if (!res.headersSent) send(res, 500, 'internal error');
      else res.destroy();
    });
  };
}

async function serve(root: string, req: IncomingMessage, res: ServerResponse, target: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'method not allowed');
  }
  const segments = safeSegments(target);
  if (segments === null) return send(res, 400, 'bad path');
  const file = await resolveInside(root, segments);
  if (file === null) return send(res, 404, 'not found');

  const etag = `"${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}"`;
  res.setHeader('ETag', etag);
  res.setHeader('Last-Modified', new Date(file.mtimeMs).toUTCString());
  // The bundle's names carry no content hash, so every use revalidates (cheap: a 304).
  res.setHeader('Cache-Control', 'no-cache');
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  if (req.headers['if-none-match'] === etag) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.statusCode = 200;
  res.setHeader('Content-Type', CONTENT_TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream');
  res.setHeader('Content-Length', file.size);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  // pipeline, not pipe: a page that goes away mid-answer must close the file too (pipe keeps it open for
  // good: one descriptor leaked per cut download). A read error ends the answer.
  pipeline(createReadStream(file.path), res, () => {});
}

/** The regular file for these segments (a folder means its index.html), or null if none inside root. */
async function resolveInside(
  root: string,
  segments: string[],
): Promise<{ path: string; size: number; mtimeMs: number } | null> {
  try {
    const realRoot = await realpath(root);
    let path = await realpath(join(realRoot, ...segments));
    let info = await stat(path);
    if (info.isDirectory()) {
      path = await realpath(join(path, 'index.html'));
      info = await stat(path);
    }
    // Symlinks are followed, but their target must be inside the folder too.
    if (!path.startsWith(realRoot + sep) || !info.isFile()) return null;
    return { path, size: info.size, mtimeMs: info.mtimeMs };
  } catch {
    return null; // missing, unreadable, or a broken link: all are simply not found
  }
}

export function send(res: ServerResponse, status: number, text: string, type = 'text/plain; charset=utf-8'): void {
  res.statusCode = status;
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  res.setHeader('Content-Type', type);
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/**
 * Static serving of the built app (dist/): MIME types, long caching only for content-hashed
 * assets, security headers (a strict CSP that still allows workers, WebSocket to self and WebRTC),
 * path-traversal-safe lookup, and an SPA fallback to index.html for paths that are not files.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.jpg': 'image/jpeg',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The app needs: its own scripts and workers (blob: for worker shims), WebSocket to its own origin
 * ('self' covers ws: to the same host in CSP3 browsers), blob:/data: images and media for restored
 * files. Inline styles stay allowed because Svelte markup may carry style attributes. WebRTC is not
 * governed by CSP. Nothing may frame the app, and nothing is loaded from elsewhere.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "font-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers for every response from this server, API and files alike. */
export function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  // A readcap lives in the URL fragment, which browsers never send; no-referrer keeps even the
  // page address out of any request the app makes elsewhere.
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
}

/** Vite names built assets `name-<hash>.ext`; only those never change and may be cached for a year. */
const HASHED_ASSET = /^\/assets\/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

type Found = { path: string; size: number } | 'not-found' | 'bad-request';

/** Maps a URL path to a regular file inside `root`, refusing anything that could escape it. */
async function locate(root: string, urlPath: string): Promise<Found> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return 'bad-request';
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return 'bad-request';
  const segments = decoded.split('/').filter((s) => s !== '');
  // Refuse `..` outright and hidden files (.git, .env …) rather than normalising them away.
  if (segments.some((s) => s.startsWith('.'))) return 'not-found';
  const path = resolve(root, ...segments);
  if (path !== root && !path.startsWith(root + sep)) return 'bad-request';
  try {
    const s = await stat(path);
    if (s.isFile()) return { path, size: s.size };
    if (s.isDirectory()) {
      const index = join(path, 'index.html');
      const si = await stat(index).catch(() => undefined);
      if (si?.isFile() === true) return { path: index, size: si.size };
    }
  } catch {
    // fall through: not found
  }
  return 'not-found';
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

/**
 * Returns a request handler for the files under `distDir`. GET and HEAD only. A missing path
 * without a file extension gets index.html (client-side routes); a missing file gets 404.
 */
export function createStaticHandler(distDir: string): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const root = resolve(distDir);
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      sendText(res, 405, 'Method not allowed\n');
      return;
    }
    const urlPath = new URL(req.url ?? '/', 'http://localhost').pathname;
    let found = await locate(root, urlPath);
    if (found === 'not-found' && extname(urlPath) === '') found = await locate(root, '/index.html');
    if (found === 'bad-request') {
      sendText(res, 400, 'Bad request\n');
      return;
    }
    if (found === 'not-found') {
      sendText(res, 404, 'Not found\n');
      return;
    }
    const type = MIME_TYPES[extname(found.path).toLowerCase()] ?? 'application/octet-stream';
    const cache = HASHED_ASSET.test(urlPath) ? 'public, max-age=31536000, immutable' : 'no-cache';
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': found.size, 'Cache-Control': cache });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(found.path);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };
}

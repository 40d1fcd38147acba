/**
 * What the page and the service worker (src/sw.ts) say to each other: the message that lets a
 * waiting new version take over, the streamed downloads and media ranges the worker answers for
 * the page, and the paths the worker must leave to the network.
 */

/** Posted by the page to a waiting worker when the person chooses to update (workbox's own spelling). */
export const SKIP_WAITING_MESSAGE = { type: 'SKIP_WAITING' } as const;

export function isSkipWaitingMessage(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === SKIP_WAITING_MESSAGE.type;
}

/** The worker's script URL and scope: the site root, so it controls `/` and every readcap link `/#…`. */
export const SERVICE_WORKER_URL = '/sw.js';
export const SERVICE_WORKER_SCOPE = '/';

/**
 * Navigations that are not the app and must reach the server: the health check, the signaling
 * endpoint, and the browser test harness (test builds only).
 */
export const NAVIGATION_DENYLIST: readonly RegExp[] = [/^\/healthz(?:$|[/?])/, /^\/signal(?:$|[/?])/, /^\/test\//, /^\/bric-download\//, /^\/bric-media\//];

/** A streamed download is fetched at `${DOWNLOAD_PATH}<id>/<name>`; the worker answers it from the page's port. */
export const DOWNLOAD_PATH = '/bric-download/';
/** A file viewed in place (video, audio, image) is fetched at `${MEDIA_PATH}<id>/<name>`, with Range requests. */
export const MEDIA_PATH = '/bric-media/';

/** Page → worker, with a MessagePort: the next fetch of DOWNLOAD_PATH + id is this stream (port-stream.ts). */
export interface DownloadOffer {
  readonly type: 'bric-download';
  readonly id: string;
  readonly name: string;
  readonly size?: number;
  readonly mime?: string;
}

/** Page → worker while a download streams: an event that keeps the worker from being stopped as idle (it is ignored). */
export const KEEPALIVE_MESSAGE = { type: 'bric-keepalive' } as const;

/** Worker → page over the offer's port: the offer is kept (`ready`), the browser fetched it (`started`). */
export type DownloadNotice = { readonly t: 'ready' } | { readonly t: 'started' };

/**
 * Worker → page, with a MessagePort: serve a byte range of media `id`, as an HTTP Range header
 * says it: [start, end] inclusive, `end` absent = to the end, `suffix` = the last that many bytes;
 * `whole` = no Range header at all (answer 200 with the whole file).
 */
export interface MediaRangeAsk {
  readonly type: 'bric-media-range';
  readonly id: string;
  readonly start: number;
  readonly end?: number;
  readonly suffix?: number;
  readonly whole?: boolean;
}

/**
 * Page → worker over the ask's port, before any byte: the range it will serve (inclusive; resolved
 * against the size), or `unsatisfiable` (416), or `missing` (this page does not have that media).
 */
export type MediaRangeHead =
  | { readonly t: 'head'; readonly size: number; readonly mime: string; readonly name: string; readonly start: number; readonly end: number }
  | { readonly t: 'unsatisfiable'; readonly size: number }
  | { readonly t: 'missing'; readonly message: string };

export function isDownloadOffer(data: unknown): data is DownloadOffer {
  const d = data as Partial<DownloadOffer> | null;
  return typeof d === 'object' && d !== null && d.type === 'bric-download' && typeof d.id === 'string' && typeof d.name === 'string';
}

export function isMediaRangeAsk(data: unknown): data is MediaRangeAsk {
  const d = data as Partial<MediaRangeAsk> | null;
  return typeof d === 'object' && d !== null && d.type === 'bric-media-range' && typeof d.id === 'string' && typeof d.start === 'number';
}

/** A header value for `filename*=` (RFC 5987/6266), so any name survives, plus a plain ASCII fallback. */
export function contentDisposition(kind: 'attachment' | 'inline', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

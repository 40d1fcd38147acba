/**
 * The service worker's answers for what the page streams (runs in the worker, see src/sw.ts):
 * a download offered by the page (stream-download.ts) and Range requests for media viewed in
 * place, which the worker passes to the page that holds the file (media-host in src/app) and
 * answers with just the bytes asked for, as the page verifies them from the grid.
 */
import { portReadable } from './port-stream.js';
import { contentDisposition, DOWNLOAD_PATH, MEDIA_PATH, type DownloadNotice, type DownloadOffer, type MediaRangeAsk, type MediaRangeHead } from './protocol.js';

/** The parts of the worker's `clients` used here. */
export interface WorkerClients {
  get(id: string): Promise<{ readonly id: string; postMessage(message: unknown, transfer: Transferable[]): void } | undefined>;
  matchAll(opts: { type: 'window' }): Promise<ReadonlyArray<{ readonly id: string; postMessage(message: unknown, transfer: Transferable[]): void }>>;
}

/** An offered download not fetched within this long is dropped (the page gave up or went away). */
const OFFER_TTL_MS = 60_000;
/** A page asked for a media range must say what it has within this long. */
const MEDIA_HEAD_TIMEOUT_MS = 15_000;

interface Pending {
  readonly offer: DownloadOffer & { readonly disposition?: string };
  readonly control: MessagePort;
  readonly data: MessagePort;
  readonly timer: ReturnType<typeof setTimeout>;
}

const pending = new Map<string, Pending>();

export function isDownloadUrl(url: URL): boolean {
  return url.origin === self.location.origin && url.pathname.startsWith(DOWNLOAD_PATH);
}

export function isMediaUrl(url: URL): boolean {
  return url.origin === self.location.origin && url.pathname.startsWith(MEDIA_PATH);
}

function idOf(url: URL, prefix: string): string {
  return url.pathname.slice(prefix.length).split('/')[0] ?? '';
}

/** Keeps a page's offer until the browser fetches its URL. */
export function acceptDownloadOffer(offer: DownloadOffer, ports: readonly MessagePort[]): void {
  const [control, data] = ports;
  if (control === undefined || data === undefined) return;
  const timer = setTimeout(() => {
    pending.delete(offer.id);
    data.postMessage({ t: 'cancel', reason: 'the download was never started' });
    control.close();
    data.close();
  }, OFFER_TTL_MS);
  pending.set(offer.id, { offer, control, data, timer });
  control.postMessage({ t: 'ready' } satisfies DownloadNotice);
}

/** The response to a download URL: the offered stream as an attachment, or 404 once it was taken. */
export function answerDownload(url: URL): Response {
  const id = idOf(url, DOWNLOAD_PATH);
  const entry = pending.get(id);
  if (entry === undefined) return new Response('This download is no longer available: start it again from the page.', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  pending.delete(id);
  clearTimeout(entry.timer);
  entry.control.postMessage({ t: 'started' } satisfies DownloadNotice);
  entry.control.close();
  const headers = new Headers({
    'Content-Type': entry.offer.mime ?? 'application/octet-stream',
    'Content-Disposition': entry.offer.disposition ?? contentDisposition('attachment', entry.offer.name),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  if (entry.offer.size !== undefined) headers.set('Content-Length', String(entry.offer.size));
  return new Response(portReadable(entry.data), { status: 200, headers });
}

/** Parses a Range header of one range (`bytes=a-b`, `bytes=a-`, `bytes=-n`); undefined for none or one we do not serve. */
export function parseRange(header: string | null): Pick<MediaRangeAsk, 'start' | 'end' | 'suffix' | 'whole'> {
  if (header === null) return { start: 0, whole: true };
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (m === null || (m[1] === '' && m[2] === '')) return { start: 0, whole: true }; // several ranges: the whole file is a valid answer
  if (m[1] === '') return { start: 0, suffix: Number(m[2]) };
  return m[2] === '' ? { start: Number(m[1]) } : { start: Number(m[1]), end: Number(m[2]) };
}

/** Asks one client for a range; resolves with its head and the port its bytes will come over. */
function ask(client: { postMessage(message: unknown, transfer: Transferable[]): void }, question: MediaRangeAsk): Promise<{ head: MediaRangeHead; port: MessagePort }> {
  const channel = new MessageChannel();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      channel.port1.close();
      resolve({ head: { t: 'missing', message: 'the page did not answer' }, port: channel.port1 });
    }, MEDIA_HEAD_TIMEOUT_MS);
    channel.port1.onmessage = (event: MessageEvent<MediaRangeHead>) => {
      clearTimeout(timer);
      channel.port1.onmessage = null;
      resolve({ head: event.data, port: channel.port1 });
    };
    client.postMessage(question, [channel.port2]);
  });
}

/** The response to a media URL: asks the requesting page first, then any other window of the app. */
export async function answerMedia(url: URL, request: Request, clientId: string, clients: WorkerClients): Promise<Response> {
  const question: MediaRangeAsk = { type: 'bric-media-range', id: idOf(url, MEDIA_PATH), ...parseRange(request.headers.get('range')) };
  const first = clientId === '' ? undefined : await clients.get(clientId);
  const others = (await clients.matchAll({ type: 'window' })).filter((c) => c.id !== first?.id);
  for (const client of first === undefined ? others : [first, ...others]) {
    const { head, port } = await ask(client, question);
    if (head.t === 'missing') continue;
    if (head.t === 'unsatisfiable') {
      port.close();
      return new Response(null, { status: 416, headers: { 'Content-Range': `bytes */${head.size}` } });
    }
    const headers = new Headers({
      'Content-Type': head.mime,
      'Content-Length': String(head.end - head.start + 1),
      'Accept-Ranges': 'bytes',
      'Content-Disposition': contentDisposition('inline', head.name),
      'Cache-Control': 'no-store',
      // A file from the grid is anyone's: never sniffed into something else, never run as a page.
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': 'sandbox',
    });
    if (question.whole === true) return new Response(portReadable(port), { status: 200, headers });
    headers.set('Content-Range', `bytes ${head.start}-${head.end}/${head.size}`);
    return new Response(portReadable(port), { status: 206, headers });
  }
  return new Response('This file is not open in any tab of bric any more: open its link again.', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
}

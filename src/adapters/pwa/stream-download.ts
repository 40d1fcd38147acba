/**
 * A download the service worker streams for the page: the page offers the stream to the worker
 * over a MessageChannel, then points a hidden iframe at a unique URL; the worker answers that
 * fetch with the port's bytes and `Content-Disposition: attachment`, so the browser saves to disk
 * as the bytes come and the page never holds the file.
 */
import { servePort } from './port-stream.js';
import { contentDisposition, DOWNLOAD_PATH, KEEPALIVE_MESSAGE, type DownloadNotice, type DownloadOffer } from './protocol.js';

/** The worker must see the iframe's fetch within this long, or the save is given up (worker gone, blocked). */
const START_TIMEOUT_MS = 20_000;
/** The iframe stays a while after the last byte went out: removing it early could cut the tail. */
const IFRAME_LINGER_MS = 30_000;
/**
 * While a download streams, the page messages the worker this often: a browser may stop an idle
 * worker (Chromium after 30 s without events), and the pulls over the port are not events to it.
 */
const KEEPALIVE_MS = 10_000;

/** The service worker that controls this page, or null (none, or not in control yet). */
export function controllingWorker(): ServiceWorker | null {
  return typeof navigator !== 'undefined' && 'serviceWorker' in navigator ? navigator.serviceWorker.controller : null;
}

export interface StreamDownloadOptions {
  readonly size?: number;
  readonly type?: string;
  readonly signal: AbortSignal;
}

/** Streams `source` to a file named `name` through `worker`; resolves once the last byte was handed over. */
export function streamDownload(worker: ServiceWorker, name: string, source: AsyncIterator<Uint8Array>, opts: StreamDownloadOptions): Promise<void> {
  opts.signal.throwIfAborted();
  const id = crypto.randomUUID();
  const control = new MessageChannel();
  const data = new MessageChannel();
  return new Promise<void>((resolve, reject) => {
    let iframe: HTMLIFrameElement | undefined;
    const keepalive = setInterval(() => worker.postMessage(KEEPALIVE_MESSAGE), KEEPALIVE_MS);
    const timer = setTimeout(() => done(new Error('the browser did not start the download (the service worker did not answer)')), START_TIMEOUT_MS);
    let settled = false;
    const done = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(keepalive);
      control.port1.close();
      const frame = iframe;
      if (frame !== undefined) setTimeout(() => frame.remove(), err === undefined ? IFRAME_LINGER_MS : 0);
      if (err === undefined) resolve();
      else reject(err);
    };
    control.port1.onmessage = (event: MessageEvent<DownloadNotice>) => {
      if (event.data.t === 'ready') {
        iframe = document.createElement('iframe');
        iframe.hidden = true;
        iframe.title = `Saving ${name}`;
        iframe.src = `${DOWNLOAD_PATH}${id}/${encodeURIComponent(name)}`;
        document.body.append(iframe);
      } else if (event.data.t === 'started') {
        clearTimeout(timer);
      }
    };
    opts.signal.addEventListener('abort', () => done(opts.signal.reason instanceof Error ? opts.signal.reason : new Error('the save was cancelled')), { once: true });
    servePort(data.port1, source, {
      signal: opts.signal,
      onDone: (outcome, detail) => {
        if (outcome === 'end') done();
        else done(new Error(outcome === 'cancelled' ? 'the download was cancelled in the browser' : (detail ?? 'the download failed')));
      },
    });
    const offer: DownloadOffer = { type: 'bric-download', id, name, size: opts.size, mime: opts.type };
    worker.postMessage({ ...offer, disposition: contentDisposition('attachment', name) }, [control.port2, data.port2]);
  });
}

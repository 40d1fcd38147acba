/**
 * Files viewed in place (video, audio, images) with seeking: the page hosts a media URL for a cap,
 * the service worker turns each Range request for it into a question to this page, and the page
 * answers with just those bytes, fetched and verified segment by segment from the grid
 * (core/grid/download-range.ts). The page never holds more than the pipeline's few segments.
 * @module
 */
import { servePort } from '../adapters/pwa/port-stream.js';
import { isMediaRangeAsk, MEDIA_PATH, type MediaRangeAsk, type MediaRangeHead } from '../adapters/pwa/protocol.js';
import { controllingWorker } from '../adapters/pwa/stream-download.js';
import type { ChkReadCap, LitCap } from '../core/cap/types.js';
import { openRangedFile, type RangedFile } from '../core/grid/download-range.js';
import type { NodeServices } from './node-api.js';

interface Hosted {
  readonly file: RangedFile;
  readonly name: string;
  readonly mime: string;
  readonly services: NodeServices;
  /** Range requests answered (206 or 200), for the view and tests. */
  ranges: number;
}

const hosted = new Map<string, Hosted>();
let listening = false;

/** A media file this page serves at `url`; close() stops serving it. */
export interface HostedMedia {
  readonly url: string;
  /** Range requests answered so far, and segments fetched for them. */
  counts(): { ranges: number; segments: number };
  close(): void;
}

/**
 * True when this page can host media URLs: a service worker controls it, or takes control within
 * `waitMs` (on a first visit the worker registers as the page loads, then claims it).
 */
export async function canHostMedia(waitMs = 5_000): Promise<boolean> {
  if (controllingWorker() !== null) return true;
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return false;
  const container = navigator.serviceWorker;
  if ((await container.getRegistration()) === undefined) return false;
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(controllingWorker() !== null), waitMs);
    container.addEventListener('controllerchange', () => (clearTimeout(timer), resolve(true)), { once: true });
  });
}

/** Starts serving `cap` at a new media URL. The file's shares are found on the first range asked. */
export function hostMedia(services: NodeServices, cap: ChkReadCap | LitCap, name: string, mime: string): HostedMedia {
  listen();
  const id = crypto.randomUUID();
  const life = new AbortController();
  const file = openRangedFile({ broker: services.broker, clock: services.clock, runner: services.runner }, {}, cap, { signal: life.signal });
  const entry: Hosted = { file, name, mime, services, ranges: 0 };
  hosted.set(id, entry);
  return {
    url: `${MEDIA_PATH}${id}/${encodeURIComponent(name)}`,
    counts: () => ({ ranges: entry.ranges, segments: file.segmentsFetched }),
    close() {
      hosted.delete(id);
      file.close();
      life.abort();
    },
  };
}

function listen(): void {
  if (listening || !('serviceWorker' in navigator)) return;
  listening = true;
  navigator.serviceWorker.addEventListener('message', (event: MessageEvent) => {
    if (!isMediaRangeAsk(event.data)) return;
    const port = event.ports[0];
    if (port !== undefined) answer(event.data, port);
  });
  // Messages from the worker wait in a queue until the page says it listens.
  navigator.serviceWorker.startMessages();
}

/** The inclusive byte range a Range request asks of a file of `size` bytes, or undefined (416). */
export function resolveRange(ask: Pick<MediaRangeAsk, 'start' | 'end' | 'suffix' | 'whole'>, size: number): { start: number; end: number } | undefined {
  if (ask.whole === true) return { start: 0, end: size - 1 };
  if (ask.suffix !== undefined) return size === 0 || ask.suffix === 0 ? undefined : { start: Math.max(0, size - ask.suffix), end: size - 1 };
  if (ask.start >= size) return undefined;
  const end = ask.end === undefined ? size - 1 : Math.min(ask.end, size - 1);
  return end < ask.start ? undefined : { start: ask.start, end };
}

function answer(ask: MediaRangeAsk, port: MessagePort): void {
  const entry = hosted.get(ask.id);
  if (entry === undefined) {
    port.postMessage({ t: 'missing', message: 'not hosted by this page' } satisfies MediaRangeHead);
    port.close();
    return;
  }
  const size = entry.file.size;
  const range = resolveRange(ask, size);
  if (range === undefined) {
    port.postMessage({ t: 'unsatisfiable', size } satisfies MediaRangeHead);
    port.close();
    return;
  }
  entry.ranges++;
  port.postMessage({ t: 'head', size, mime: entry.mime, name: entry.name, start: range.start, end: range.end } satisfies MediaRangeHead);
  // The player cancels a range it no longer needs (a seek elsewhere): that stops the decode.
  const cancel = new AbortController();
  servePort(port, rangeChunks(entry, range.start, range.end - range.start + 1, cancel.signal), {
    onDone: (outcome, detail) => {
      if (outcome !== 'end') cancel.abort(new DOMException('the player no longer needs these bytes', 'AbortError'));
      // The player shows only "cannot play": say why where a developer looks.
      if (outcome === 'error') console.warn(`bric: bytes ${range.start}-${range.end} of ${entry.name} could not be served: ${detail ?? 'unknown error'}`);
    },
  });
}

async function* rangeChunks(entry: Hosted, offset: number, length: number, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  // Shares are found among the peers the signaling server named: wait for that list first.
  await entry.services.joined(signal);
  entry.services.warmUp();
  yield* entry.file.read(offset, length, { signal });
}

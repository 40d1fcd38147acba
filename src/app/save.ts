/**
 * Saving a stream of bytes as a file with bounded memory, whatever its size: the File System
 * Access API where the browser has it and a user gesture allows it (written straight to the chosen
 * file), else a download the service worker streams, else a Blob (browser blob storage, which
 * spills to disk but is assembled before the download starts: for small files).
 * @module
 */
import { controllingWorker, streamDownload } from '../adapters/pwa/stream-download.js';
import { BricError } from '../core/errors.js';
import { saveBlob } from './restore-sink.js';

export type SaveMethod = 'file-picker' | 'service-worker' | 'blob';

export interface SaveOptions {
  /** Bytes to expect (a Content-Length for the download; the browser shows a time left). */
  size?: number;
  /** MIME type. @default 'application/octet-stream' */
  type?: string;
  signal: AbortSignal;
  /** Force one way (tests, or a caller that knows better). @default the first available, in the order above */
  method?: SaveMethod;
  /** Told which way was taken, before the first byte moves. */
  onMethod?(method: SaveMethod): void;
}

/** The person dismissed the save dialog: nothing was written. */
export class SaveCancelledError extends BricError {
  override name = 'SaveCancelledError';
}

interface SaveFilePickerWindow {
  showSaveFilePicker?(opts: { suggestedName?: string }): Promise<{ createWritable(): Promise<WritableStream<Uint8Array>> }>;
}

/**
 * Which way `saveStream` would take now. Call it (and `saveStream`) synchronously inside the click
 * handler: the file picker needs the click's user activation, which an `await` before it may lose.
 */
export function chooseSaveMethod(preferred?: SaveMethod): SaveMethod {
  if (preferred !== undefined) return preferred;
  const w = globalThis as SaveFilePickerWindow;
  const active = (navigator as { userActivation?: { isActive: boolean } }).userActivation?.isActive ?? false;
  if (typeof w.showSaveFilePicker === 'function' && active) return 'file-picker';
  if (controllingWorker() !== null) return 'service-worker';
  return 'blob';
}

/**
 * Saves `stream` as a file named `name`. Resolves once every byte was handed to the file (picker),
 * the browser's download (service worker) or the Blob's download; rejects on the stream's error,
 * an abort, or SaveCancelledError when the person dismissed the picker.
 */
export async function saveStream(name: string, stream: ReadableStream<Uint8Array>, opts: SaveOptions): Promise<void> {
  const method = chooseSaveMethod(opts.method);
  opts.onMethod?.(method);
  if (method === 'file-picker') return saveWithPicker(name, stream, opts);
  if (method === 'service-worker') {
    const worker = controllingWorker();
    if (worker === null) throw new Error('no service worker controls this page, so the file cannot be streamed to disk');
    const reader = stream.getReader();
    const source: AsyncIterator<Uint8Array> = {
      next: () => reader.read() as Promise<IteratorResult<Uint8Array>>,
      return: async () => {
        await reader.cancel();
        return { done: true, value: undefined };
      },
    };
    return streamDownload(worker, name, source, { size: opts.size, type: opts.type, signal: opts.signal });
  }
  return saveAsBlob(name, stream, opts);
}

async function saveWithPicker(name: string, stream: ReadableStream<Uint8Array>, opts: SaveOptions): Promise<void> {
  const picker = (globalThis as SaveFilePickerWindow).showSaveFilePicker;
  if (picker === undefined) throw new Error('this browser cannot save through a file picker');
  let handle: Awaited<ReturnType<NonNullable<SaveFilePickerWindow['showSaveFilePicker']>>>;
  try {
    handle = await picker.call(globalThis, { suggestedName: name });
  } catch (err) {
    await stream.cancel().catch(() => undefined);
    if (err instanceof DOMException && err.name === 'AbortError') throw new SaveCancelledError('the save was cancelled: no file was chosen');
    throw err;
  }
  // The file is written to a temporary copy and moved into place on close; an error or abort
  // (pipeTo aborts the writable) discards it, so a failed restore never leaves a half file.
  const writable = await handle.createWritable();
  await stream.pipeTo(writable, { signal: opts.signal });
}

async function saveAsBlob(name: string, stream: ReadableStream<Uint8Array>, opts: SaveOptions): Promise<void> {
  const parts: Blob[] = [];
  const reader = stream.getReader();
  const onAbort = (): void => void reader.cancel(opts.signal.reason).catch(() => undefined);
  opts.signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      const r = await reader.read();
      opts.signal.throwIfAborted();
      if (r.done) break;
      // Each chunk leaves the JS heap for blob storage at once.
      parts.push(new Blob([r.value.slice() as Uint8Array<ArrayBuffer>]));
    }
  } finally {
    opts.signal.removeEventListener('abort', onAbort);
  }
  saveBlob(new Blob(parts, { type: opts.type ?? 'application/octet-stream' }), name);
}

/** A ReadableStream over an async iterable of chunks (a restore), pulled as the saver writes. */
export function iterableStream(chunks: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const it = chunks[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const r = await it.next();
        if (r.done === true) controller.close();
        else controller.enqueue(r.value);
      },
      async cancel() {
        await it.return?.();
      },
    },
    new CountQueuingStrategy({ highWaterMark: 1 }),
  );
}

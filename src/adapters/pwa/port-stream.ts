/**
 * A byte stream carried over a MessagePort, pulled one chunk at a time: the service worker side
 * (`portReadable`) asks for each chunk only when its reader wants one, so a download or a media
 * range moves at the speed of whoever consumes it and neither side buffers more than a chunk or two.
 * The page side (`servePort`) answers the pulls from an async iterator of chunks.
 */

/** What travels over the port (page → worker: chunk/end/error; worker → page: pull/cancel). */
export type PortMessage =
  | { readonly t: 'pull' }
  | { readonly t: 'cancel'; readonly reason: string }
  | { readonly t: 'chunk'; readonly data: Uint8Array }
  | { readonly t: 'end' }
  | { readonly t: 'error'; readonly message: string };

/** The byte stream the page serves over `port`; cancelling it tells the page to stop. */
export function portReadable(port: MessagePort): ReadableStream<Uint8Array> {
  let waiting: ((m: PortMessage) => void) | undefined;
  const early: PortMessage[] = [];
  port.onmessage = (event: MessageEvent<PortMessage>) => {
    const w = waiting;
    waiting = undefined;
    if (w !== undefined) w(event.data);
    else early.push(event.data);
  };
  const next = (): Promise<PortMessage> =>
    new Promise((resolve) => {
      const m = early.shift();
      if (m !== undefined) resolve(m);
      else waiting = resolve;
    });
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        port.postMessage({ t: 'pull' } satisfies PortMessage);
        const m = await next();
        if (m.t === 'chunk') controller.enqueue(m.data);
        else if (m.t === 'end') (controller.close(), port.close());
        else if (m.t === 'error') (controller.error(new Error(m.message)), port.close());
      },
      cancel(reason) {
        port.postMessage({ t: 'cancel', reason: String(reason ?? 'cancelled') } satisfies PortMessage);
        port.close();
      },
    },
    // One chunk asked for ahead: the next segment is on its way while the consumer writes this one.
    new CountQueuingStrategy({ highWaterMark: 1 }),
  );
}

export interface ServeOptions {
  /** Aborting fails the stream on the far side (the download fails rather than ending short). */
  signal?: AbortSignal;
  /** After the last chunk went out (`end`), or the far side cancelled (`cancelled`), or it failed. */
  onDone?(outcome: 'end' | 'cancelled' | 'error', detail?: string): void;
}

/** Answers `port`'s pulls with the chunks of `source`, one chunk per pull, each transferred. */
export function servePort(port: MessagePort, source: AsyncIterator<Uint8Array>, opts: ServeOptions = {}): void {
  let finished = false;
  const finish = (outcome: 'end' | 'cancelled' | 'error', detail?: string): void => {
    if (finished) return;
    finished = true;
    port.onmessage = null;
    opts.onDone?.(outcome, detail);
  };
  const fail = (message: string): void => {
    if (finished) return;
    port.postMessage({ t: 'error', message } satisfies PortMessage);
    port.close();
    finish('error', message);
  };
  opts.signal?.addEventListener('abort', () => {
    fail(reasonText(opts.signal?.reason, 'the save was cancelled'));
    void source.return?.().catch(() => undefined);
  });
  // Pulls are answered in order: a pull that arrives while a chunk is being produced waits for it.
  let queue: Promise<void> = Promise.resolve();
  port.onmessage = (event: MessageEvent<PortMessage>) => {
    const m = event.data;
    if (m.t === 'cancel') {
      finish('cancelled', m.reason);
      port.close();
      void source.return?.().catch(() => undefined);
      return;
    }
    if (m.t !== 'pull') return;
    queue = queue.then(async () => {
      if (finished) return;
      try {
        const r = await source.next();
        if (finished) return;
        if (r.done === true) {
          port.postMessage({ t: 'end' } satisfies PortMessage);
          port.close();
          finish('end');
          return;
        }
        const data = exactBuffer(r.value);
        port.postMessage({ t: 'chunk', data } satisfies PortMessage, [data.buffer]);
      } catch (err) {
        fail(reasonText(err, 'reading the file failed'));
      }
    });
  };
  port.start();
}

/** A chunk over a buffer of its own, so transferring it moves exactly these bytes (NOTES.md). */
function exactBuffer(chunk: Uint8Array): Uint8Array<ArrayBuffer> {
  if (chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength && chunk.buffer instanceof ArrayBuffer) {
    return chunk as Uint8Array<ArrayBuffer>;
  }
  return chunk.slice() as Uint8Array<ArrayBuffer>;
}

function reasonText(reason: unknown, fallback: string): string {
  return reason instanceof Error && reason.message !== '' ? reason.message : typeof reason === 'string' && reason !== '' ? reason : fallback;
}

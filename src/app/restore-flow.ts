/**
 * The restore a readcap link opens, as the Restore view shows it. Small files are restored into a
 * Blob at once and saved on request; large ones wait for Save and then stream to disk as each
 * segment is verified (save.ts), never held whole. Video, audio and images are also viewable in
 * place with seeking, served by range through the service worker (media-host.ts).
 * @module
 */
import { testNumber, testSetting } from './test-settings.js';
import type { OpenedLink } from './links.js';
import { canHostMedia, hostMedia, type HostedMedia } from './media-host.js';
import { mediaTypeOf, type MediaKind } from './media-types.js';
import type { BricNode, RestorePhase } from './node-api.js';
import { RestoreSink, saveBlob } from './restore-sink.js';
import { iterableStream, SaveCancelledError, saveStream, type SaveMethod } from './save.js';
import { describeError, showSize } from './words.js';

/** What a readcap link opened. */
export type LinkOpened = Extract<OpenedLink, { kind: 'readcap' }>;

export interface RestoreState {
  readonly name: string;
  readonly size: number;
  /** `ready`: Save is offered (a restored Blob, or a large file waiting to stream). */
  readonly status: 'running' | 'ready' | 'failed';
  readonly text: string;
  readonly done: number;
  /** Restored into memory first (small files) or streamed to disk as it is verified (large ones). */
  readonly mode?: 'memory' | 'stream';
  /** How the last save went: file picker, service-worker download or Blob. */
  readonly method?: SaveMethod;
  /** Present when the file can be viewed in place. */
  readonly media?: { readonly kind: MediaKind; readonly url: string };
}

/** Files larger than this stream to disk on Save; smaller ones are restored into a Blob at once. */
export const STREAM_RESTORE_BYTES = 64 * 1024 * 1024;

/** localStorage key a test build reads to force a save method (a headless browser has no file picker to click). */
export const TEST_SAVE_METHOD_KEY = 'bric-save';
/** localStorage key a test build reads for a lower streaming threshold, so a small file takes the streaming path. */
export const TEST_STREAM_BYTES_KEY = 'bric-stream-bytes';

function streamThreshold(): number {
  return testNumber(TEST_STREAM_BYTES_KEY, STREAM_RESTORE_BYTES);
}

function preferredSaveMethod(): SaveMethod | undefined {
  const v = testSetting(TEST_SAVE_METHOD_KEY);
  return v === 'file-picker' || v === 'service-worker' || v === 'blob' ? v : undefined;
}

export interface RestorerDeps {
  /** The state the view shows now. */
  current(): RestoreState | undefined;
  show(state: RestoreState): void;
  /** Shows an error to the person (the page's one error element). */
  fail(words: string): void;
  /** The page's life: aborting stops any restore. */
  readonly signal: AbortSignal;
}

export class Restorer {
  #blob: Blob | undefined;
  #target: { bric: BricNode; opened: LinkOpened } | undefined;
  #media: HostedMedia | undefined;
  #objectUrl: string | undefined;

  constructor(private readonly deps: RestorerDeps) {}

  /** The state for a new link restored in place (the previous file's viewer and Blob go). */
  begin(opened: LinkOpened, text: string): RestoreState {
    this.#blob = undefined;
    this.#target = undefined;
    this.#media?.close();
    this.#media = undefined;
    if (this.#objectUrl !== undefined) URL.revokeObjectURL(this.#objectUrl);
    this.#objectUrl = undefined;
    return { name: opened.name, size: sizeOf(opened), status: 'running', text, done: 0 };
  }

  /** Restores the file (small) or offers to stream it (large); resolves when that is settled. */
  async run(bric: BricNode, opened: LinkOpened): Promise<void> {
    const base0 = this.deps.current();
    if (base0 === undefined) return;
    this.#target = { bric, opened };
    const type = mediaTypeOf(opened.name);
    if (type !== undefined && bric.services !== undefined && (await canHostMedia())) {
      this.#media = hostMedia(bric.services, opened.cap, opened.name, type.mime);
    }
    const media = type !== undefined && this.#media !== undefined ? { kind: type.kind, url: this.#media.url } : undefined;
    const base: RestoreState = { ...base0, media };
    if (base.size > streamThreshold()) {
      this.deps.show({
        ...base,
        mode: 'stream',
        status: 'ready',
        text: `Ready: Save streams ${base.name} (${showSize(base.size)}) to disk as each part is verified`,
      });
      return;
    }
    const sink = new RestoreSink();
    const show = (text: string, status: RestoreState['status'] = 'running', extra: Partial<RestoreState> = {}): void => {
      this.deps.show({ ...base, mode: 'memory', status, text, done: sink.bytes, ...extra });
    };
    const started = performance.now();
    try {
      for await (const chunk of bric.restore(opened.cap, { signal: this.deps.signal, onPhase: (p) => show(phaseText(p, 'Restoring')) })) sink.push(chunk);
      this.#blob = sink.finish(type?.mime);
      performance.measure('bric:restore', { start: started, end: performance.now(), detail: { name: base.name, size: sink.bytes } });
      let viewer = media;
      if (viewer === undefined && type !== undefined) {
        // No worker to serve ranges: the Blob itself is seekable.
        this.#objectUrl = URL.createObjectURL(this.#blob);
        viewer = { kind: type.kind, url: this.#objectUrl };
      }
      show(`Restored ${base.name} (${showSize(sink.bytes)}), every byte verified: ready to save`, 'ready', { media: viewer });
    } catch (error) {
      if (this.deps.signal.aborted) return;
      const words = describeError(error, 'Restore failed');
      show(`${words}. Nothing was saved.`, 'failed');
      this.deps.fail(words);
    }
  }

  /**
   * Saves the file under its name. Call it straight from the click: the file picker needs the
   * click's user activation, so nothing is awaited before it is asked for.
   */
  save(): void {
    const state = this.deps.current();
    if (state === undefined) return;
    if (this.#blob !== undefined) {
      saveBlob(this.#blob, state.name);
      return;
    }
    if (this.#target !== undefined && state.mode === 'stream' && state.status === 'ready') this.#stream(this.#target, state);
  }

  #stream(target: { bric: BricNode; opened: LinkOpened }, base: RestoreState): void {
    const { signal } = this.deps;
    let method: SaveMethod | undefined;
    let done = 0;
    const show = (text: string, status: RestoreState['status'] = 'running'): void => {
      this.deps.show({ ...base, status, text, done, method });
    };
    const onPhase = (p: RestorePhase): void => {
      done = p.bytesDone;
      show(phaseText(p, 'Saving to disk'));
    };
    const started = performance.now();
    const stream = iterableStream(target.bric.restore(target.opened.cap, { signal, onPhase }));
    show('Starting the save…');
    saveStream(base.name, stream, {
      size: base.size,
      type: mediaTypeOf(base.name)?.mime,
      signal,
      method: preferredSaveMethod(),
      onMethod: (m) => (method = m),
    }).then(
      () => {
        performance.measure('bric:restore', { start: started, end: performance.now(), detail: { name: base.name, size: base.size, method } });
        done = base.size;
        show(`Saved ${base.name} (${showSize(base.size)}) ${methodWords(method)}, every byte verified`, 'ready');
      },
      (error: unknown) => {
        if (signal.aborted) return;
        if (error instanceof SaveCancelledError) {
          show(`Ready: Save streams ${base.name} (${showSize(base.size)}) to disk as each part is verified`, 'ready');
          return;
        }
        const words = describeError(error, 'Restore failed');
        show(`${words}. The partial file was discarded.`, 'failed');
        this.deps.fail(words);
      },
    );
  }
}

function sizeOf(opened: LinkOpened): number {
  return opened.cap.kind === 'lit' ? opened.cap.data.length : opened.cap.size;
}

function phaseText(p: RestorePhase, doing: string): string {
  if (p.phase === 'waiting-for-grid') return 'Joining the grid…';
  if (p.phase === 'finding-shares') return 'Looking for the file’s shares on the peers…';
  return `${doing}: ${showSize(p.bytesDone)} of ${showSize(p.total)} verified`;
}

function methodWords(method: SaveMethod | undefined): string {
  if (method === 'file-picker') return 'to the file you chose';
  if (method === 'service-worker') return 'to your downloads (streamed)';
  return 'to your downloads';
}

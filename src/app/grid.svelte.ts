/**
 * The runes facade (STYLE.md house style 21): the state the UI shows and the actions it calls,
 * over this tab's BricNode. Components import only this file; share bytes never enter reactive
 * state (lists are $state.raw, replaced whole).
 * @module
 */
import { equalBytes } from '../core/bytes.js';
import { parseSize } from '../core/storage/capacity.js';
import { createGrid, inviteLink, isDefaultGrid, parseFragment, type OpenedLink } from './links.js';
import type { BricNode, NodeServices, NodeSnapshot, RestorePhase } from './node-api.js';
import { RestoreSink, saveBlob } from './restore-sink.js';
import { capacityText, describeError, showSize } from './words.js';

export { showSize } from './words.js';

export interface FileEntry {
  readonly id: number;
  readonly name: string;
  readonly size: number;
  readonly status: 'waiting' | 'uploading' | 'done' | 'failed';
  /** Progress over every pass the upload makes (two in convergent mode). */
  readonly done: number;
  readonly total: number;
  readonly link?: string;
  readonly error?: string;
}

export interface RestoreState {
  readonly name: string;
  readonly size: number;
  readonly status: 'running' | 'ready' | 'failed';
  readonly text: string;
  readonly done: number;
}

/** Starts the node for a grid: node.ts's startNode, or a fake in tests. */
export type StartNode = (opened: OpenedLink, opts: { signal: AbortSignal }) => Promise<BricNode>;

let nextFileId = 1;

export class GridApp {
  phase = $state<'starting' | 'ready' | 'failed'>('starting');
  node = $state.raw<NodeSnapshot | undefined>(undefined);
  /** The capacity field's text, as the person types it. */
  capacityText = $state('');
  files = $state.raw<FileEntry[]>([]);
  restore = $state.raw<RestoreState | undefined>(undefined);
  /** The latest error to show (one place, so there is one `error` element). */
  error = $state<string | undefined>(undefined);
  /** The node's parts once it runs, for the views' own facades (folders, files, health). */
  services = $state.raw<NodeServices | undefined>(undefined);
  /** The link this page was opened with (undefined when it could not be read). */
  readonly opened: OpenedLink | undefined;

  #bric: BricNode | undefined;
  #restored: Blob | undefined;
  #queue: Promise<void> = Promise.resolve();
  readonly #life = new AbortController();

  constructor(
    hash: string,
    private readonly startNode: StartNode,
  ) {
    let opened: OpenedLink | undefined;
    try {
      opened = parseFragment(hash);
    } catch (error) {
      this.error = describeError(error, 'This link cannot be opened');
    }
    this.opened = opened;
    if (opened?.kind === 'readcap') {
      this.restore = { name: opened.name, size: opened.cap.kind === 'lit' ? opened.cap.data.length : opened.cap.size, status: 'running', text: 'Joining the grid…', done: 0 };
    }
  }

  get gridName(): string {
    return this.opened?.grid.id ?? '';
  }

  /** The link that brings another browser into this tab's grid (the page's origin for the default grid). */
  get invite(): string | undefined {
    return this.opened === undefined ? undefined : inviteLink(location.origin, this.opened.grid);
  }

  get isDefaultGrid(): boolean {
    return this.opened !== undefined && isDefaultGrid(this.opened.grid);
  }

  /** Makes a new private grid (random secret) and opens it in this tab; its invite link brings others in. */
  createPrivateGrid(): void {
    const random = crypto.getRandomValues(new Uint8Array(3));
    const id = `grid-${[...random].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
    location.assign(inviteLink(location.origin, createGrid(id, (n) => crypto.getRandomValues(new Uint8Array(n)))));
  }

  /** Starts the node (once), then a restore if the page was opened from a readcap link. */
  async start(): Promise<void> {
    const opened = this.opened;
    if (opened === undefined) {
      this.phase = 'failed';
      return;
    }
    try {
      const bric = await this.startNode(opened, { signal: this.#life.signal });
      this.#bric = bric;
      this.node = bric.snapshot();
      this.capacityText = capacityText(this.node.capacityBytes);
      bric.subscribe((s) => (this.node = s));
      this.services = bric.services;
      this.phase = 'ready';
    } catch (error) {
      if (this.#life.signal.aborted) return;
      this.phase = 'failed';
      this.error = describeError(error, 'This tab could not join the grid');
      if (this.restore !== undefined) this.restore = { ...this.restore, status: 'failed', text: this.error };
      return;
    }
    if (opened.kind === 'readcap') await this.#runRestore(opened);
  }

  /** Applies the capacity field. */
  async saveSettings(): Promise<void> {
    const bric = this.#bric;
    if (bric === undefined) return;
    let bytes: number;
    try {
      bytes = parseSize(this.capacityText);
    } catch (error) {
      this.error = describeError(error, 'The capacity was not saved');
      return;
    }
    try {
      await bric.setCapacity(bytes, { signal: this.#life.signal });
      this.capacityText = capacityText(bytes);
      this.error = undefined;
    } catch (error) {
      this.error = describeError(error, 'The capacity was not saved');
    }
  }

  /** Queues the chosen files for upload, one at a time (memory stays bounded by one pipeline). */
  uploadFiles(files: Iterable<File>): void {
    for (const file of files) {
      const entry: FileEntry = { id: nextFileId++, name: file.name, size: file.size, status: 'waiting', done: 0, total: file.size };
      this.files = [...this.files, entry];
      this.#queue = this.#queue.then(() => this.#upload(entry.id, file));
    }
  }

  /** Saves the restored file through the browser's download, under its original name. */
  download(): void {
    const restore = this.restore;
    if (this.#restored === undefined || restore === undefined) return;
    saveBlob(this.#restored, restore.name);
  }

  /**
   * A new fragment in the address bar: a readcap link of this same grid restores in place (the
   * node stays up, its links stay open); anything else returns false and the page starts over.
   */
  followLink(hash: string): boolean {
    let next: OpenedLink;
    try {
      next = parseFragment(hash);
    } catch (error) {
      this.error = describeError(error, 'This link cannot be opened');
      return true;
    }
    const current = this.opened;
    const sameGrid = current !== undefined && current.grid.id === next.grid.id && equalBytes(current.grid.secret, next.grid.secret);
    if (next.kind !== 'readcap' || !sameGrid || this.phase !== 'ready' || this.restore?.status === 'running') return false;
    this.#restored = undefined;
    this.restore = { name: next.name, size: next.cap.kind === 'lit' ? next.cap.data.length : next.cap.size, status: 'running', text: 'Looking for the file’s shares on the peers…', done: 0 };
    void this.#runRestore(next);
    return true;
  }

  dismissError(): void {
    this.error = undefined;
  }

  stop(): void {
    this.#life.abort(new DOMException('the page is closing', 'AbortError'));
    this.#bric?.close();
  }

  async #upload(id: number, file: File): Promise<void> {
    const bric = this.#bric;
    if (bric === undefined) {
      this.#updateFile(id, { status: 'failed', error: 'Upload failed: this tab is not in a grid' });
      return;
    }
    this.#updateFile(id, { status: 'uploading' });
    let last = 0;
    const started = performance.now();
    try {
      const { link } = await bric.upload(file, {
        signal: this.#life.signal,
        onProgress: (done, total) => {
          // Repaint at most every 1 %: progress comes per segment, twice per file.
          if (done !== total && done - last < total / 100) return;
          last = done;
          this.#updateFile(id, { done, total });
        },
      });
      // For the bench and the browser's performance panel: file chosen → readcap ready.
      performance.measure('bric:upload', { start: started, end: performance.now(), detail: { name: file.name, size: file.size } });
      const entry = this.files.find((f) => f.id === id);
      this.#updateFile(id, { status: 'done', link, done: entry?.total ?? file.size, total: entry?.total ?? file.size });
    } catch (error) {
      const words = describeError(error, 'Upload failed');
      this.#updateFile(id, { status: 'failed', error: words });
      this.error = `${file.name}: ${words}`;
    }
  }

  #updateFile(id: number, patch: Partial<FileEntry>): void {
    this.files = this.files.map((f) => (f.id === id ? { ...f, ...patch } : f));
  }

  async #runRestore(opened: Extract<OpenedLink, { kind: 'readcap' }>): Promise<void> {
    const bric = this.#bric;
    const base = this.restore;
    if (bric === undefined || base === undefined) return;
    const sink = new RestoreSink();
    const show = (text: string, status: RestoreState['status'] = 'running'): void => {
      this.restore = { ...base, status, text, done: sink.bytes };
    };
    const onPhase = (p: RestorePhase): void => {
      if (p.phase === 'waiting-for-grid') show('Joining the grid…');
      else if (p.phase === 'finding-shares') show('Looking for the file’s shares on the peers…');
      else show(`Restoring: ${showSize(p.bytesDone)} of ${showSize(p.total)} verified`);
    };
    const started = performance.now();
    try {
      for await (const chunk of bric.restore(opened.cap, { signal: this.#life.signal, onPhase })) sink.push(chunk);
      this.#restored = sink.finish();
      performance.measure('bric:restore', { start: started, end: performance.now(), detail: { name: base.name, size: sink.bytes } });
      show(`Restored ${base.name} (${showSize(sink.bytes)}), every byte verified: ready to save`, 'ready');
    } catch (error) {
      if (this.#life.signal.aborted) return;
      const words = describeError(error, 'Restore failed');
      show(`${words}. Nothing was saved.`, 'failed');
      this.error = words;
    }
  }
}

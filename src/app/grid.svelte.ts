/**
 * The runes facade (STYLE.md house style 21): the state the UI shows and the actions it calls,
 * over this tab's BricNode. Components import only this file; share bytes never enter reactive
 * state (lists are $state.raw, replaced whole).
 * @module
 */
import { equalBytes } from '../core/bytes.js';
import { parseSize } from '../core/storage/capacity.js';
import { createGrid, inviteLink, isDefaultGrid, parseFragment, type OpenedLink } from './links.js';
import type { BricNode, NodeServices, NodeSnapshot } from './node-api.js';
import { Restorer, type RestoreState } from './restore-flow.js';
import { capacityText, describeError, showSize } from './words.js';
import { FilesList, type FileEntry } from './library.svelte.js';
import { parseReadCapText, type LibraryStore } from './library.js';
import { checkEncoding, DEFAULT_ENCODING, gridSpace, parseEncoding, tooLargeWords, type Encoding, type GridSpace } from './settings.js';
import { LIT_MAX_BYTES } from '../core/limits.js';

export { showSize } from './words.js';
export type { FileEntry } from './library.svelte.js';
export type { GridSpace } from './settings.js';

export type { RestoreState } from './restore-flow.js';

/** Starts the node for a grid: node.ts's startNode, or a fake in tests. */
export type StartNode = (opened: OpenedLink, opts: { signal: AbortSignal }) => Promise<BricNode>;

/** How often the browser's storage estimate is read again while the node's use changes. */
const STORAGE_REREAD_MS = 5000;

export interface GridAppOptions {
  /** Opens the person's saved files list (IndexedDB in the page; memory when absent). */
  openLibrary?: () => Promise<LibraryStore>;
}


export class GridApp {
  phase = $state<'starting' | 'ready' | 'failed'>('starting');
  node = $state.raw<NodeSnapshot | undefined>(undefined);
  /** The capacity field's text, as the person types it. */
  capacityText = $state('');
  /** The settings fields, as the person types them. */
  nicknameText = $state('');
  kText = $state(String(DEFAULT_ENCODING.k));
  happyText = $state(String(DEFAULT_ENCODING.happy));
  nText = $state(String(DEFAULT_ENCODING.n));
  /** A line saying what the last settings save did. */
  settingsNotice = $state<string | undefined>(undefined);
  /** The browser's quota for this site and whether it promised to keep the data (navigator.storage). */
  storage = $state.raw<{ quota?: number; usage?: number; persisted?: boolean } | undefined>(undefined);
  /** The person's files: saved uploads and this tab's uploads in progress. */
  readonly library: FilesList;
  restore = $state.raw<RestoreState | undefined>(undefined);
  /** The latest error to show (one place, so there is one `error` element). */
  error = $state<string | undefined>(undefined);
  /** The node's parts once it runs, for the views' own facades (folders, files, health). */
  services = $state.raw<NodeServices | undefined>(undefined);
  /** The link this page was opened with (undefined when it could not be read). */
  readonly opened: OpenedLink | undefined;

  #bric: BricNode | undefined;
  #storageReadAt = -Infinity;
  readonly #life = new AbortController();
  /** The Restore view's flow (restore-flow.ts): Blob for small files, streamed to disk for large, media in place. */
  readonly #restorer = new Restorer({ current: () => this.restore, show: (s) => (this.restore = s), fail: (words) => (this.error = words), signal: this.#life.signal });

  constructor(
    hash: string,
    private readonly startNode: StartNode,
    private readonly options: GridAppOptions = {},
  ) {
    let opened: OpenedLink | undefined;
    try {
      opened = parseFragment(hash);
    } catch (error) {
      this.error = describeError(error, 'This link cannot be opened');
    }
    this.opened = opened;
    this.library = new FilesList({
      grid: opened?.grid,
      origin: typeof location === 'undefined' ? 'http://localhost' : location.origin,
      upload: (file, o) => this.#bric?.upload(file, o),
      resumePending: (o) => this.#bric?.resumePending?.(o) ?? Promise.resolve([]),
      refuse: (size) => this.#refuse(size),
      showError: (text) => (this.error = text),
      keep: (cap) => this.#repair(cap, 'add'),
      drop: (cap) => this.#repair(cap, 'forget'),
      signal: this.#life.signal,
    });
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
    // The files list works without the node (offline, or when the node cannot start).
    const listed = this.library.load(this.options.openLibrary);
    void this.#readStorage();
    try {
      const bric = await this.startNode(opened, { signal: this.#life.signal });
      this.#bric = bric;
      this.node = bric.snapshot();
      this.capacityText = capacityText(this.node.capacityBytes);
      this.#showEncoding(this.node.encoding ?? DEFAULT_ENCODING);
      this.nicknameText = this.node.nickname ?? '';
      bric.subscribe((s) => {
        // The browser's usage follows what the node stores: read it again (at most every few seconds).
        if (s.usedBytes !== this.node?.usedBytes && performance.now() - this.#storageReadAt > STORAGE_REREAD_MS) void this.#readStorage();
        this.node = s;
      });
      await listed;
      this.services = bric.services;
      this.phase = 'ready';
      void this.library.resumeLeft();
    } catch (error) {
      if (this.#life.signal.aborted) return;
      this.phase = 'failed';
      this.error = describeError(error, 'This tab could not join the grid');
      if (this.restore !== undefined) this.restore = { ...this.restore, status: 'failed', text: this.error };
      return;
    }
    if (opened.kind === 'readcap') await this.#runRestore(opened);
  }

  /** Applies the settings fields (capacity, nickname, encoding): all are checked before any is saved. */
  async saveSettings(): Promise<void> {
    const bric = this.#bric;
    if (bric === undefined) return;
    let bytes: number;
    let encoding: Encoding;
    try {
      bytes = parseSize(this.capacityText);
    } catch (error) {
      this.settingsNotice = undefined;
      this.error = describeError(error, 'The capacity was not saved');
      return;
    }
    try {
      encoding = parseEncoding({ k: this.kText, happy: this.happyText, n: this.nText });
    } catch (error) {
      this.settingsNotice = undefined;
      this.error = describeError(error, 'The settings were not saved');
      return;
    }
    try {
      await bric.setCapacity(bytes, { signal: this.#life.signal });
      this.capacityText = capacityText(bytes);
      await bric.setNickname?.(this.nicknameText, { signal: this.#life.signal });
      await bric.setEncoding?.(encoding, { signal: this.#life.signal });
      if (bric.setEncoding !== undefined) this.#showEncoding(encoding);
      this.nicknameText = this.node?.nickname ?? this.nicknameText;
      this.error = undefined;
      this.settingsNotice = `Saved. New uploads use ${encoding.k}-of-${encoding.n}, happiness ${encoding.happy}; this node offers ${showSize(bytes)}.`;
    } catch (error) {
      this.settingsNotice = undefined;
      this.error = describeError(error, 'The settings were not saved');
    }
  }

  /** The files list's rows (saved files, then this tab's uploads). */
  get files(): FileEntry[] {
    return this.library.rows;
  }

  /** Queues the chosen files for upload, one at a time (memory stays bounded by one pipeline). */
  uploadFiles(files: Iterable<File>): void {
    this.library.upload(files);
  }

  /** The encoding the settings fields show now, when they hold a usable one. */
  get encodingDraft(): Encoding | undefined {
    const e = { k: Number(this.kText), happy: Number(this.happyText), n: Number(this.nText) };
    return /^\d+$/.test(this.kText.trim() + this.happyText.trim() + this.nText.trim()) && checkEncoding(e) === undefined ? e : undefined;
  }

  /** The encoding uploads use now. */
  get encoding(): Encoding {
    return this.node?.encoding ?? DEFAULT_ENCODING;
  }

  /** Total, used and free space of the grid this tab knows, and what the free space holds at k/N. */
  get space(): GridSpace | undefined {
    return this.node === undefined ? undefined : gridSpace(this.node, this.encoding);
  }

  /** Asks the browser to keep this site's data (shares, files list) when space runs low. */
  async requestPersistence(): Promise<void> {
    const granted = await navigator.storage?.persist?.().catch(() => false);
    await this.#readStorage();
    this.settingsNotice = granted === true ? 'The browser will keep bric’s data when space runs low.' : 'The browser did not promise to keep bric’s data: it may clear it when space runs low (installing bric, or bookmarking it, often helps).';
  }

  /** Repair (durability) keeps the files of the person's list: imported ones join it, forgotten ones leave. */
  #repair(capText: string, what: 'add' | 'forget'): void {
    const durability = this.services?.durability;
    if (durability === undefined) return;
    try {
      const cap = parseReadCapText(capText);
      if (what === 'add') durability.add(cap);
      else durability.forget(cap);
    } catch {
      // A cap the list already checked: nothing to do.
    }
  }

  #showEncoding(e: Encoding): void {
    this.kText = String(e.k);
    this.happyText = String(e.happy);
    this.nText = String(e.n);
  }

  async #readStorage(): Promise<void> {
    if (typeof navigator === 'undefined' || navigator.storage === undefined) return;
    this.#storageReadAt = performance.now();
    const estimate = await navigator.storage.estimate?.().catch(() => undefined);
    const persisted = await navigator.storage.persisted?.().catch(() => undefined);
    this.storage = {
      ...(estimate?.quota === undefined ? {} : { quota: estimate.quota }),
      ...(estimate?.usage === undefined ? {} : { usage: estimate.usage }),
      ...(persisted === undefined ? {} : { persisted }),
    };
  }

  /** Said before uploading: a file bigger than what the grid's free space holds at k/N. */
  #refuse(size: number): string | undefined {
    const node = this.node;
    // Only once joined, with peers that all said how much room they have: otherwise placement finds out.
    if (size <= LIT_MAX_BYTES || node === undefined || !node.joined || (node.peers ?? []).length === 0) return undefined;
    return tooLargeWords(size, gridSpace(node, this.encoding), this.encoding);
  }

  /** Saves the restored file under its original name (call from the click: it may open a file picker). */
  download(): void {
    this.#restorer.save();
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
    this.restore = this.#restorer.begin(next, 'Looking for the file’s shares on the peers…');
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

  async #runRestore(opened: Extract<OpenedLink, { kind: 'readcap' }>): Promise<void> {
    if (this.#bric !== undefined) await this.#restorer.run(this.#bric, opened);
  }
}

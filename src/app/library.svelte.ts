/**
 * The files view's runes state: one row per file, the person's saved uploads (library.ts, kept
 * per grid) followed by this tab's uploads in progress, failed or cancelled. Uploads run one at a
 * time (memory stays bounded by one pipeline), each with its own cancel, progress in bytes,
 * throughput and time left; a finished upload joins the saved list. Export and import of the list.
 * @module
 */
import {
  capSize,
  exportLibrary,
  linkOf,
  MemoryLibraryStore,
  parseLibraryImport,
  parseReadCapText,
  verifyCapOf,
  type LibraryRecord,
  type LibraryStore,
} from './library.js';
import { formatCap } from '../core/cap/parse.js';
import type { GridRef } from './links.js';
import { roomIdOf } from './links.js';
import type { UploadOutcome } from './node-api.js';
import type { ResumeCallbacks } from './transfers.js';
import { describeError, showSize } from './words.js';

export interface FileEntry {
  readonly id: number;
  readonly name: string;
  readonly size: number;
  readonly status: 'waiting' | 'uploading' | 'done' | 'failed' | 'cancelled';
  /** Progress over every pass the upload makes (two in convergent mode). */
  readonly done: number;
  readonly total: number;
  /** File bytes per second so far, and seconds left at that pace (while uploading). */
  readonly rate?: number;
  readonly secondsLeft?: number;
  readonly link?: string;
  readonly cap?: string;
  /** k and N of its cap (absent for a LIT file, which lives in its cap). */
  readonly k?: number;
  readonly n?: number;
  readonly added?: number;
  readonly error?: string;
  /** Its record in the saved list. */
  readonly libraryId?: number;
}

export interface FilesListHost {
  readonly grid: GridRef | undefined;
  readonly origin: string;
  /** The node's upload, or undefined while the node is not running. */
  upload(file: File, opts: { signal: AbortSignal; onProgress?(done: number, total: number): void }): Promise<UploadOutcome> | undefined;
  /** Why a file of this size cannot be uploaded now (said before any byte is sent), or undefined. */
  refuse(size: number): string | undefined;
  /** The node's finishing of uploads a reloaded or closed tab left (absent while it is not running). */
  resumePending?(o: ResumeCallbacks): Promise<unknown>;
  /** The person keeps (imported) or drops (forgot) a file: repair follows their list. */
  keep?(cap: string): void;
  drop?(cap: string): void;
  /** Shows an error in the page's one error place. */
  showError(text: string): void;
  readonly signal: AbortSignal;
}

let nextRowId = 1;

export class FilesList {
  rows = $state.raw<FileEntry[]>([]);
  /** What the last export or import did, in words (a polite live region shows it). */
  notice = $state<string | undefined>(undefined);
  loaded = $state(false);

  readonly #cancels = new Map<number, AbortController>();
  /** Tells the person's other tabs of this grid that the saved list changed (they read it again). */
  #channel: BroadcastChannel | undefined;
  #store: LibraryStore;
  #queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly host: FilesListHost,
    store: LibraryStore = new MemoryLibraryStore(),
  ) {
    this.#store = store;
  }

  /** Loads the saved list of this grid (once, before uploads start). */
  async load(openStore?: () => Promise<LibraryStore>): Promise<void> {
    const grid = this.host.grid;
    try {
      if (openStore !== undefined) this.#store = await openStore();
      if (grid === undefined) return;
      const saved = await this.#store.list(roomIdOf(grid));
      this.rows = [...saved.map((r) => this.#rowOf(r, grid)), ...this.rows];
      this.#listen(grid);
    } catch (error) {
      this.host.showError(describeError(error, 'Your files list could not be read (it is kept in this browser only for this visit)'));
      this.#store = new MemoryLibraryStore();
    } finally {
      this.loaded = true;
    }
  }

  /** Queues files for upload; a file the grid cannot take is refused at once, in its row. */
  upload(files: Iterable<File>): void {
    for (const file of files) {
      const row: FileEntry = { id: nextRowId++, name: file.name, size: file.size, status: 'waiting', done: 0, total: file.size };
      this.rows = [...this.rows, row];
      const cancel = new AbortController();
      this.#cancels.set(row.id, cancel);
      this.#queue = this.#queue.then(() => this.#upload(row.id, file, cancel.signal));
    }
  }

  /**
   * Finishes the uploads a reloaded or closed tab of this person left (the node kept their files):
   * each gets a row while it runs and joins the list when done, sending only what is missing.
   */
  async resumeLeft(): Promise<void> {
    if (this.host.resumePending === undefined) return;
    let current: { id: number; name: string; size: number } | undefined;
    try {
      await this.host.resumePending({
        signal: this.host.signal,
        onStart: (u) => {
          const row: FileEntry = { id: nextRowId++, name: u.name, size: u.size, status: 'uploading', done: 0, total: u.size };
          this.rows = [...this.rows, row];
          current = { id: row.id, name: u.name, size: u.size };
        },
        onProgress: (done, total) => {
          if (current !== undefined) this.#update(current.id, { done, total });
        },
        onOutcome: (_id, outcome) => {
          const row = current;
          current = undefined;
          if (row === undefined) return;
          if (outcome instanceof Error) this.#fail(row.id, row, describeError(outcome, 'The unfinished upload could not be resumed (it is tried again next time)'));
          else void this.#finish(row.id, row, outcome);
        },
      });
    } catch (error) {
      if (!this.host.signal.aborted) this.host.showError(describeError(error, 'Unfinished uploads could not be resumed'));
    }
  }

  /** Cancels a waiting or running upload: its row says cancelled. */
  cancel(id: number): void {
    this.#cancels.get(id)?.abort(new DOMException('cancelled by the person', 'AbortError'));
    const row = this.rows.find((r) => r.id === id);
    if (row?.status === 'waiting') this.#update(id, { status: 'cancelled' });
  }

  /** Removes a file from the list (its shares stay in the grid until their leases run out). */
  async forget(id: number): Promise<void> {
    const row = this.rows.find((r) => r.id === id);
    if (row === undefined) return;
    try {
      if (row.libraryId !== undefined) await this.#store.remove(row.libraryId);
      this.#changed();
      this.rows = this.rows.filter((r) => r.id !== id);
      if (row.cap !== undefined && !this.rows.some((r) => r.cap === row.cap)) this.host.drop?.(row.cap);
      this.notice = `Forgot ${row.name}. Anyone who has its readcap link can still restore it while its shares last.`;
    } catch (error) {
      this.host.showError(describeError(error, `${row.name} was not forgotten`));
    }
  }

  /** The saved list as JSON text and a file name, or undefined when there is nothing to export. */
  exportJson(now = Date.now()): { name: string; text: string } | undefined {
    const grid = this.host.grid;
    if (grid === undefined) return undefined;
    const records = this.rows.filter((r) => r.status === 'done' && r.cap !== undefined).map((r) => this.#recordOf(r, grid));
    const day = new Date(now).toISOString().slice(0, 10);
    this.notice = `Exported ${records.length} file${records.length === 1 ? '' : 's'}. Keep the file safe: its caps read your files.`;
    return { name: `bric-files-${grid.id}-${day}.json`, text: exportLibrary(records, this.host.origin, grid, now) };
  }

  /** Adds the files of an exported list (those not already listed); a bad file changes nothing. */
  async importJson(text: string, now = Date.now()): Promise<number> {
    const grid = this.host.grid;
    if (grid === undefined) return 0;
    try {
      const { records, grid: from } = parseLibraryImport(text, roomIdOf(grid), now);
      const known = new Set(this.rows.map((r) => r.cap).filter((c) => c !== undefined));
      const fresh = records.filter((r) => !known.has(r.cap) && (known.add(r.cap), true));
      const saved = await this.#store.add(fresh);
      this.#changed();
      this.rows = [...this.rows, ...saved.map((r) => this.#rowOf(r, grid))];
      for (const r of saved) this.host.keep?.(r.cap);
      const skipped = records.length - fresh.length;
      const elsewhere = from !== undefined && from !== grid.id ? ` They were exported from the grid “${from}”: they restore only while their shares are on peers you reach.` : '';
      this.notice = `Imported ${fresh.length} file${fresh.length === 1 ? '' : 's'}${skipped > 0 ? ` (${skipped} already listed)` : ''}.${elsewhere}`;
      return fresh.length;
    } catch (error) {
      this.notice = undefined;
      this.host.showError(describeError(error, 'Import failed, nothing was changed'));
      return 0;
    }
  }

  async #upload(id: number, file: File, cancelled: AbortSignal): Promise<void> {
    if (cancelled.aborted) return void this.#cancels.delete(id);
    const refused = this.host.refuse(file.size);
    if (refused !== undefined) {
      this.#cancels.delete(id);
      return this.#fail(id, file, `Not uploaded: ${refused}`);
    }
    this.#update(id, { status: 'uploading' });
    let last = 0;
    const started = performance.now();
    try {
      const running = this.host.upload(file, {
        signal: AbortSignal.any([this.host.signal, cancelled]),
        onProgress: (done, total) => {
          // Repaint at most every 1 %: progress comes per segment, twice per file.
          if (done !== total && done - last < total / 100) return;
          last = done;
          const seconds = (performance.now() - started) / 1000;
          const rate = seconds > 0.2 ? ((done / Math.max(1, total)) * file.size) / seconds : undefined;
          const secondsLeft = rate !== undefined && rate > 0 ? (((total - done) / Math.max(1, total)) * file.size) / rate : undefined;
          this.#update(id, { done, total, ...(rate === undefined ? {} : { rate }), ...(secondsLeft === undefined ? {} : { secondsLeft }) });
        },
      });
      if (running === undefined) return this.#fail(id, file, 'Upload failed: this tab is not in a grid');
      const outcome = await running;
      // For the bench and the browser's performance panel: file chosen → readcap ready.
      performance.measure('bric:upload', { start: started, end: performance.now(), detail: { name: file.name, size: file.size } });
      await this.#finish(id, file, outcome);
    } catch (error) {
      if (cancelled.aborted && !this.host.signal.aborted) return this.#update(id, { status: 'cancelled' });
      if (this.host.signal.aborted) return;
      this.#fail(id, file, describeError(error, 'Upload failed'));
    } finally {
      this.#cancels.delete(id);
    }
  }

  async #finish(id: number, file: { readonly name: string; readonly size: number }, outcome: UploadOutcome): Promise<void> {
    const grid = this.host.grid;
    const row = this.rows.find((r) => r.id === id);
    const total = row?.total ?? file.size;
    const cap = formatCap(outcome.cap);
    const record: LibraryRecord = { v: 1, grid: grid === undefined ? '' : roomIdOf(grid), name: file.name, size: file.size, cap, added: Date.now() };
    let libraryId: number | undefined;
    try {
      libraryId = (await this.#store.add([record]))[0]?.id;
      this.#changed();
    } catch (error) {
      this.host.showError(describeError(error, `${file.name} was uploaded but could not be added to your saved list: copy its readcap link`));
    }
    const kn = outcome.cap.kind === 'chk' ? { k: outcome.cap.k, n: outcome.cap.n } : {};
    this.#update(id, { status: 'done', link: outcome.link, cap, added: record.added, done: total, total, ...kn, ...(libraryId === undefined ? {} : { libraryId }) });
  }

  #listen(grid: GridRef): void {
    if (typeof BroadcastChannel === 'undefined' || this.#channel !== undefined) return;
    this.#channel = new BroadcastChannel(`bric-library:${roomIdOf(grid)}`);
    this.#channel.onmessage = () => void this.#reread(grid);
    this.host.signal.addEventListener('abort', () => this.#channel?.close(), { once: true });
  }

  #changed(): void {
    this.#channel?.postMessage('changed');
  }

  /** Another tab changed the saved list: show it as stored, keeping this tab's uploads in progress. */
  async #reread(grid: GridRef): Promise<void> {
    try {
      const saved = await this.#store.list(roomIdOf(grid));
      const shown = new Map(this.rows.filter((r) => r.libraryId !== undefined).map((r) => [r.libraryId, r]));
      const savedRows = saved.map((r) => shown.get(r.id) ?? this.#rowOf(r, grid));
      this.rows = [...savedRows, ...this.rows.filter((r) => r.libraryId === undefined && r.status !== 'done')].concat(
        this.rows.filter((r) => r.libraryId === undefined && r.status === 'done'),
      );
    } catch {
      // The next change or reload shows it.
    }
  }

  #fail(id: number, file: { readonly name: string }, words: string): void {
    this.#update(id, { status: 'failed', error: words });
    this.host.showError(`${file.name}: ${words}`);
  }

  #update(id: number, patch: Partial<FileEntry>): void {
    this.rows = this.rows.map((f) => (f.id === id ? { ...f, ...patch } : f));
  }

  #rowOf(r: LibraryRecord, grid: GridRef): FileEntry {
    const cap = parseReadCapText(r.cap);
    const kn = cap.kind === 'chk' ? { k: cap.k, n: cap.n } : {};
    const size = capSize(cap);
    return { id: nextRowId++, name: r.name, size, status: 'done', done: size, total: size, link: linkOf(r, this.host.origin, grid), cap: r.cap, added: r.added, ...kn, ...(r.id === undefined ? {} : { libraryId: r.id }) };
  }

  #recordOf(r: FileEntry, grid: GridRef): LibraryRecord {
    return { v: 1, grid: roomIdOf(grid), name: r.name, size: r.size, cap: r.cap ?? '', added: r.added ?? Date.now() };
  }
}

/** The verify cap text of a row, or undefined (a LIT file). */
export function rowVerifyCap(row: FileEntry): string | undefined {
  return row.cap === undefined ? undefined : verifyCapOf(row.cap);
}

/** "12.3 MB of 40 MB · 8.1 MB/s · 4 s left" for an upload in progress. */
export function progressWords(row: FileEntry): string {
  const fileDone = Math.min(row.size, Math.round((row.done / Math.max(1, row.total)) * row.size));
  const parts = [`${showSize(fileDone)} of ${showSize(row.size)}`];
  if (row.rate !== undefined) parts.push(`${showSize(Math.round(row.rate))}/s`);
  if (row.secondsLeft !== undefined && row.done < row.total) parts.push(`${formatSeconds(row.secondsLeft)} left`);
  return parts.join(' · ');
}

export function formatSeconds(s: number): string {
  if (s < 1) return 'under a second';
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

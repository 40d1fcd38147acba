/**
 * The facade of a folder opened from a folder link: browse it read-only and restore it whole,
 * into a directory the person chooses (File System Access API, showDirectoryPicker) or, where
 * that is missing, as a zip streamed to the save helper (src/app/save.ts).
 * @module
 */
import type { FolderReadCap, GridRef } from '../links.js';
import type { NodeServices } from '../node-api.js';
import { saveStream } from '../save.js';
import { describeError } from '../words.js';
import { FolderBrowser } from './browse.svelte.js';
import { restoreToDirectory, zipEntriesOf, type RestoreProgress, type RestoreSummary } from './folder-restore.js';
import { folderPartsOf, type FolderParts } from './parts.js';
import { zipStream } from './zip.js';

interface PickerWindow {
  showDirectoryPicker?(opts?: { mode?: 'read' | 'readwrite'; id?: string }): Promise<FileSystemDirectoryHandle>;
}

export class SharedFolder {
  status = $state<'opening' | 'ready' | 'restoring' | 'restored' | 'failed'>('opening');
  /** What restore is doing, or why it failed, in words. */
  text = $state('Joining the grid…');
  error = $state<string | undefined>(undefined);
  progress = $state.raw<RestoreProgress | undefined>(undefined);
  summary = $state.raw<RestoreSummary | undefined>(undefined);
  readonly browser: FolderBrowser;
  readonly #parts: FolderParts;
  readonly #life = new AbortController();

  constructor(
    private readonly services: NodeServices,
    readonly cap: FolderReadCap,
    readonly name: string,
    grid: GridRef,
  ) {
    this.#parts = folderPartsOf(services);
    this.browser = new FolderBrowser(() => this.#parts.dirs, grid, this.#life.signal);
  }

  /** Whether this browser can write into a folder the person picks. */
  get canPickFolder(): boolean {
    return typeof (globalThis as PickerWindow).showDirectoryPicker === 'function';
  }

  async start(): Promise<void> {
    const signal = this.#life.signal;
    try {
      await this.services.joined(signal);
      this.text = 'Reading the folder…';
      await this.browser.reset({ name: this.name, cap: this.cap });
      if (this.browser.error !== undefined) throw new Error(this.browser.error);
      this.status = 'ready';
      this.text = 'Ready to restore.';
    } catch (error) {
      if (signal.aborted) return;
      this.status = 'failed';
      this.error = this.text = describeError(error, 'This folder cannot be opened');
    }
  }

  stop(): void {
    this.#life.abort();
  }

  /** Asks for a directory (call from a click: the picker needs the gesture), then restores into it. */
  async restoreToChosenFolder(): Promise<void> {
    const picker = (globalThis as PickerWindow).showDirectoryPicker;
    if (picker === undefined) return this.restoreAsZip();
    let handle: FileSystemDirectoryHandle;
    try {
      handle = await picker.call(globalThis, { mode: 'readwrite', id: 'bric-restore' });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') return; // the person closed the picker
      this.error = describeError(error, 'No folder to restore into');
      return;
    }
    await this.restoreInto(handle);
  }

  /** Restores the whole folder as a folder of its name inside `target`. */
  async restoreInto(target: FileSystemDirectoryHandle): Promise<void> {
    await this.#restore(async (signal) => {
      const summary = await restoreToDirectory(this.#parts, this.cap, target, { signal, name: this.name, onProgress: (p) => this.#onProgress(p) });
      this.summary = summary;
      return `Restored ${summary.files} files (${summary.bytes} bytes) into ${target.name || 'the chosen folder'}/${this.name}.`;
    });
  }

  /** Saves the whole folder as `<name>.zip`, streamed (memory stays one segment whatever the size). */
  async restoreAsZip(): Promise<void> {
    await this.#restore(async (signal) => {
      const summary = { files: 0, folders: 0, bytes: 0, skipped: [] as string[] };
      const entries = zipEntriesOf(this.#parts, this.cap, this.name, { signal, summary, onProgress: (p) => this.#onProgress(p) });
      await saveStream(`${this.name}.zip`, zipStream(entries, { signal }), { signal, type: 'application/zip' });
      this.summary = summary;
      return `Saved ${summary.files} files (${summary.bytes} bytes) as ${this.name}.zip.`;
    });
  }

  #onProgress(p: RestoreProgress): void {
    this.progress = p;
    this.text = p.current === '' ? `Restored ${p.filesDone} files.` : `Restoring ${p.current} (${p.filesDone} files done)…`;
  }

  async #restore(work: (signal: AbortSignal) => Promise<string>): Promise<void> {
    if (this.status === 'restoring') return;
    this.status = 'restoring';
    this.error = undefined;
    this.summary = undefined;
    this.text = 'Restoring…';
    try {
      const done = await work(this.#life.signal);
      this.status = 'restored';
      const skipped = (this.summary as RestoreSummary | undefined)?.skipped ?? [];
      this.text = skipped.length === 0 ? done : `${done} Left out: ${skipped.join('; ')}`;
    } catch (error) {
      this.status = 'ready';
      this.error = this.text = describeError(error, 'Restore failed');
    }
  }
}

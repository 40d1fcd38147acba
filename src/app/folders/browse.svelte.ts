/**
 * Browsing one folder tree (the runes part shared by the home view and a shared folder's view):
 * the path from the top as breadcrumbs, the current folder's entries as plain rows, and moving
 * down into a folder or back up. A listing that fails (entries that do not verify, shares
 * missing) leaves the last good listing in place and says why.
 * @module
 */
import { formatCap } from '../../core/cap/parse.js';
import type { DirectoryClient, DirEntry, ReadableDirCap } from '../../core/dirnode/directory.js';
import { readcapLink, type GridRef } from '../links.js';
import { describeError } from '../words.js';
import { isFolderCap } from './walk.js';

export interface Crumb {
  readonly name: string;
  readonly cap: ReadableDirCap;
}

export interface EntryRow {
  readonly name: string;
  readonly kind: 'folder' | 'file' | 'other';
  readonly size?: number;
  readonly mtime: number;
  /** A file's readcap link (opens the restore view); undefined for folders. */
  readonly link?: string;
  /** The entry's read-only cap text (shown on request). */
  readonly readcap: string;
}

export class FolderBrowser {
  crumbs = $state.raw<Crumb[]>([]);
  rows = $state.raw<EntryRow[]>([]);
  loading = $state(false);
  /** Why the last listing failed (the previous rows stay). */
  error = $state<string | undefined>(undefined);
  #entries: DirEntry[] = [];
  #seq = 0;

  constructor(
    private readonly dirs: () => DirectoryClient | undefined,
    private readonly grid: GridRef,
    private readonly signal: AbortSignal,
  ) {}

  get current(): ReadableDirCap | undefined {
    return this.crumbs.at(-1)?.cap;
  }

  /** Names of the folders from the top, without the top's own name. */
  get path(): string[] {
    return this.crumbs.slice(1).map((c) => c.name);
  }

  /** Whether this folder can be changed through the cap it was reached by. */
  get writable(): boolean {
    return this.current?.kind === 'dir';
  }

  /** Starts over at a top folder. */
  async reset(top: Crumb): Promise<void> {
    await this.#show([top]);
  }

  async open(name: string): Promise<void> {
    const dirs = this.dirs();
    const here = this.current;
    if (dirs === undefined || here === undefined) return;
    const entry = this.#entries.find((e) => e.name === name);
    if (entry === undefined || !isFolderCap(entry.readcap)) return;
    let cap: ReadableDirCap = entry.readcap;
    if (entry.hasWritecap && here.kind === 'dir') {
      try {
        const full = await dirs.get(here, name, { signal: this.signal });
        if (full.writecap !== undefined && isFolderCap(full.writecap)) cap = full.writecap;
      } catch (error) {
        this.error = describeError(error, `"${name}" could not be opened`);
        return;
      }
    }
    await this.#show([...this.crumbs, { name, cap }]);
  }

  /** Goes back to the crumb at `index` (0 = the top). */
  async goTo(index: number): Promise<void> {
    if (index < 0 || index >= this.crumbs.length) return;
    await this.#show(this.crumbs.slice(0, index + 1));
  }

  async refresh(): Promise<void> {
    if (this.crumbs.length > 0) await this.#show(this.crumbs);
  }

  /** The entry as listed (its caps), for actions on it. */
  entry(name: string): DirEntry | undefined {
    return this.#entries.find((e) => e.name === name);
  }

  async #show(crumbs: Crumb[]): Promise<void> {
    const dirs = this.dirs();
    const cap = crumbs.at(-1)?.cap;
    if (dirs === undefined || cap === undefined) return;
    const seq = ++this.#seq;
    this.loading = true;
    try {
      const entries = await dirs.list(cap, { signal: this.signal });
      if (seq !== this.#seq) return;
      this.#entries = entries;
      this.crumbs = crumbs;
      this.rows = entries.map((e) => this.#row(e));
      this.error = undefined;
    } catch (error) {
      if (seq !== this.#seq) return;
      const where = crumbs.map((c) => c.name).join('/');
      this.error = describeError(error, `The folder "${where}" could not be listed`);
    } finally {
      if (seq === this.#seq) this.loading = false;
    }
  }

  #row(e: DirEntry): EntryRow {
    const cap = e.readcap;
    const kind = isFolderCap(cap) ? 'folder' : cap.kind === 'chk' || cap.kind === 'lit' ? 'file' : 'other';
    return {
      name: e.name,
      kind,
      ...(e.metadata.size === undefined ? {} : { size: e.metadata.size }),
      mtime: e.metadata.mtime,
      ...(cap.kind === 'chk' || cap.kind === 'lit' ? { link: readcapLink(globalThis.location?.origin ?? '', this.grid, cap, e.name) } : {}),
      readcap: formatCap(cap),
    };
  }
}

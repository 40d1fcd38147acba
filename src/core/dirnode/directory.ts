/**
 * Directories (Tahoe's dirnode.py): a mutable directory is a mutable file of entries
 * (layout.ts); every change is a read-modify-write through MutableFileClient.modify, so two
 * writers' changes to one directory are merged, never lost. Names are checked before anything
 * is read or written; a read-only cap or a snapshot refuses every change; entries that fail to
 * parse or verify are a DirectoryFormatError. Immutable snapshots are CHK (or LIT) files of the
 * same layout, with readcaps only.
 * @module
 */
import { formatCap } from '../cap/parse.js';
import { isWriteCap, toReadOnlyCap } from '../cap/dir.js';
import type { Cap, ChkReadCap, DirChkCap, DirLitCap, DirReadCap, DirWriteCap, LitCap } from '../cap/types.js';
import type { MutableFileClient } from '../mutable/client.js';
import type { WallClock } from '../storage/share-store.js';
import { ChildExistsError, NoSuchChildError, ReadOnlyDirectoryError } from './errors.js';
import { assertChildReadcap, DIR_KIND_MUTABLE, DIR_KIND_SNAPSHOT, encodeDirectory, parseDirectory, type EntryMetadata, type StoredEntry } from './layout.js';
import { assertEntryName } from './names.js';
import { hideWritecap, unhideWritecap } from './writecap.js';

/** Immutable files as directories need them (snapshots): GridClient adapts to it (snapshot.ts). */
export interface ImmutableFiles {
  upload(contents: Uint8Array, opts: { signal: AbortSignal }): Promise<ChkReadCap | LitCap>;
  download(cap: ChkReadCap | LitCap, opts: { signal: AbortSignal }): Promise<Uint8Array>;
}

export interface DirectoryComponents {
  readonly mutable: MutableFileClient;
  /** Needed only for snapshots. */
  readonly immutable?: ImmutableFiles;
  /** Wall-clock time for entries' ctime and mtime. */
  readonly clock: WallClock;
}

/** What to put in an entry: a cap (a write cap is stored as its readcap plus the hidden writecap) and metadata. */
export interface ChildSpec {
  readonly cap: Cap;
  /** Bytes of the child; taken from a CHK or LIT cap when not given. */
  readonly size?: number;
  /** @default now (or the replaced entry's ctime) */
  readonly ctime?: number;
  /** @default now */
  readonly mtime?: number;
}

/** An entry as a caller sees it. */
export interface DirEntry {
  readonly name: string;
  readonly readcap: Cap;
  /** The child's writecap: given by get() to writers of this directory, when the child has one. */
  readonly writecap?: Cap;
  /** Whether a writecap is stored for the child (its writers can have it). */
  readonly hasWritecap: boolean;
  readonly metadata: EntryMetadata;
}

export type ReadableDirCap = DirWriteCap | DirReadCap | DirChkCap | DirLitCap;

interface Opts {
  signal: AbortSignal;
}

export class DirectoryClient {
  readonly #c: DirectoryComponents;

  constructor(components: DirectoryComponents) {
    this.#c = components;
  }

  /** A new, empty (or pre-filled) mutable directory. */
  async create(opts: Opts, children: ReadonlyMap<string, ChildSpec> = new Map()): Promise<DirWriteCap> {
    for (const [name, spec] of children) {
      assertEntryName(name);
      assertChildReadcap(toReadOnlyCap(spec.cap), DIR_KIND_MUTABLE, name);
    }
    const now = this.#c.clock.now();
    const file = await this.#c.mutable.create((cap) => {
      const entries = [...children].map(([name, spec]) => this.#stored(cap.writeKey, name, spec, undefined, now));
      return encodeDirectory(DIR_KIND_MUTABLE, entries);
    }, opts);
    return { kind: 'dir', file };
  }

  /** Every entry, in name order (writecaps stay hidden; get() opens one). */
  async list(cap: ReadableDirCap, opts: Opts): Promise<DirEntry[]> {
    return (await this.#read(cap, opts)).map((e) => view(e));
  }

  /** One entry, with its writecap when this cap can open it. @throws NoSuchChildError */
  async get(cap: ReadableDirCap, name: string, opts: Opts): Promise<DirEntry> {
    assertEntryName(name);
    const entry = (await this.#read(cap, opts)).find((e) => e.name === name);
    if (entry === undefined) throw new NoSuchChildError(`there is no entry ${JSON.stringify(name)} in this directory`);
    if (cap.kind !== 'dir' || entry.hiddenWritecap === undefined) return view(entry);
    return { ...view(entry), writecap: unhideWritecap(cap.file.writeKey, entry.hiddenWritecap, entry.readcap, name) };
  }

  /** Adds or (unless `overwrite` is false) replaces an entry. Returns the entry as stored. */
  async set(cap: ReadableDirCap, name: string, child: ChildSpec, opts: Opts & { overwrite?: boolean }): Promise<DirEntry> {
    const dir = writable(cap);
    assertEntryName(name);
    assertChildReadcap(toReadOnlyCap(child.cap), DIR_KIND_MUTABLE, name);
    let stored: StoredEntry | undefined;
    await this.#modify(dir, (entries) => {
      const old = entries.find((e) => e.name === name);
      if (old !== undefined && opts.overwrite === false) throw new ChildExistsError(`an entry ${JSON.stringify(name)} exists already`);
      stored = this.#stored(dir.file.writeKey, name, child, old, this.#c.clock.now());
      return [...entries.filter((e) => e.name !== name), stored];
    }, opts);
    return view(stored!);
  }

  /** Makes a new, empty directory and links it as `name`. @throws ChildExistsError (nothing is linked) */
  async mkdir(cap: ReadableDirCap, name: string, opts: Opts): Promise<DirWriteCap> {
    writable(cap);
    assertEntryName(name);
    const child = await this.create(opts);
    await this.set(cap, name, { cap: child }, { ...opts, overwrite: false });
    return child;
  }

  /** Removes an entry and returns what it was. @throws NoSuchChildError */
  async delete(cap: ReadableDirCap, name: string, opts: Opts): Promise<DirEntry> {
    const dir = writable(cap);
    assertEntryName(name);
    let removed: StoredEntry | undefined;
    await this.#modify(dir, (entries) => {
      removed = entries.find((e) => e.name === name);
      if (removed === undefined) throw new NoSuchChildError(`there is no entry ${JSON.stringify(name)} in this directory`);
      return entries.filter((e) => e !== removed);
    }, opts);
    return view(removed!);
  }

  /** Renames an entry in one change. The target name is replaced only with `overwrite: true`. */
  async rename(cap: ReadableDirCap, from: string, to: string, opts: Opts & { overwrite?: boolean }): Promise<void> {
    const dir = writable(cap);
    assertEntryName(from);
    assertEntryName(to);
    if (from === to) return;
    await this.#modify(dir, (entries) => {
      const entry = entries.find((e) => e.name === from);
      if (entry === undefined) throw new NoSuchChildError(`there is no entry ${JSON.stringify(from)} in this directory`);
      if (opts.overwrite !== true && entries.some((e) => e.name === to)) throw new ChildExistsError(`an entry ${JSON.stringify(to)} exists already`);
      const moved = { ...entry, name: to, metadata: { ...entry.metadata, mtime: this.#c.clock.now() } };
      return [...entries.filter((e) => e.name !== from && e.name !== to), moved];
    }, opts);
  }

  /**
   * Moves an entry to another directory (Tahoe's move_child_to): linked in the target first,
   * then unlinked from the source only if it still names the same child, so a failure half-way
   * leaves the child in both places, never in neither.
   */
  async move(from: ReadableDirCap, name: string, to: ReadableDirCap, opts: Opts & { newName?: string; overwrite?: boolean }): Promise<void> {
    const source = writable(from);
    const target = writable(to);
    const newName = opts.newName ?? name;
    assertEntryName(name);
    assertEntryName(newName);
    if (formatCap(source) === formatCap(target)) return this.rename(source, name, newName, opts);
    const entry = await this.get(source, name, opts);
    const { size, ctime } = entry.metadata;
    await this.set(target, newName, { cap: entry.writecap ?? entry.readcap, ...(size === undefined ? {} : { size }), ctime }, { ...opts, overwrite: opts.overwrite ?? false });
    const movedCap = formatCap(entry.readcap);
    await this.#modify(source, (entries) => {
      const still = entries.find((e) => e.name === name && formatCap(e.readcap) === movedCap);
      return still === undefined ? undefined : entries.filter((e) => e !== still);
    }, opts);
  }

  /** An immutable snapshot of `children` (deep-immutable caps only): a DIR1-CHK cap, or DIR1-LIT when tiny. */
  async snapshot(children: ReadonlyMap<string, ChildSpec>, opts: Opts): Promise<DirChkCap | DirLitCap> {
    const immutable = this.#immutable();
    const now = this.#c.clock.now();
    const entries = [...children].map(([name, spec]): StoredEntry => {
      assertEntryName(name);
      assertChildReadcap(spec.cap, DIR_KIND_SNAPSHOT, name);
      return { name, readcap: spec.cap, metadata: metadataOf(spec, undefined, now) };
    });
    const file = await immutable.upload(encodeDirectory(DIR_KIND_SNAPSHOT, entries), opts);
    return file.kind === 'lit' ? { kind: 'dir-lit', file } : { kind: 'dir-chk', file };
  }

  async #read(cap: ReadableDirCap, opts: Opts): Promise<StoredEntry[]> {
    switch (cap?.kind) {
      case 'dir':
      case 'dir-ro':
        return parseDirectory((await this.#c.mutable.retrieve(cap.file, opts)).contents, DIR_KIND_MUTABLE);
      case 'dir-chk':
      case 'dir-lit':
        return parseDirectory(await this.#immutable().download(cap.file, opts), DIR_KIND_SNAPSHOT);
      default:
        throw new TypeError('"cap" expected a directory cap that can read (a verify cap only checks)');
    }
  }

  async #modify(dir: DirWriteCap, change: (entries: StoredEntry[]) => StoredEntry[] | undefined, opts: Opts): Promise<void> {
    await this.#c.mutable.modify(dir.file, (old) => {
      const next = change(parseDirectory(old, DIR_KIND_MUTABLE));
      return next === undefined ? undefined : encodeDirectory(DIR_KIND_MUTABLE, next);
    }, opts);
  }

  #stored(dirWriteKey: Uint8Array, name: string, spec: ChildSpec, old: StoredEntry | undefined, now: number): StoredEntry {
    const cap = spec.cap;
    const readcap = toReadOnlyCap(cap);
    return {
      name,
      readcap,
      ...(isWriteCap(cap) ? { hiddenWritecap: hideWritecap(dirWriteKey, cap) } : {}),
      metadata: metadataOf(spec, old, now),
    };
  }

  #immutable(): ImmutableFiles {
    if (this.#c.immutable === undefined) throw new TypeError('snapshots need "immutable" in the DirectoryClient components');
    return this.#c.immutable;
  }
}

function metadataOf(spec: ChildSpec, old: StoredEntry | undefined, now: number): EntryMetadata {
  const cap = spec.cap;
  const size = spec.size ?? (cap.kind === 'chk' ? cap.size : cap.kind === 'lit' ? cap.data.length : undefined);
  return { ...(size === undefined ? {} : { size }), ctime: spec.ctime ?? old?.metadata.ctime ?? now, mtime: spec.mtime ?? now };
}

function view(e: StoredEntry): DirEntry {
  return { name: e.name, readcap: e.readcap, hasWritecap: e.hiddenWritecap !== undefined, metadata: e.metadata };
}

/** The write cap of a directory that may change, or a ReadOnlyDirectoryError in words. */
function writable(cap: ReadableDirCap): DirWriteCap {
  if (cap?.kind === 'dir') return cap;
  if (cap?.kind === 'dir-ro') throw new ReadOnlyDirectoryError('this is a read-only directory cap: it can list the directory but not change it');
  if (cap?.kind === 'dir-chk' || cap?.kind === 'dir-lit') throw new ReadOnlyDirectoryError('this is an immutable snapshot: it can never change');
  throw new ReadOnlyDirectoryError('this cap cannot change a directory');
}

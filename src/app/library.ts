/**
 * The person's files list ("library"): every file they uploaded to a grid, by name, size, date
 * and readcap. Caps are the only key to the data (Tahoe's advice to keep track of them), so the
 * list is kept in IndexedDB per grid and can be exported to a JSON file and imported again.
 * This file holds the records, the store port and the export/import format; the runes state
 * that the files view shows is library.svelte.ts.
 * Export format (version 1): { format: "bric-files", version: 1, grid, exported, files: [{ name, size, added, cap, link }] }.
 * @module
 */
import { formatCap, parseCap } from '../core/cap/parse.js';
import { toVerifyCap } from '../core/cap/chk.js';
import type { ChkReadCap, LitCap } from '../core/cap/types.js';
import { LinkError } from './errors.js';
import { cleanFileName, readcapLink, type GridRef } from './links.js';

/** One file the person uploaded, as stored. */
export interface LibraryRecord {
  readonly v: 1;
  /** Set by the store. */
  readonly id?: number;
  /** The grid's room id (a hash of its secret): lists of different grids never mix. */
  readonly grid: string;
  readonly name: string;
  readonly size: number;
  /** The readcap text (URI:BRIC-CHK1:… or URI:BRIC-LIT1:…). */
  readonly cap: string;
  /** When it was uploaded (ms since 1970). */
  readonly added: number;
}

/** Where the list lives (IndexedDB in the app: adapters/idb/library-store.ts; memory in tests). */
export interface LibraryStore {
  list(grid: string): Promise<LibraryRecord[]>;
  /** Adds records in one transaction; returns them with their ids. */
  add(records: readonly LibraryRecord[]): Promise<LibraryRecord[]>;
  remove(id: number): Promise<void>;
}

export const LIBRARY_FORMAT = 'bric-files';
export const LIBRARY_VERSION = 1;
/** An import larger than this is not a files list (a list of 100 000 files is ~25 MB of JSON). */
export const MAX_IMPORT_FILES = 100_000;
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;

export class LibraryImportError extends LinkError {
  override name = 'LibraryImportError';
}

/** A list kept in memory (tests, and a browser whose IndexedDB cannot open). */
export class MemoryLibraryStore implements LibraryStore {
  readonly #records = new Map<number, LibraryRecord>();
  #next = 1;

  async list(grid: string): Promise<LibraryRecord[]> {
    return [...this.#records.values()].filter((r) => r.grid === grid);
  }

  async add(records: readonly LibraryRecord[]): Promise<LibraryRecord[]> {
    return records.map((r) => {
      const saved = { ...r, id: this.#next++ };
      this.#records.set(saved.id, saved);
      return saved;
    });
  }

  async remove(id: number): Promise<void> {
    this.#records.delete(id);
  }
}

/** The size a readcap names. */
export function capSize(cap: ChkReadCap | LitCap): number {
  return cap.kind === 'lit' ? cap.data.length : cap.size;
}

/** Parses a readcap's text; LinkError in words for a verify cap or anything else. */
export function parseReadCapText(text: string): ChkReadCap | LitCap {
  let cap;
  try {
    cap = parseCap(text);
  } catch (error) {
    throw new LibraryImportError(`its cap is broken: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (cap.kind === 'chk' || cap.kind === 'lit') return cap;
  throw new LibraryImportError(cap.kind === 'chk-verifier' ? 'it holds a verify cap, which cannot read the file' : `it holds a ${cap.kind} cap, not a file's readcap`);
}

/** The verify cap of a readcap's text (checks the file without reading it); undefined for LIT files (their data is in the cap). */
export function verifyCapOf(capText: string): string | undefined {
  const cap = parseReadCapText(capText);
  return cap.kind === 'chk' ? formatCap(toVerifyCap(cap)) : undefined;
}

/** The readcap link of a record in its grid. */
export function linkOf(record: Pick<LibraryRecord, 'cap' | 'name'>, origin: string, grid: GridRef): string {
  return readcapLink(origin, grid, parseReadCapText(record.cap), record.name);
}

/** The JSON text of an export of `records`. */
export function exportLibrary(records: readonly LibraryRecord[], origin: string, grid: GridRef, now: number): string {
  const files = records.map((r) => ({ name: r.name, size: r.size, added: new Date(r.added).toISOString(), cap: r.cap, link: linkOf(r, origin, grid) }));
  return `${JSON.stringify({ format: LIBRARY_FORMAT, version: LIBRARY_VERSION, grid: grid.id, exported: new Date(now).toISOString(), files }, null, 2)}\n`;
}

/**
 * Reads an exported list for grid `gridRoom`: every entry is checked (its cap parsed, its size the
 * cap's), and one bad entry refuses the whole file (LibraryImportError saying which and why), so
 * an import changes nothing or adds every file. Links are rebuilt from the caps, never taken
 * from the file. Names are cleaned as links clean them.
 */
export function parseLibraryImport(text: string, gridRoom: string, now: number): { records: LibraryRecord[]; grid?: string } {
  if (text.length > MAX_IMPORT_BYTES) throw new LibraryImportError('this file is too large to be a bric files list');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new LibraryImportError('this file is not a bric files list (it is not JSON)');
  }
  if (typeof data !== 'object' || data === null || (data as { format?: unknown }).format !== LIBRARY_FORMAT) {
    throw new LibraryImportError('this file is not a bric files list (it has no "format": "bric-files")');
  }
  const { version, files, grid } = data as { version?: unknown; files?: unknown; grid?: unknown };
  if (version !== LIBRARY_VERSION) throw new LibraryImportError(`this files list is version ${String(version)}; this bric reads version ${LIBRARY_VERSION}`);
  if (!Array.isArray(files)) throw new LibraryImportError('this files list has no "files" array');
  if (files.length > MAX_IMPORT_FILES) throw new LibraryImportError(`this files list has ${files.length} files; at most ${MAX_IMPORT_FILES} can be imported at once`);
  const records = files.map((entry: unknown, i): LibraryRecord => {
    const where = `file ${i + 1}`;
    if (typeof entry !== 'object' || entry === null) throw new LibraryImportError(`${where} of the list is not an object`);
    const { name, size, cap, added } = entry as { name?: unknown; size?: unknown; cap?: unknown; added?: unknown };
    if (typeof cap !== 'string') throw new LibraryImportError(`${where} of the list has no cap`);
    let parsed;
    try {
      parsed = parseReadCapText(cap);
    } catch (error) {
      throw new LibraryImportError(`${where} of the list cannot be used: ${(error as Error).message}`, { cause: error });
    }
    if (size !== undefined && size !== capSize(parsed)) throw new LibraryImportError(`${where} of the list says ${String(size)} bytes but its cap says ${capSize(parsed)}`);
    const when = typeof added === 'string' ? Date.parse(added) : Number.NaN;
    return {
      v: 1,
      grid: gridRoom,
      name: cleanFileName(typeof name === 'string' ? name : 'bric-file'),
      size: capSize(parsed),
      cap: formatCap(parsed),
      added: Number.isFinite(when) ? when : now,
    };
  });
  return { records, ...(typeof grid === 'string' ? { grid: grid.slice(0, 64) } : {}) };
}

/**
 * Walking a directory tree on the grid, depth first, for restore and backup: yields each folder
 * and each immutable file under a directory cap with its path. A folder inside itself (directories
 * may link each other in a cycle) is skipped there; the same folder at two places is walked at
 * both (identical snapshots share a cap). Mutable files are reported as skipped: bric's app has no
 * mutable-file reader yet. At most MAX_WALK_FOLDERS folders are listed, against a hostile DAG.
 * @module
 */
import { toReadOnlyCap } from '../../core/cap/dir.js';
import { formatCap } from '../../core/cap/parse.js';
import type { ChkReadCap, LitCap } from '../../core/cap/types.js';
import type { DirEntry, DirectoryClient, ReadableDirCap } from '../../core/dirnode/directory.js';
import { MAX_FOLDER_DEPTH } from './local-tree.js';

/** Folders one walk lists at most (a tree of shared sub-folders could otherwise grow without end). */
export const MAX_WALK_FOLDERS = 100_000;

export type TreeItem =
  | { readonly kind: 'dir'; readonly path: readonly string[]; readonly cap: ReadableDirCap; readonly entry?: DirEntry; readonly entries: readonly DirEntry[] }
  | { readonly kind: 'file'; readonly path: readonly string[]; readonly cap: ChkReadCap | LitCap; readonly entry: DirEntry }
  | { readonly kind: 'skipped'; readonly path: readonly string[]; readonly why: string };

/** Whether an entry's cap is a folder this can list. */
export function isFolderCap(cap: { kind: string }): cap is ReadableDirCap {
  return cap.kind === 'dir' || cap.kind === 'dir-ro' || cap.kind === 'dir-chk' || cap.kind === 'dir-lit';
}

/** Every folder (the top one first, path []) and file under `cap`, parents before children. */
export async function* walkTree(dirs: DirectoryClient, cap: ReadableDirCap, opts: { signal: AbortSignal }): AsyncGenerator<TreeItem> {
  const ancestors = new Set<string>();
  let listed = 0;
  async function* walk(dir: ReadableDirCap, path: readonly string[], entry: DirEntry | undefined): AsyncGenerator<TreeItem> {
    opts.signal.throwIfAborted();
    const key = formatCap(toReadOnlyCap(dir)); // a folder is itself whichever cap reached it
    if (ancestors.has(key)) {
      yield { kind: 'skipped', path, why: 'this folder appears higher up in the tree (a cycle), so it is restored once' };
      return;
    }
    if (path.length > MAX_FOLDER_DEPTH) {
      yield { kind: 'skipped', path, why: `it is more than ${MAX_FOLDER_DEPTH} folders deep` };
      return;
    }
    if (++listed > MAX_WALK_FOLDERS) {
      yield { kind: 'skipped', path, why: `the walk stopped after ${MAX_WALK_FOLDERS} folders` };
      return;
    }
    const entries = await dirs.list(dir, opts);
    yield { kind: 'dir', path, cap: dir, ...(entry === undefined ? {} : { entry }), entries };
    ancestors.add(key);
    for (const e of entries) {
      const childPath = [...path, e.name];
      const child = e.readcap;
      if (child.kind === 'chk' || child.kind === 'lit') yield { kind: 'file', path: childPath, cap: child, entry: e };
      else if (isFolderCap(child)) yield* walk(child, childPath, e);
      else yield { kind: 'skipped', path: childPath, why: `it is a ${child.kind} cap, not an immutable file or a folder` };
    }
    ancestors.delete(key);
  }
  yield* walk(cap, [], undefined);
}

/** The size of a file cap in bytes. */
export function fileCapSize(cap: ChkReadCap | LitCap): number {
  return cap.kind === 'lit' ? cap.data.length : cap.size;
}

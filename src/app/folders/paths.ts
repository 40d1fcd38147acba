/**
 * Paths of folder names under a writable directory (home): resolving one to the folder's write
 * cap, and making the folders that are missing on the way (as `mkdir -p`). A name on the way
 * that is a file, or a folder linked read-only, is an error that names it; nothing is made then.
 * @module
 */
import type { DirWriteCap } from '../../core/cap/types.js';
import type { DirectoryClient, ReadableDirCap } from '../../core/dirnode/directory.js';
import { NoSuchChildError, ReadOnlyDirectoryError } from '../../core/dirnode/errors.js';
import { FolderCapError } from './errors.js';
import { isFolderCap } from './walk.js';

/** Splits "a/b/c" (or "/a/b/") into its names. */
export function splitPath(text: string): string[] {
  return text
    .split('/')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** The cap of the folder at `path` under `root`: its writecap when it has one here, else its readcap. */
export async function resolveFolder(dirs: DirectoryClient, root: ReadableDirCap, path: readonly string[], opts: { signal: AbortSignal }): Promise<ReadableDirCap> {
  let cap = root;
  for (let i = 0; i < path.length; i++) {
    const entry = await dirs.get(cap, path[i]!, opts);
    const next = entry.writecap ?? entry.readcap;
    if (!isFolderCap(next)) throw new FolderCapError(`"${path.slice(0, i + 1).join('/')}" is a file, not a folder`);
    cap = next;
  }
  return cap;
}

/** The writable folder at `path` under `root`, making the missing ones. */
export async function ensureFolder(dirs: DirectoryClient, root: DirWriteCap, path: readonly string[], opts: { signal: AbortSignal }): Promise<DirWriteCap> {
  let cap: DirWriteCap = root;
  for (let i = 0; i < path.length; i++) {
    const name = path[i]!;
    const shown = path.slice(0, i + 1).join('/');
    let next: ReadableDirCap | undefined;
    try {
      const entry = await dirs.get(cap, name, opts);
      const found = entry.writecap ?? entry.readcap;
      if (!isFolderCap(found)) throw new FolderCapError(`"${shown}" is a file, not a folder`);
      next = found;
    } catch (error) {
      if (!(error instanceof NoSuchChildError)) throw error;
    }
    if (next === undefined) next = await dirs.mkdir(cap, name, opts);
    if (next.kind !== 'dir') throw new ReadOnlyDirectoryError(`"${shown}" is linked read-only here, so nothing can be put in it`);
    cap = next;
  }
  return cap;
}

/**
 * A local folder as a tree of entry names, checked before anything is uploaded: every name is
 * normalised to NFC (macOS gives NFD) and must be a valid entry name (core/dirnode/names.ts); two
 * names that become the same, or a file and a folder of one name, are refused, naming the path.
 * @module
 */
import { assertEntryName } from '../../core/dirnode/names.js';
import { MAX_DIR_ENTRIES } from '../../core/limits.js';
import { LocalFolderError } from './errors.js';
import type { LocalFolder } from './local-folder.js';

/** Folders deeper than this are refused (a restore recurses as deep; file systems stop near here too). */
export const MAX_FOLDER_DEPTH = 64;

export interface LocalTree {
  readonly files: Map<string, File>;
  readonly dirs: Map<string, LocalTree>;
}

export function emptyTree(): LocalTree {
  return { files: new Map(), dirs: new Map() };
}

/** The folder's tree (its own name is not part of it). @throws LocalFolderError before anything changes */
export function buildLocalTree(folder: LocalFolder): LocalTree {
  const root = emptyTree();
  const dirAt = (path: readonly string[]): LocalTree => {
    if (path.length > MAX_FOLDER_DEPTH) throw new LocalFolderError(`"${path.join('/')}" is more than ${MAX_FOLDER_DEPTH} folders deep`);
    let node = root;
    for (let i = 0; i < path.length; i++) {
      const name = checkName(path[i]!, path.slice(0, i + 1));
      if (node.files.has(name)) throw new LocalFolderError(`"${path.slice(0, i + 1).join('/')}" is both a file and a folder`);
      let next = node.dirs.get(name);
      if (next === undefined) {
        next = emptyTree();
        node.dirs.set(name, next);
        assertCount(node, path.slice(0, i));
      }
      node = next;
    }
    return node;
  };
  for (const dir of folder.dirs) dirAt(dir);
  for (const { path, file } of folder.files) {
    if (path.length === 0) throw new LocalFolderError('a file without a name was chosen');
    const parent = dirAt(path.slice(0, -1));
    const name = checkName(path[path.length - 1]!, path);
    if (parent.files.has(name) || parent.dirs.has(name)) {
      throw new LocalFolderError(`two entries are named "${path.join('/')}" once their names are normalised (NFC)`);
    }
    parent.files.set(name, file);
    assertCount(parent, path.slice(0, -1));
  }
  return root;
}

/** Files and their bytes, over the whole tree. */
export function treeTotals(tree: LocalTree): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const f of tree.files.values()) (files++, (bytes += f.size));
  for (const d of tree.dirs.values()) {
    const t = treeTotals(d);
    files += t.files;
    bytes += t.bytes;
  }
  return { files, bytes };
}

function checkName(raw: string, path: readonly string[]): string {
  const name = raw.normalize('NFC');
  try {
    assertEntryName(name);
  } catch (error) {
    throw new LocalFolderError(`"${path.join('/')}" cannot be stored: ${(error as Error).message}`, { cause: error });
  }
  return name;
}

function assertCount(node: LocalTree, path: readonly string[]): void {
  if (node.files.size + node.dirs.size > MAX_DIR_ENTRIES) {
    throw new LocalFolderError(`the folder "${path.join('/') || '.'}" has more than ${MAX_DIR_ENTRIES} entries, more than one directory holds`);
  }
}

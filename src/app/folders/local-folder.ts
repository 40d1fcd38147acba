/**
 * A local folder as the person chose it, from any of the three ways a browser gives one: an
 * `<input type=file webkitdirectory>` (files with webkitRelativePath; empty folders are not
 * reported), a FileSystemDirectoryHandle (showDirectoryPicker, or OPFS in tests), or a folder
 * dropped on the page (DataTransferItem.webkitGetAsEntry). Paths are relative to the folder.
 * @module
 */
import { LocalFolderError } from './errors.js';

export interface LocalFile {
  /** Path inside the folder: the folders, then the file's name. */
  readonly path: readonly string[];
  readonly file: File;
}

export interface LocalFolder {
  /** The folder's own name. */
  readonly name: string;
  readonly files: readonly LocalFile[];
  /** Every folder inside it (so empty ones are kept too, where the browser reports them). */
  readonly dirs: readonly (readonly string[])[];
}

/** From a webkitdirectory input's files: the first part of each relative path is the folder. */
export function folderFromFileList(list: Iterable<File>): LocalFolder {
  const files: LocalFile[] = [];
  let name: string | undefined;
  for (const file of list) {
    const parts = (file.webkitRelativePath || file.name).split('/').filter((p) => p.length > 0);
    if (parts.length < 2) throw new LocalFolderError(`"${file.name}" was not chosen as part of a folder`);
    name ??= parts[0]!;
    files.push({ path: parts.slice(1), file });
  }
  if (name === undefined) throw new LocalFolderError('the chosen folder is empty (browsers do not report empty folders from this picker)');
  return { name, files, dirs: [] };
}

/** Reads a directory handle's whole tree (files are opened lazily: only their metadata is read here). */
export async function folderFromHandle(handle: FileSystemDirectoryHandle, opts: { signal: AbortSignal }): Promise<LocalFolder> {
  const files: LocalFile[] = [];
  const dirs: string[][] = [];
  const walk = async (dir: FileSystemDirectoryHandle, path: string[]): Promise<void> => {
    // `values()` is in Chromium's FileSystemDirectoryHandle; TypeScript's DOM lib lacks it.
    for await (const child of (dir as unknown as { values(): AsyncIterable<FileSystemHandle> }).values()) {
      opts.signal.throwIfAborted();
      if (child.kind === 'file') files.push({ path: [...path, child.name], file: await (child as FileSystemFileHandle).getFile() });
      else {
        dirs.push([...path, child.name]);
        await walk(child as FileSystemDirectoryHandle, [...path, child.name]);
      }
    }
  };
  await walk(handle, []);
  return { name: handle.name, files, dirs };
}

/**
 * The folders (and loose files) dropped on the page. Call it inside the drop handler: the
 * entries must be taken from the DataTransfer before the event returns.
 */
export function droppedEntries(items: DataTransferItemList): FileSystemEntry[] {
  const entries: FileSystemEntry[] = [];
  for (const item of items) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry();
    if (entry !== null) entries.push(entry);
  }
  return entries;
}

/** A dropped folder's tree. */
export async function folderFromEntry(root: FileSystemDirectoryEntry, opts: { signal: AbortSignal }): Promise<LocalFolder> {
  const files: LocalFile[] = [];
  const dirs: string[][] = [];
  const walk = async (dir: FileSystemDirectoryEntry, path: string[]): Promise<void> => {
    const reader = dir.createReader();
    for (;;) {
      // readEntries gives a batch (100 in Chromium) per call, and [] at the end.
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) break;
      for (const entry of batch) {
        opts.signal.throwIfAborted();
        if (entry.isFile) {
          const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
          files.push({ path: [...path, entry.name], file });
        } else if (entry.isDirectory) {
          dirs.push([...path, entry.name]);
          await walk(entry as FileSystemDirectoryEntry, [...path, entry.name]);
        }
      }
    }
  };
  await walk(root, []);
  return { name: root.name, files, dirs };
}

/** A dropped file (not a folder). */
export function fileFromEntry(entry: FileSystemFileEntry): Promise<File> {
  return new Promise<File>((resolve, reject) => entry.file(resolve, reject));
}

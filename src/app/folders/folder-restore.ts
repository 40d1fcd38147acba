/**
 * Restoring a folder from the grid: into a chosen directory through the File System Access API
 * (each file streamed into its own writable, which Chromium moves into place only on close, so a
 * failed file leaves no half copy), or as a stream of zip entries for the zip writer. Every byte
 * is verified by the grid client before it is written.
 * @module
 */
import type { DirectoryClient, ReadableDirCap } from '../../core/dirnode/directory.js';
import { FolderRestoreError } from './errors.js';
import type { FolderParts } from './parts.js';
import { fileCapSize, walkTree } from './walk.js';
import type { ZipEntryInput } from './zip.js';

export interface RestoreProgress {
  readonly filesDone: number;
  readonly bytesDone: number;
  /** The file being restored now ('' between files). */
  readonly current: string;
}

export interface RestoreSummary {
  readonly files: number;
  readonly folders: number;
  readonly bytes: number;
  /** Entries left out, with why. */
  readonly skipped: readonly string[];
}

interface Opts {
  signal: AbortSignal;
  onProgress?(progress: RestoreProgress): void;
}

/** Writes the folder's tree into `target` (as a folder named `name` inside it, or straight in when name is undefined). */
export async function restoreToDirectory(
  parts: Pick<FolderParts, 'dirs' | 'download'>,
  cap: ReadableDirCap,
  target: FileSystemDirectoryHandle,
  opts: Opts & { name?: string },
): Promise<RestoreSummary> {
  const { signal } = opts;
  const handles = new Map<string, FileSystemDirectoryHandle>();
  const root = opts.name === undefined ? target : await target.getDirectoryHandle(opts.name, { create: true });
  handles.set('', root);
  let files = 0;
  let folders = 0;
  let bytes = 0;
  const skipped: string[] = [];
  for await (const item of walkTree(parts.dirs, cap, { signal })) {
    const shown = item.path.join('/');
    if (item.kind === 'skipped') {
      skipped.push(`${shown}: ${item.why}`);
      continue;
    }
    const parent = handles.get(item.path.slice(0, -1).join('/'));
    if (item.kind === 'dir') {
      if (item.path.length === 0) continue;
      if (parent === undefined) throw new FolderRestoreError(`the folder of "${shown}" was not made`);
      handles.set(shown, await attempt(shown, () => parent.getDirectoryHandle(item.path.at(-1)!, { create: true })));
      folders++;
      continue;
    }
    if (parent === undefined) throw new FolderRestoreError(`the folder of "${shown}" was not made`);
    opts.onProgress?.({ filesDone: files, bytesDone: bytes, current: shown });
    const handle = await attempt(shown, () => parent.getFileHandle(item.path.at(-1)!, { create: true }));
    const writable = await attempt(shown, () => handle.createWritable({ keepExistingData: false }));
    try {
      for await (const chunk of parts.download(item.cap, { signal })) {
        await writable.write(chunk as Uint8Array<ArrayBuffer>);
        bytes += chunk.length;
        opts.onProgress?.({ filesDone: files, bytesDone: bytes, current: shown });
      }
      await writable.close();
    } catch (error) {
      await writable.abort().catch(() => undefined);
      throw new FolderRestoreError(`restoring "${shown}" failed: ${(error as Error).message}`, { cause: error });
    }
    files++;
  }
  opts.onProgress?.({ filesDone: files, bytesDone: bytes, current: '' });
  return { files, folders, bytes, skipped };
}

/**
 * The folder's entries for the zip writer, under a top folder `name/`: folders as directory
 * entries, files opened (downloaded) only when the writer reaches them. `summary` fills as it goes.
 */
export async function* zipEntriesOf(
  parts: Pick<FolderParts, 'download'> & { dirs: DirectoryClient },
  cap: ReadableDirCap,
  name: string,
  opts: Opts & { summary?: { files: number; folders: number; bytes: number; skipped: string[] } },
): AsyncGenerator<ZipEntryInput> {
  const { signal } = opts;
  const summary = opts.summary ?? { files: 0, folders: 0, bytes: 0, skipped: [] };
  for await (const item of walkTree(parts.dirs, cap, { signal })) {
    const path = [name, ...item.path].join('/');
    if (item.kind === 'skipped') {
      summary.skipped.push(`${item.path.join('/')}: ${item.why}`);
      continue;
    }
    if (item.kind === 'dir') {
      summary.folders += item.path.length > 0 ? 1 : 0;
      yield { path: `${path}/`, size: 0, mtime: item.entry?.metadata.mtime ?? Date.now() };
      continue;
    }
    const size = fileCapSize(item.cap);
    const fileCap = item.cap;
    yield {
      path,
      size,
      mtime: item.entry.metadata.mtime,
      data: async function* (o) {
        opts.onProgress?.({ filesDone: summary.files, bytesDone: summary.bytes, current: item.path.join('/') });
        for await (const chunk of parts.download(fileCap, o)) {
          summary.bytes += chunk.length;
          opts.onProgress?.({ filesDone: summary.files, bytesDone: summary.bytes, current: item.path.join('/') });
          yield chunk;
        }
        summary.files++;
      },
    };
  }
}

async function attempt<T>(shown: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new FolderRestoreError(`"${shown}" could not be written to the chosen folder: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Backup (Tahoe's `tahoe backup`): a local folder is snapshotted into
 * `<target>/Archives/<ISO time>` as immutable directories, and `<target>/Latest` is pointed at the
 * newest. A file whose path, size and modification time match the previous snapshot reuses that
 * snapshot's cap without being read; any other file is uploaded convergently, so bytes the grid
 * holds already (same person, same contents) are not sent again: the servers answer alreadyHave.
 * A folder whose entries are all unchanged reuses its previous snapshot cap as well, so a second
 * backup of an unchanged folder uploads nothing but the two directory entries that name it.
 * @module
 */
import { formatCap } from '../../core/cap/parse.js';
import type { DirChkCap, DirLitCap, DirWriteCap } from '../../core/cap/types.js';
import type { ChildSpec, DirEntry } from '../../core/dirnode/directory.js';
import { ChildExistsError, NoSuchChildError } from '../../core/dirnode/errors.js';
import { blobFileSource } from '../blob-source.js';
import { FolderCapError } from './errors.js';
import type { LocalFolder } from './local-folder.js';
import { buildLocalTree, treeTotals, type LocalTree } from './local-tree.js';
import type { FolderParts } from './parts.js';
import { ensureFolder } from './paths.js';
import { forEachLimit } from './pool.js';
import { FOLDER_UPLOAD_CONCURRENCY } from './folder-upload.js';
import { walkTree } from './walk.js';

export interface BackupProgress {
  readonly phase: 'reading previous' | 'uploading' | 'snapshotting' | 'linking';
  readonly filesDone: number;
  readonly filesTotal: number;
}

export interface BackupReport {
  /** The archive's name under Archives (an ISO 8601 time, UTC). */
  readonly archive: string;
  readonly snapshot: DirChkCap | DirLitCap;
  readonly filesTotal: number;
  /** Files whose path, size and modification time matched the previous snapshot: not read at all. */
  readonly filesReused: number;
  /** Files read and uploaded whose shares the grid held already (convergent encryption): no bytes sent. */
  readonly filesDeduplicated: number;
  /** Files that sent share bytes. */
  readonly filesUploaded: number;
  /** Share bytes sent for files' contents. */
  readonly fileBytesUploaded: number;
  /** Share bytes sent for the snapshot's directories. */
  readonly directoryBytesUploaded: number;
  /** Folders whose previous snapshot was reused whole. */
  readonly foldersReused: number;
}

export interface BackupOptions {
  signal: AbortSignal;
  /** Time of the backup, ms since the epoch (names the archive). */
  now: number;
  /** Folder under home holding Archives and Latest. @default ['Backups', folder.name] */
  target?: readonly string[];
  onProgress?(progress: BackupProgress): void;
}

interface Previous {
  readonly files: Map<string, DirEntry>;
  readonly dirs: Map<string, { cap: DirChkCap | DirLitCap; entries: readonly DirEntry[] }>;
}

/** The archive name for a time: ISO 8601 in UTC to the second (to the millisecond when taken). */
export function archiveName(now: number, precise = false): string {
  const iso = new Date(now).toISOString();
  return precise ? iso : iso.replace(/\.\d{3}Z$/, 'Z');
}

export async function backupFolder(parts: FolderParts, home: DirWriteCap, folder: LocalFolder, opts: BackupOptions): Promise<BackupReport> {
  const { signal } = opts;
  const tree = buildLocalTree(folder); // names checked before anything changes
  const filesTotal = treeTotals(tree).files;
  const progress = (phase: BackupProgress['phase'], filesDone: number): void => opts.onProgress?.({ phase, filesDone, filesTotal });
  progress('reading previous', 0);
  const target = await ensureFolder(parts.dirs, home, opts.target ?? ['Backups', folder.name], { signal });
  const archives = await ensureFolder(parts.dirs, target, ['Archives'], { signal });
  const previous = await readPrevious(parts, target, signal);

  // Files: reuse by path, size and mtime; else upload (convergent: the grid dedups by content).
  const specs = new Map<string, ChildSpec>();
  const jobs: { key: string; file: File }[] = [];
  let filesReused = 0;
  const visit = (node: LocalTree, path: readonly string[]): void => {
    for (const [name, file] of node.files) {
      const key = [...path, name].join('/');
      const old = previous.files.get(key);
      if (old !== undefined && old.metadata.size === file.size && old.metadata.mtime === file.lastModified) {
        specs.set(key, { cap: old.readcap, size: file.size, ctime: file.lastModified, mtime: file.lastModified });
        filesReused++;
      } else jobs.push({ key, file });
    }
    for (const [name, child] of node.dirs) visit(child, [...path, name]);
  };
  visit(tree, []);
  let filesDeduplicated = 0;
  let filesUploaded = 0;
  let fileBytesUploaded = 0;
  let filesDone = filesReused;
  progress('uploading', filesDone);
  await forEachLimit(
    jobs,
    FOLDER_UPLOAD_CONCURRENCY,
    async ({ key, file }, s) => {
      const result = await parts.uploadFile(blobFileSource(file), { signal: s });
      specs.set(key, { cap: result.cap, size: file.size, ctime: file.lastModified, mtime: file.lastModified });
      // A LIT cap holds the file itself: uploaded, with no share bytes to send.
      if (result.bytesWritten > 0 || result.cap.kind === 'lit') (filesUploaded++, (fileBytesUploaded += result.bytesWritten));
      else filesDeduplicated++;
      progress('uploading', ++filesDone);
    },
    signal,
    (job) => job.file.size,
  );

  // Folders, deepest first, as immutable snapshots; an unchanged folder keeps its previous cap.
  progress('snapshotting', filesDone);
  const before = parts.totals.snapshotBytesWritten;
  let foldersReused = 0;
  const snapshot = async (node: LocalTree, path: readonly string[]): Promise<{ cap: DirChkCap | DirLitCap; mtime: number }> => {
    const children = new Map<string, ChildSpec>();
    let newest = 0;
    for (const name of node.files.keys()) {
      const spec = specs.get([...path, name].join('/'))!;
      children.set(name, spec);
      newest = Math.max(newest, spec.mtime ?? 0);
    }
    for (const [name, child] of node.dirs) {
      const sub = await snapshot(child, [...path, name]);
      // A folder's times are its newest file's, so the same tree gives the same bytes (and cap).
      children.set(name, { cap: sub.cap, ctime: sub.mtime, mtime: sub.mtime });
      newest = Math.max(newest, sub.mtime);
    }
    const old = previous.dirs.get(path.join('/'));
    if (old !== undefined && sameEntries(old.entries, children)) {
      foldersReused++;
      return { cap: old.cap, mtime: newest };
    }
    return { cap: await parts.dirs.snapshot(children, { signal }), mtime: newest };
  };
  const top = await snapshot(tree, []);

  progress('linking', filesDone);
  let archive = archiveName(opts.now);
  try {
    await parts.dirs.set(archives, archive, { cap: top.cap }, { signal, overwrite: false });
  } catch (error) {
    if (!(error instanceof ChildExistsError)) throw error;
    archive = archiveName(opts.now, true); // two backups within a second
    await parts.dirs.set(archives, archive, { cap: top.cap }, { signal, overwrite: false });
  }
  await parts.dirs.set(target, 'Latest', { cap: top.cap }, { signal, overwrite: true });
  return {
    archive,
    snapshot: top.cap,
    filesTotal,
    filesReused,
    filesDeduplicated,
    filesUploaded,
    fileBytesUploaded,
    directoryBytesUploaded: parts.totals.snapshotBytesWritten - before,
    foldersReused,
  };
}

async function readPrevious(parts: FolderParts, target: DirWriteCap, signal: AbortSignal): Promise<Previous> {
  const previous: Previous = { files: new Map(), dirs: new Map() };
  let latest: DirEntry;
  try {
    latest = await parts.dirs.get(target, 'Latest', { signal });
  } catch (error) {
    if (error instanceof NoSuchChildError) return previous;
    throw error;
  }
  const cap = latest.readcap;
  if (cap.kind !== 'dir-chk' && cap.kind !== 'dir-lit') throw new FolderCapError('"Latest" in the backup folder is not a snapshot; move it away to back up here');
  for await (const item of walkTree(parts.dirs, cap, { signal })) {
    const key = item.path.join('/');
    if (item.kind === 'file') previous.files.set(key, item.entry);
    else if (item.kind === 'dir' && (item.cap.kind === 'dir-chk' || item.cap.kind === 'dir-lit')) previous.dirs.set(key, { cap: item.cap, entries: item.entries });
  }
  return previous;
}

function sameEntries(old: readonly DirEntry[], now: ReadonlyMap<string, ChildSpec>): boolean {
  if (old.length !== now.size) return false;
  return old.every((e) => {
    const spec = now.get(e.name);
    return (
      spec !== undefined &&
      formatCap(e.readcap) === formatCap(spec.cap) &&
      e.metadata.size === (spec.size ?? (spec.cap.kind === 'chk' ? spec.cap.size : spec.cap.kind === 'lit' ? spec.cap.data.length : undefined)) &&
      e.metadata.ctime === spec.ctime &&
      e.metadata.mtime === spec.mtime
    );
  });
}

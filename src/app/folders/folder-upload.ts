/**
 * Uploading a local folder keeping its tree: every file is uploaded as an immutable file (a few
 * at a time, streamed from the Blob), then each folder becomes a mutable directory made with its
 * children already in it, deepest first, so a folder of F files and D folders costs F uploads
 * and D directory creations (no read-modify-write per file). The caller links the top folder.
 * @module
 */
import type { DirWriteCap } from '../../core/cap/types.js';
import type { ChildSpec } from '../../core/dirnode/directory.js';
import { blobFileSource } from '../blob-source.js';
import type { LocalTree } from './local-tree.js';
import { treeTotals } from './local-tree.js';
import type { FolderParts } from './parts.js';
import { forEachLimit } from './pool.js';

/**
 * Files uploaded at once. A folder is mostly small files, whose uploads wait on round trips
 * (placement, close) rather than the codec, so several overlap; memory stays a few pipelines.
 */
export const FOLDER_UPLOAD_CONCURRENCY = 4;

export interface FolderProgress {
  readonly filesDone: number;
  readonly filesTotal: number;
  /** Bytes of the files' contents read and sent so far (over the upload's passes). */
  readonly bytesDone: number;
  readonly bytesTotal: number;
  /** Share bytes written to servers so far. */
  readonly bytesWritten: number;
}

export interface UploadTreeOptions {
  signal: AbortSignal;
  onProgress?(progress: FolderProgress): void;
  /** @default FOLDER_UPLOAD_CONCURRENCY */
  concurrency?: number;
}

/** Uploads the tree's files and makes its folders; returns the children of the tree's top. */
export async function uploadTree(parts: FolderParts, tree: LocalTree, opts: UploadTreeOptions): Promise<Map<string, ChildSpec>> {
  const { signal } = opts;
  const totals = treeTotals(tree);
  const jobs: { node: LocalTree; name: string; file: File }[] = [];
  const collect = (node: LocalTree): void => {
    for (const [name, file] of node.files) jobs.push({ node, name, file });
    for (const child of node.dirs.values()) collect(child);
  };
  collect(tree);
  const caps = new Map<LocalTree, Map<string, ChildSpec>>();
  const done = new Map<File, number>();
  let filesDone = 0;
  let bytesWritten = 0;
  const report = (): void => {
    let bytesDone = 0;
    for (const d of done.values()) bytesDone += d;
    opts.onProgress?.({ filesDone, filesTotal: totals.files, bytesDone, bytesTotal: totals.bytes, bytesWritten });
  };
  report();
  await forEachLimit(
    jobs,
    opts.concurrency ?? FOLDER_UPLOAD_CONCURRENCY,
    async ({ node, name, file }, s) => {
      const result = await parts.uploadFile(blobFileSource(file), {
        signal: s,
        onProgress: (d, total) => {
          done.set(file, total === 0 ? file.size : Math.round((d / total) * file.size));
          report();
        },
      });
      let children = caps.get(node);
      if (children === undefined) caps.set(node, (children = new Map()));
      // The file's modification time rides along as the entry's mtime (backup compares it).
      children.set(name, { cap: result.cap, size: file.size, ctime: file.lastModified, mtime: file.lastModified });
      filesDone++;
      bytesWritten += result.bytesWritten;
      done.set(file, file.size);
      report();
    },
    signal,
    (job) => job.file.size,
  );
  const build = async (node: LocalTree): Promise<Map<string, ChildSpec>> => {
    const children = new Map(caps.get(node) ?? []);
    for (const [name, child] of node.dirs) {
      const cap: DirWriteCap = await parts.dirs.create({ signal }, await build(child));
      children.set(name, { cap });
    }
    return children;
  };
  return build(tree);
}

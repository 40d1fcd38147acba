/**
 * A FileSource over a Blob (a File the person chose): the encoder reads it segment by segment
 * with Blob.slice, so an upload never holds the whole file in memory (ARCHITECTURE.md §2).
 * @module
 */
import type { FileSource } from '../core/immutable/source.js';

export function blobFileSource(blob: Blob): FileSource {
  return {
    size: blob.size,
    async read(offset, length, opts) {
      opts.signal.throwIfAborted();
      const buffer = await blob.slice(offset, offset + length).arrayBuffer();
      opts.signal.throwIfAborted();
      // A File read can fail later if the person changed or removed it on disk; the encoder
      // reports a short read as SourceReadError.
      return new Uint8Array(buffer);
    },
  };
}

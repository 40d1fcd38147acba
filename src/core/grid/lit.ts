/**
 * Tiny files as LIT caps (Tahoe's URI:LIT): a file of at most LIT_MAX_BYTES lives inside its
 * cap, so uploading it touches no server and downloading it needs no share.
 * @module
 */
import type { LitCap } from '../cap/types.js';
import { SourceReadError } from '../immutable/errors.js';
import type { FileSource } from '../immutable/source.js';
import { LIT_MAX_BYTES } from '../limits.js';

/** Whether a file of `size` bytes becomes a LIT cap. */
export function isLitSize(size: number): boolean {
  return size <= LIT_MAX_BYTES;
}

/** Reads the whole (tiny) file into a LIT cap. */
export async function litCapOf(source: FileSource, opts: { signal: AbortSignal }): Promise<LitCap> {
  if (!isLitSize(source.size)) throw new RangeError(`a LIT cap carries at most ${LIT_MAX_BYTES} bytes, not ${source.size}`);
  const data = source.size === 0 ? new Uint8Array(0) : await source.read(0, source.size, opts);
  if (!(data instanceof Uint8Array) || data.length !== source.size) {
    throw new SourceReadError(`the file source returned ${data instanceof Uint8Array ? data.length : typeof data} bytes for a read of ${source.size}`);
  }
  return { kind: 'lit', data: data.slice() };
}

/** A LIT cap's file, as the one-chunk stream a download returns. */
export async function* litPlaintext(cap: LitCap): AsyncIterable<Uint8Array> {
  if (cap.data.length > 0) yield cap.data.slice();
}

/**
 * The ports the immutable encoder and decoder talk through (INTERFACES.md "immutable"): where
 * plaintext comes from, where share bytes go on upload, and where they come from on download.
 * Plus a FileSource over bytes in memory, for tests and for small files.
 * @module
 */
import { assertBytes } from '../bytes.js';

/** The file being uploaded; read segment by segment (twice in convergent mode). */
export interface FileSource {
  readonly size: number;
  /** Exactly `length` bytes from `offset` (a shorter answer is a SourceReadError). */
  read(offset: number, length: number, opts: { signal: AbortSignal }): Promise<Uint8Array>;
}

/** Receives share bytes during an upload; the uploader maps share numbers to servers. */
export interface ShareWriter {
  /** `data` stays the caller's: a writer that keeps it must copy it (blocks 0..k−1 share a buffer). */
  write(shareNum: number, offset: number, data: Uint8Array, opts: { signal: AbortSignal }): Promise<void>;
}

/** One share on some server, as seen by a downloader. Every byte it returns is untrusted. */
export interface ShareReader {
  readonly shareNum: number;
  read(offset: number, length: number, opts: { signal: AbortSignal }): Promise<Uint8Array>;
  /** Called once when the share is found corrupt, with the reason (the holder can be told). */
  reportCorrupt?(reason: string): void;
}

/** Hands out shares on demand, best first; null when there are no more. */
export interface ShareSource {
  next(opts: { signal: AbortSignal }): Promise<ShareReader | null>;
}

/** A FileSource over bytes already in memory. Reads return copies, so the encoder may own them. */
export function bytesFileSource(bytes: Uint8Array): FileSource {
  assertBytes(bytes, 'bytes');
  return {
    size: bytes.length,
    read(offset, length, opts) {
      opts.signal.throwIfAborted();
      return Promise.resolve(bytes.slice(offset, offset + length));
    },
  };
}

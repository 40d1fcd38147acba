/**
 * SegmentRunner, the port for the CPU work of segments (ARCHITECTURE "CodecRunner"): the encoder
 * and decoder hand it one segment at a time and keep several in flight. Runs in-thread here;
 * src/adapters/worker/codec-pool.ts runs the same functions (segment.ts) on a pool of Web Workers.
 * @module
 */
import {
  decodeSegment,
  encodeSegment,
  hashBlocks,
  type DecodedSegment,
  type DecodeSegmentJob,
  type EncodedSegment,
  type EncodeSegmentJob,
  type HashBlocksJob,
} from './segment.js';
import { nobleSha256, type Sha256Digest } from './bulk-hash.js';
import { SegmentRunnerError } from './errors.js';

/**
 * A runner takes ownership of the buffers in a job (a worker pool transfers them, leaving the
 * caller's views detached), and hands back results whose buffers belong to the caller.
 */
export interface SegmentRunner {
  /** How many jobs it can run at once (in-thread: 1; a pool: its worker count). */
  readonly concurrency: number;
  encodeSegment(job: EncodeSegmentJob, opts: { signal: AbortSignal }): Promise<EncodedSegment>;
  decodeSegment(job: DecodeSegmentJob, opts: { signal: AbortSignal }): Promise<DecodedSegment>;
  /** Block hashes only: a verifier's work, no key needed. */
  hashBlocks(job: HashBlocksJob, opts: { signal: AbortSignal }): Promise<Uint8Array[]>;
  /** Releases workers, if any; later calls fail. */
  close(): void;
}

export interface InThreadRunnerInit {
  /**
   * The bulk SHA-256 for block and crypttext hashes. @default noble's (pure JS). Pass WebCrypto's
   * (src/adapters/worker/web-sha256.ts) where there is one: 10–20× faster, the same bytes.
   */
  sha256?: Sha256Digest;
}

/** Runs each job on the calling thread when asked (Node, tests, tiny files, browsers without workers). */
export function createInThreadRunner(init: InThreadRunnerInit = {}): SegmentRunner {
  const digest = init.sha256 ?? nobleSha256;
  let closed = false;
  const run = async <T>(opts: { signal: AbortSignal }, work: () => Promise<T>): Promise<T> => {
    await Promise.resolve();
    if (closed) throw new SegmentRunnerError('the segment runner is closed');
    opts.signal.throwIfAborted();
    return work();
  };
  return {
    concurrency: 1,
    encodeSegment: (job, opts) => run(opts, () => encodeSegment(job, digest)),
    decodeSegment: (job, opts) => run(opts, () => decodeSegment(job, digest)),
    hashBlocks: (job, opts) => run(opts, () => hashBlocks(job, digest)),
    close() {
      closed = true;
    },
  };
}

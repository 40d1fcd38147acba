/**
 * Downloading an immutable file: a LIT cap gives its data at once; a CHK readcap's shares are
 * found on the permuted ring (share-finder.ts) and fed to the verifying decoder, which streams
 * the plaintext segment by segment. Not enough good shares → NotEnoughSharesError
 * ("found 2 of the 3 shares needed").
 * @module
 */
import { deriveStorageIndex } from '../cap/storage-index.js';
import type { ChkReadCap, LitCap } from '../cap/types.js';
import { decodeImmutable } from '../immutable/decode.js';
import type { SegmentRunner } from '../immutable/runner.js';
import type { StorageBroker } from './broker.js';
import type { Clock } from './clock.js';
import { litPlaintext } from './lit.js';
import { ShareFinder, type FinderStats } from './share-finder.js';

export interface DownloadComponents {
  readonly broker: StorageBroker;
  readonly clock: Clock;
  readonly runner: SegmentRunner;
}

export interface DownloadConfig {
  /** listShares requests in flight at once. */
  readonly queryConcurrency: number;
  /** Time one server has to answer one request. */
  readonly requestTimeoutMs: number;
  /** Segments in flight in the decoder. */
  readonly pipelineDepth?: number;
}

export interface DownloadOptions {
  signal: AbortSignal;
  /** Plaintext bytes delivered so far, and the file size. */
  onProgress?(bytesDone: number, total: number): void;
  /** Filled in while the download runs: servers asked, answered, failed; corruption reports. */
  stats?: FinderStats;
}

/** The file's plaintext, streamed; every byte verified against the cap before it is yielded. */
export function downloadImmutable(
  components: DownloadComponents,
  config: DownloadConfig,
  cap: ChkReadCap | LitCap,
  opts: DownloadOptions,
): AsyncIterable<Uint8Array> {
  if (cap.kind === 'lit') return litPlaintext(cap);
  if (cap.kind !== 'chk') throw new TypeError(`"cap" expected a CHK read cap or a LIT cap, got ${String((cap as { kind?: unknown }).kind)}`);
  const finder = new ShareFinder(
    components.broker,
    components.clock,
    {
      storageIndex: deriveStorageIndex(cap.key),
      k: cap.k,
      concurrency: config.queryConcurrency,
      timeoutMs: config.requestTimeoutMs,
    },
    opts.signal,
    opts.stats,
  );
  return decodeImmutable(cap, finder, components.runner, {
    signal: opts.signal,
    pipelineDepth: config.pipelineDepth,
    onProgress: (done) => opts.onProgress?.(done, cap.size),
  });
}

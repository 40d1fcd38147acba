/**
 * GridClient: the grid as the app sees it, upload(source) → cap and download(cap) → plaintext
 * stream. Tiny files become LIT caps; the rest are CHK files placed on the permuted ring with
 * servers-of-happiness (Tahoe's defaults k=3, happy=7, N=10). Composition only: the work is in
 * upload.ts, download.ts and select.ts.
 * @module
 */
import type { ChkReadCap, LitCap } from '../cap/types.js';
import type { Keying } from '../immutable/encode.js';
import type { SegmentRunner } from '../immutable/runner.js';
import type { FileSource } from '../immutable/source.js';
import {
  DEFAULT_HAPPY,
  DEFAULT_K,
  DEFAULT_N,
  DEFAULT_SEGMENT_BYTES,
  GRID_PLACEMENT_CONCURRENCY,
  GRID_QUERY_CONCURRENCY,
  GRID_REQUEST_TIMEOUT_MS,
  MAX_PIPELINE_DEPTH,
  MAX_SHARES,
} from '../limits.js';
import { assertBytes } from '../bytes.js';
import type { StorageBroker } from './broker.js';
import type { Clock } from './clock.js';
import { downloadImmutable, type DownloadOptions } from './download.js';
import { isLitSize, litCapOf } from './lit.js';
import { uploadImmutable, type UploadOptions, type UploadReport } from './upload.js';

export interface GridClientComponents {
  readonly broker: StorageBroker;
  readonly clock: Clock;
  /** Where segments are encrypted, coded and hashed (in-thread, or a worker pool). */
  readonly runner: SegmentRunner;
  /** Random bytes (crypto.getRandomValues in the app): needed only for random-key uploads. */
  readonly randomBytes?: (length: number) => Uint8Array;
}

export interface GridClientInit {
  /** Shares needed to rebuild a file. @default DEFAULT_K (3) */
  k?: number;
  /** Distinct servers that must hold distinct shares for an upload to succeed. @default DEFAULT_HAPPY (7) */
  happy?: number;
  /** Shares made. @default DEFAULT_N (10) */
  n?: number;
  /** Plaintext bytes per segment. @default DEFAULT_SEGMENT_BYTES (1 MiB) */
  segmentSize?: number;
  /** The person's lease secret (≥ 16 bytes, kept on their device): servers get per-file, per-server derivations. */
  leaseSecret: Uint8Array;
  /** The person's convergence secret: same file, same person → same cap and shares. Without it, keys are random. */
  convergenceSecret?: Uint8Array;
  /** Segments in flight while encoding or decoding. @default the immutable module's */
  pipelineDepth?: number;
  /** @default GRID_PLACEMENT_CONCURRENCY */
  placementConcurrency?: number;
  /** @default GRID_QUERY_CONCURRENCY */
  queryConcurrency?: number;
  /** @default GRID_REQUEST_TIMEOUT_MS */
  requestTimeoutMs?: number;
}

export interface GridUploadOptions extends UploadOptions {
  /** Convergent (dedup) or a fresh random key. @default true when a convergence secret is set */
  convergent?: boolean;
}

/** An upload's outcome: a LIT cap touched no server (happiness 0, no servers). */
export interface GridUploadResult {
  readonly cap: ChkReadCap | LitCap;
  readonly happiness: number;
  readonly servers: UploadReport['servers'];
}

export class GridClient {
  readonly k: number;
  readonly happy: number;
  readonly n: number;
  readonly segmentSize: number;
  private readonly init: Required<Omit<GridClientInit, 'convergenceSecret' | 'pipelineDepth' | 'k' | 'happy' | 'n' | 'segmentSize'>> &
    Pick<GridClientInit, 'convergenceSecret' | 'pipelineDepth'>;

  constructor(
    private readonly components: GridClientComponents,
    init: GridClientInit,
  ) {
    this.k = init.k ?? DEFAULT_K;
    this.happy = init.happy ?? DEFAULT_HAPPY;
    this.n = init.n ?? DEFAULT_N;
    this.segmentSize = init.segmentSize ?? DEFAULT_SEGMENT_BYTES;
    const whole = (name: string, v: number, min: number, max: number): void => {
      if (!Number.isSafeInteger(v) || v < min || v > max) throw new RangeError(`"${name}" must be a whole number from ${min} to ${max}, got ${v}`);
    };
    whole('k', this.k, 1, MAX_SHARES);
    whole('happy', this.happy, this.k, MAX_SHARES);
    whole('n', this.n, this.happy, MAX_SHARES);
    assertBytes(init.leaseSecret, 'leaseSecret');
    if (init.convergenceSecret !== undefined) assertBytes(init.convergenceSecret, 'convergenceSecret');
    if (init.pipelineDepth !== undefined) whole('pipelineDepth', init.pipelineDepth, 1, MAX_PIPELINE_DEPTH);
    this.init = {
      leaseSecret: init.leaseSecret.slice(),
      convergenceSecret: init.convergenceSecret?.slice(),
      pipelineDepth: init.pipelineDepth,
      placementConcurrency: init.placementConcurrency ?? GRID_PLACEMENT_CONCURRENCY,
      queryConcurrency: init.queryConcurrency ?? GRID_QUERY_CONCURRENCY,
      requestTimeoutMs: init.requestTimeoutMs ?? GRID_REQUEST_TIMEOUT_MS,
    };
    whole('placementConcurrency', this.init.placementConcurrency, 1, MAX_SHARES);
    whole('queryConcurrency', this.init.queryConcurrency, 1, MAX_SHARES);
    whole('requestTimeoutMs', this.init.requestTimeoutMs, 1, 24 * 3600 * 1000);
  }

  /**
   * Uploads a file. Files of at most LIT_MAX_BYTES become LIT caps without touching the grid;
   * larger ones fail with UploadUnhappinessError when too few servers can take shares.
   */
  async upload(source: FileSource, opts: GridUploadOptions): Promise<GridUploadResult> {
    opts.signal.throwIfAborted();
    if (isLitSize(source.size)) {
      const cap = await litCapOf(source, opts);
      opts.onProgress?.(source.size, source.size);
      return { cap, happiness: 0, servers: [] };
    }
    return uploadImmutable(
      this.components,
      {
        k: this.k,
        happy: this.happy,
        n: this.n,
        segmentSize: this.segmentSize,
        leaseSecret: this.init.leaseSecret,
        keying: this.keying(opts.convergent),
        pipelineDepth: this.init.pipelineDepth,
        placementConcurrency: this.init.placementConcurrency,
        requestTimeoutMs: this.init.requestTimeoutMs,
      },
      source,
      opts,
    );
  }

  /** The file a cap names, as a stream of plaintext chunks (every byte verified before it is yielded). */
  download(cap: ChkReadCap | LitCap, opts: DownloadOptions): AsyncIterable<Uint8Array> {
    return downloadImmutable(
      this.components,
      { queryConcurrency: this.init.queryConcurrency, requestTimeoutMs: this.init.requestTimeoutMs, pipelineDepth: this.init.pipelineDepth },
      cap,
      opts,
    );
  }

  private keying(convergent: boolean | undefined): Keying {
    const secret = this.init.convergenceSecret;
    if (convergent ?? secret !== undefined) {
      if (secret === undefined) throw new TypeError('a convergent upload needs "convergenceSecret" in the GridClient init');
      return { convergenceSecret: secret };
    }
    const random = this.components.randomBytes;
    if (random === undefined) throw new TypeError('a random-key upload needs "randomBytes" in the GridClient components');
    return { randomKey: random(16) };
  }
}

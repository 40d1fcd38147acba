/**
 * Ranged downloads, for media seeking: a file opened once (its shares found once) answers many
 * byte-range reads, each fetching and verifying only the segments that hold the range (every
 * block and crypttext segment carries its own Merkle chain, so one segment is verifiable alone).
 * @module
 */
import { deriveStorageIndex } from '../cap/storage-index.js';
import type { ChkReadCap, LitCap } from '../cap/types.js';
import { decodeImmutable } from '../immutable/decode.js';
import { NotEnoughSharesError } from '../immutable/errors.js';
import type { ShareReader, ShareSource } from '../immutable/source.js';
import { GRID_QUERY_CONCURRENCY, GRID_REQUEST_TIMEOUT_MS } from '../limits.js';
import type { DownloadComponents } from './download.js';
import { ShareFinder, type FinderStats } from './share-finder.js';

export interface RangedFileConfig {
  /** @default GRID_QUERY_CONCURRENCY */
  readonly queryConcurrency?: number;
  /** @default GRID_REQUEST_TIMEOUT_MS */
  readonly requestTimeoutMs?: number;
  /** Segments in flight within one range. */
  readonly pipelineDepth?: number;
}

export interface RangeReadOptions {
  signal: AbortSignal;
  /** Bytes of the range yielded so far. */
  onProgress?(bytesDone: number): void;
}

/** A file read by ranges; close() when done (stops the share finder's queries). */
export interface RangedFile {
  readonly size: number;
  /** Bytes [offset, offset + length) of the plaintext (clamped to the file), verified, in order. */
  read(offset: number, length: number, opts: RangeReadOptions): AsyncIterable<Uint8Array>;
  /** Segments fetched and verified so far, over every read: what seeking saved is visible here. */
  readonly segmentsFetched: number;
  readonly stats: FinderStats;
  close(): void;
}

/**
 * Hands every decode the shares that served earlier ones first (so a seek costs no new search),
 * then asks the finder for more; a share that failed or was found corrupt is not offered again.
 * The finder is made on the first read (the grid's servers are known by then) and made anew
 * after a read found too few shares (peers come and go while a video stays open).
 */
class ReplayingSource {
  #kept: ShareReader[] = [];
  readonly #bad = new Set<ShareReader>();
  #finder: ShareFinder | undefined;

  constructor(private readonly makeFinder: () => ShareFinder) {}

  /** Forgets the finder and the shares it gave: the next read searches the grid again. */
  reset(): void {
    this.#finder = undefined;
    this.#kept = [];
  }

  /** A fresh ShareSource for one decode. */
  forDecode(): ShareSource {
    let replayAt = 0;
    return {
      next: async (opts) => {
        while (replayAt < this.#kept.length) {
          const kept = this.#kept[replayAt++]!;
          if (!this.#bad.has(kept)) return kept;
        }
        this.#finder ??= this.makeFinder();
        const reader = await this.#finder.next(opts);
        if (reader === null) return null;
        const wrapped = this.#watch(reader);
        this.#kept.push(wrapped);
        replayAt = this.#kept.length;
        return wrapped;
      },
    };
  }

  #watch(reader: ShareReader): ShareReader {
    const watched: ShareReader = {
      shareNum: reader.shareNum,
      read: async (offset, length, opts) => {
        try {
          return await reader.read(offset, length, opts);
        } catch (err) {
          if (!opts.signal.aborted) this.#bad.add(watched);
          throw err;
        }
      },
      reportCorrupt: (reason) => {
        this.#bad.add(watched);
        reader.reportCorrupt?.(reason);
      },
    };
    return watched;
  }
}

/** Opens `cap` for ranged reads over the grid. The finder's queries live until close() or `opts.signal`. */
export function openRangedFile(components: DownloadComponents, config: RangedFileConfig, cap: ChkReadCap | LitCap, opts: { signal: AbortSignal }): RangedFile {
  if (cap.kind === 'lit') return litRangedFile(cap);
  if (cap.kind !== 'chk') throw new TypeError(`"cap" expected a CHK read cap or a LIT cap, got ${String((cap as { kind?: unknown }).kind)}`);
  const life = new AbortController();
  const stop = (): void => life.abort(opts.signal.reason ?? new DOMException('the file was closed', 'AbortError'));
  if (opts.signal.aborted) stop();
  else opts.signal.addEventListener('abort', stop, { once: true });
  const storageIndex = deriveStorageIndex(cap.key);
  // Each finder fills its own counters; the file's stats add them up.
  const finderStats: FinderStats[] = [];
  const source = new ReplayingSource(() => {
    const own = {} as FinderStats;
    finderStats.push(own);
    return new ShareFinder(
      components.broker,
      components.clock,
      {
        storageIndex,
        k: cap.k,
        concurrency: config.queryConcurrency ?? GRID_QUERY_CONCURRENCY,
        timeoutMs: config.requestTimeoutMs ?? GRID_REQUEST_TIMEOUT_MS,
      },
      life.signal,
      own,
    );
  });
  let segmentsFetched = 0;
  return {
    size: cap.size,
    get stats() {
      const sum: FinderStats = { asked: 0, answered: 0, failed: 0, corruptReports: 0 };
      for (const s of finderStats) for (const key of Object.keys(sum) as (keyof FinderStats)[]) sum[key] += s[key];
      return sum;
    },
    get segmentsFetched() {
      return segmentsFetched;
    },
    read(offset, length, o) {
      const both = AbortSignal.any([o.signal, life.signal]);
      const plain = decodeImmutable(cap, source.forDecode(), components.runner, {
        signal: both,
        pipelineDepth: config.pipelineDepth,
        range: { offset, length },
        onProgress: (done) => o.onProgress?.(done),
      });
      return countSegments(plain, () => segmentsFetched++, (err) => {
        if (err instanceof NotEnoughSharesError) source.reset();
      });
    },
    close() {
      opts.signal.removeEventListener('abort', stop);
      stop();
    },
  };
}

/** Each chunk the decoder yields for a range is (part of) one segment. */
async function* countSegments(chunks: AsyncIterable<Uint8Array>, onSegment: () => void, onError: (err: unknown) => void): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of chunks) {
      onSegment();
      yield chunk;
    }
  } catch (err) {
    onError(err);
    throw err;
  }
}

function litRangedFile(cap: LitCap): RangedFile {
  const data = cap.data;
  return {
    size: data.length,
    segmentsFetched: 0,
    stats: { asked: 0, answered: 0, failed: 0, corruptReports: 0 },
    async *read(offset, length, o) {
      o.signal.throwIfAborted();
      const from = Math.min(Math.max(0, offset), data.length);
      const to = Math.min(from + Math.max(0, length), data.length);
      o.onProgress?.(to - from);
      if (to > from) yield data.slice(from, to);
    },
    close() {},
  };
}

/** In-memory share buffers, share sources and files for the immutable tests (not a test file itself). */
import { randomFillSync } from 'node:crypto';
import type { FileSource, ShareReader, ShareSource, ShareWriter } from '../../../src/core/immutable/source.js';

/** Random bytes (node:crypto, fast enough for 64 MiB). */
export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let at = 0; at < n; at += 65536) randomFillSync(out.subarray(at, Math.min(n, at + 65536)));
  return out;
}

/** A ShareWriter into N preallocated buffers that refuses writes outside them; complete() checks coverage. */
export class MemoryShares implements ShareWriter {
  readonly shares: Uint8Array[];
  private readonly ranges: [number, number][][];
  writes = 0;
  largestWrite = 0;

  constructor(n: number, readonly shareSize: number) {
    this.shares = Array.from({ length: n }, () => new Uint8Array(shareSize));
    this.ranges = Array.from({ length: n }, () => []);
  }

  write(shareNum: number, offset: number, data: Uint8Array, opts: { signal: AbortSignal }): Promise<void> {
    opts.signal.throwIfAborted();
    const share = this.shares[shareNum];
    if (share === undefined) return Promise.reject(new RangeError(`no share ${shareNum}`));
    if (offset < 0 || offset + data.length > this.shareSize) {
      return Promise.reject(new RangeError(`write of ${data.length} at ${offset} is outside the ${this.shareSize}-byte share ${shareNum}`));
    }
    share.set(data, offset);
    this.ranges[shareNum]!.push([offset, data.length]);
    this.writes++;
    this.largestWrite = Math.max(this.largestWrite, data.length);
    return Promise.resolve();
  }

  /** True when every byte of every share was written exactly once. */
  complete(): boolean {
    return this.ranges.every((rs) => {
      const sorted = [...rs].sort((a, b) => a[0] - b[0]);
      let at = 0;
      for (const [o, l] of sorted) {
        if (o !== at) return false;
        at += l;
      }
      return at === this.shareSize;
    });
  }
}

export interface SourceLog {
  corrupt: { shareNum: number; reason: string }[];
  handedOut: number[];
}

/**
 * A ShareSource over (shareNum, bytes) pairs in the given order. Reads past the end return what
 * is there (a truncated share looks truncated).
 */
export function memorySource(entries: [number, Uint8Array][], log: SourceLog = { corrupt: [], handedOut: [] }): ShareSource & { log: SourceLog } {
  let next = 0;
  return {
    log,
    next(opts) {
      opts.signal.throwIfAborted();
      const entry = entries[next++];
      if (entry === undefined) return Promise.resolve(null);
      const [shareNum, bytes] = entry;
      log.handedOut.push(shareNum);
      const reader: ShareReader = {
        shareNum,
        read(offset, length, o) {
          o.signal.throwIfAborted();
          return Promise.resolve(bytes.slice(offset, offset + length));
        },
        reportCorrupt(reason) {
          log.corrupt.push({ shareNum, reason });
        },
      };
      return Promise.resolve(reader);
    },
  };
}

/** A FileSource producing deterministic pseudo-random bytes without holding the file. */
export function generatedSource(size: number, seed = 1): FileSource {
  return {
    size,
    read(offset, length) {
      const out = new Uint8Array(length);
      for (let i = 0; i < length; i++) {
        const x = offset + i;
        out[i] = (Math.imul(x ^ seed, 2654435761) >>> 24) & 0xff;
      }
      return Promise.resolve(out);
    },
  };
}

export async function collect(it: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const p of it) {
    parts.push(p);
    total += p.length;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

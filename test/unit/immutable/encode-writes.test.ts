/**
 * The encoder's write window: a share whose server answers quickly runs ahead of a slow one (writes
 * of several segments in flight, never more than the pipeline depth), each share's writes one at a
 * time in offset order, the same share bytes as one segment at a time, and a failed write failing
 * the encode at once with its own error even while other writes hang.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../../src/core/bytes.js';
import { encodeImmutable, prepareImmutable } from '../../../src/core/immutable/encode.js';
import { createInThreadRunner } from '../../../src/core/immutable/runner.js';
import type { ShareWriter } from '../../../src/core/immutable/source.js';
import { generatedSource, MemoryShares } from './_helpers.js';

const params = { k: 3, n: 10, segmentSize: 3 * 1024 };
const size = 20 * 3 * 1024 + 77;

/** Holds every block write until released; records how many segments had writes unanswered. */
class HeldWriter implements ShareWriter {
  readonly inner: MemoryShares;
  readonly held: { shareNum: number; offset: number; release: () => void }[] = [];
  readonly offsets: number[][] = Array.from({ length: 10 }, () => []);
  maxSegmentsInFlight = 0;
  maxPerShare = 0;
  /** `tailOffset`: where the hash trees and UEB go, written once the last block is encoded. */
  constructor(shareSize: number, private readonly tailOffset: number) {
    this.inner = new MemoryShares(10, shareSize);
  }
  write(shareNum: number, offset: number, data: Uint8Array, opts: { signal: AbortSignal }): Promise<void> {
    const copy = data.slice();
    return new Promise<void>((resolve, reject) => {
      this.offsets[shareNum]!.push(offset);
      const entry = {
        shareNum,
        offset,
        release: () => {
          this.held.splice(this.held.indexOf(entry), 1);
          this.inner.write(shareNum, offset, copy, opts).then(resolve, reject);
        },
      };
      this.held.push(entry);
      this.maxPerShare = Math.max(this.maxPerShare, this.held.filter((h) => h.shareNum === shareNum).length);
      this.maxSegmentsInFlight = Math.max(this.maxSegmentsInFlight, new Set(this.held.filter((h) => h.offset < this.tailOffset).map((h) => h.offset)).size);
    });
  }
}

async function pump(writer: HeldWriter, done: () => boolean): Promise<void> {
  // Let the encoder run until it blocks on the held writes, then answer some: share 0's server
  // answers at once, the others every fourth turn (newest first), so share 0 runs ahead.
  for (let turn = 0; !done(); turn++) {
    await new Promise((r) => setImmediate(r));
    for (const h of [...writer.held].reverse()) if (h.shareNum === 0 || turn % 4 === 0) h.release();
  }
}

describe('encodeImmutable write window', () => {
  it('lets a quick share run up to pipelineDepth segments ahead, one write per share at a time, same shares', async () => {
    const signal = new AbortController().signal;
    const source = generatedSource(size, 7);
    const prepared = await prepareImmutable(source, params, { randomKey: new Uint8Array(16).fill(5) }, { signal });
    const reference = new MemoryShares(10, prepared.shareSize);
    await encodeImmutable(prepared, source, createInThreadRunner(), reference, { signal, pipelineDepth: 1 });

    for (const depth of [1, 2, 4]) {
      const writer = new HeldWriter(prepared.shareSize, prepared.layout.blockHashTree);
      const progress: number[] = [];
      let finished = false;
      const encoding = encodeImmutable(prepared, source, createInThreadRunner(), writer, {
        signal,
        pipelineDepth: depth,
        onProgress: (b) => progress.push(b),
      }).finally(() => (finished = true));
      await pump(writer, () => finished);
      await encoding;
      expect(writer.inner.complete(), `depth ${depth}`).toBe(true);
      expect(writer.inner.shares.map(bytesToHex)).toEqual(reference.shares.map(bytesToHex));
      // The header and each segment are separate offsets: no more than `depth` of them at once.
      expect(writer.maxSegmentsInFlight, `depth ${depth}`).toBeLessThanOrEqual(depth);
      if (depth > 1) expect(writer.maxSegmentsInFlight, `depth ${depth}`).toBeGreaterThan(1);
      // One write per share at a time, in offset order.
      expect(writer.maxPerShare).toBe(1);
      for (const offsets of writer.offsets) expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
      expect(progress.at(-1)).toBe(size);
      expect(progress.length).toBe(prepared.segmentation.numSegments);
    }
  });

  it('fails at once with the failed write’s error while other writes hang, and aborts them', async () => {
    const signal = new AbortController().signal;
    const source = generatedSource(size, 8);
    const prepared = await prepareImmutable(source, params, { randomKey: new Uint8Array(16).fill(6) }, { signal });
    const boom = new Error('peer 3 went away');
    const signals: AbortSignal[] = [];
    let share3 = 0;
    const writer: ShareWriter = {
      write(shareNum, _offset, _data, opts) {
        signals.push(opts.signal);
        // Share 0's server never answers its first block and ignores the signal; share 3's fails
        // its third write; every other write succeeds.
        if (shareNum === 0 && _offset > 0) return new Promise<void>(() => {});
        if (shareNum === 3 && ++share3 === 3) return Promise.reject(boom);
        return Promise.resolve();
      },
    };
    await expect(encodeImmutable(prepared, source, createInThreadRunner(), writer, { signal, pipelineDepth: 4 })).rejects.toBe(boom);
    expect(share3).toBe(3);
    expect(signals.every((s) => s.aborted)).toBe(true);
  });

  it('a caller abort while writes hang fails with the caller’s reason', async () => {
    const controller = new AbortController();
    const source = generatedSource(size, 9);
    const prepared = await prepareImmutable(source, params, { randomKey: new Uint8Array(16).fill(7) }, { signal: controller.signal });
    const reason = new Error('the person cancelled');
    let calls = 0;
    const writer: ShareWriter = {
      write(shareNum) {
        if (++calls === 15) setTimeout(() => controller.abort(reason), 1);
        // Share 1's server hangs from its first block on, ignoring the signal.
        return shareNum === 1 && calls > 10 ? new Promise<void>(() => {}) : Promise.resolve();
      },
    };
    await expect(
      encodeImmutable(prepared, source, createInThreadRunner(), writer, { signal: controller.signal, pipelineDepth: 3 }),
    ).rejects.toBe(reason);
  });
});

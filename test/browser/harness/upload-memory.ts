/**
 * Harness module for test/bench/memory.bench.ts: the upload pipeline's memory on a file far larger
 * than memory should allow. A file of `mib` MiB (one random MiB repeated, each read a fresh copy as
 * a Blob read gives; Chromium would not read back a 1 GiB Blob built in a page here) is read,
 * convergently keyed, encrypted, coded and hashed by the real encoder in the real codec workers,
 * and its shares go to a writer that takes each block after a tick and drops it (the network's
 * part is bounded by the broker's write windows, measured in the grid bench).
 */
import { createCodecPool } from '../../../src/adapters/worker/codec-pool.js';
import { encodeImmutable, prepareImmutable } from '../../../src/core/immutable/encode.js';
import type { FileSource } from '../../../src/core/immutable/source.js';
import { DEFAULT_K, DEFAULT_N, DEFAULT_SEGMENT_BYTES } from '../../../src/core/limits.js';

/** Encodes a `mib` MiB file; returns the milliseconds and the bytes handed to the share writer. */
export async function encodeLargeFile(mib: number): Promise<{ ms: number; written: number }> {
  const unit = new Uint8Array(1024 * 1024);
  for (let i = 0; i < unit.length; i += 65_536) crypto.getRandomValues(unit.subarray(i, i + 65_536));
  const size = mib * unit.length;
  const source: FileSource = {
    size,
    async read(offset, length) {
      const out = new Uint8Array(length);
      for (let done = 0; done < length; ) {
        const at = (offset + done) % unit.length;
        const n = Math.min(length - done, unit.length - at);
        out.set(unit.subarray(at, at + n), done);
        done += n;
      }
      return out;
    },
  };
  const runner = createCodecPool();
  const signal = new AbortController().signal;
  let written = 0;
  const t0 = performance.now();
  try {
    const params = { k: DEFAULT_K, n: DEFAULT_N, segmentSize: DEFAULT_SEGMENT_BYTES };
    const prepared = await prepareImmutable(source, params, { convergenceSecret: new Uint8Array(32).fill(9) }, { signal });
    await encodeImmutable(prepared, source, runner, {
      async write(_shareNum, _offset, data) {
        written += data.length;
        await new Promise((resolve) => setTimeout(resolve, 0));
      },
    }, { signal });
  } finally {
    runner.close();
  }
  return { ms: performance.now() - t0, written };
}

declare global {
  interface BricHarness {
    'upload-memory': typeof import('./upload-memory.js');
  }
}

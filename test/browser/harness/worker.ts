/**
 * Harness module for test/browser/worker.spec.ts: the codec worker pool (src/adapters/worker) in
 * real Chromium, with the real bundled codec.worker.ts: whole files through workers, buffers
 * transferred (the caller's view is detached once posted), named worker errors, and throughput.
 */
import { createCodecPool } from '../../../src/adapters/worker/codec-pool.js';
import { webSha256 } from '../../../src/adapters/worker/web-sha256.js';
import { equalBytes } from '../../../src/core/bytes.js';
import { decodeImmutable } from '../../../src/core/immutable/decode.js';
import { encodeImmutable, prepareImmutable } from '../../../src/core/immutable/encode.js';
import { createInThreadRunner, type SegmentRunner } from '../../../src/core/immutable/runner.js';
import { bytesFileSource, type ShareReader, type ShareSource } from '../../../src/core/immutable/source.js';

const MiB = 1024 * 1024;

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let at = 0; at < n; at += 65536) crypto.getRandomValues(out.subarray(at, Math.min(n, at + 65536)));
  return out;
}

function sharesFrom(shares: Uint8Array[], nums: number[]): ShareSource {
  let i = 0;
  return {
    next: () => {
      const s = nums[i++];
      if (s === undefined) return Promise.resolve(null);
      const reader: ShareReader = { shareNum: s, read: (o, l) => Promise.resolve(shares[s]!.slice(o, o + l)) };
      return Promise.resolve(reader);
    },
  };
}

async function roundTrip(runner: SegmentRunner, size: number, k: number, n: number, decodeFrom: number[]) {
  const signal = new AbortController().signal;
  const data = randomBytes(size);
  const source = bytesFileSource(data);
  const t0 = performance.now();
  const prepared = await prepareImmutable(source, { k, n, segmentSize: MiB }, { randomKey: randomBytes(16) }, { signal });
  const shares = Array.from({ length: n }, () => new Uint8Array(prepared.shareSize));
  const cap = await encodeImmutable(prepared, source, runner, { write: (s, o, d) => (shares[s]!.set(d, o), Promise.resolve()) }, { signal });
  const encodeMs = performance.now() - t0;
  const t1 = performance.now();
  const parts: Uint8Array[] = [];
  for await (const part of decodeImmutable(cap, sharesFrom(shares, decodeFrom), runner, { signal })) parts.push(part);
  const decodeMs = performance.now() - t1;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return { ok: at === size && equalBytes(out, data), encodeMBps: size / 1e6 / (encodeMs / 1000), decodeMBps: size / 1e6 / (decodeMs / 1000) };
}

/** Encodes and decodes a random file through a pool of real workers (default size), from parity shares. */
export async function poolRoundTrip(sizeMiB: number): Promise<{ ok: boolean; workers: number; cores: number }> {
  const pool = createCodecPool();
  try {
    const r = await roundTrip(pool, sizeMiB * MiB + 12345, 3, 10, [9, 4, 7]);
    return { ok: r.ok, workers: pool.concurrency, cores: navigator.hardwareConcurrency };
  } finally {
    pool.close();
  }
}

/** Posts one encode job and one decode job, and reports what became of the buffers on both sides. */
export async function transferCheck(): Promise<{ sentDetached: boolean; blocksDetachedAfterDecodePost: boolean; resultOwned: boolean; decodedOk: boolean }> {
  const pool = createCodecPool({ size: 1 });
  const signal = new AbortController().signal;
  try {
    const plain = randomBytes(3000);
    const data = plain.slice();
    const pending = pool.encodeSegment({ k: 3, n: 5, segmentIndex: 0, offset: 0, length: 3000, cipherKey: new Uint8Array(32), data }, { signal });
    const sentDetached = data.buffer.byteLength === 0 && data.length === 0;
    const enc = await pending;
    const resultOwned = enc.blocks.every((b) => b.length === 1000 && b.buffer.byteLength >= 1000) && enc.blockHashes.length === 5;
    const owned = new Uint8Array(3000);
    [4, 3, 1].forEach((s, i) => owned.set(enc.blocks[s]!, i * 1000));
    const blocks = [0, 1, 2].map((i) => owned.subarray(i * 1000, (i + 1) * 1000));
    const decoding = pool.decodeSegment(
      { k: 3, n: 5, segmentIndex: 0, length: 3000, shareNums: [4, 3, 1], blocks, decrypt: { cipherKey: new Uint8Array(32), offset: 0 } },
      { signal },
    );
    const blocksDetachedAfterDecodePost = owned.buffer.byteLength === 0;
    const dec = await decoding;
    return { sentDetached, blocksDetachedAfterDecodePost, resultOwned, decodedOk: equalBytes(dec.data, plain) };
  } finally {
    pool.close();
  }
}

/** A job that throws inside the worker: the error's name and message as the page sees them. */
export async function workerJobError(): Promise<{ name: string; remoteName: string | undefined; message: string }> {
  const pool = createCodecPool({ size: 1 });
  try {
    await pool.encodeSegment({ k: 3, n: 5, segmentIndex: 7, offset: 0, length: 10, cipherKey: new Uint8Array(32), data: new Uint8Array(10) }, { signal: new AbortController().signal });
    return { name: 'none', remoteName: undefined, message: 'the job did not fail' };
  } catch (err) {
    const e = err as Error & { remoteName?: string };
    return { name: e.name, remoteName: e.remoteName, message: e.message };
  } finally {
    pool.close();
  }
}

/** A worker script that cannot load: its job fails with a named error instead of hanging. */
export async function brokenWorker(): Promise<{ name: string; message: string }> {
  const pool = createCodecPool({ size: 1, createWorker: () => new Worker('/no-such-worker.js', { type: 'module' }) });
  try {
    await pool.hashBlocks({ blocks: [new Uint8Array(8)] }, { signal: AbortSignal.timeout(20_000) });
    return { name: 'none', message: 'the job did not fail' };
  } catch (err) {
    return { name: (err as Error).name, message: (err as Error).message };
  } finally {
    pool.close();
  }
}

/** Encode and decode MB/s of a `sizeMiB` file, 3 of 10, through the pool and in the page's thread. */
export async function throughput(sizeMiB: number): Promise<Record<string, number>> {
  const pool = createCodecPool();
  const inThread = createInThreadRunner({ sha256: webSha256 });
  try {
    // Warm up both (JIT in the page and in every worker), then measure each in turn.
    await roundTrip(pool, 4 * MiB * pool.concurrency, 3, 10, [9, 8, 7]);
    await roundTrip(inThread, 4 * MiB, 3, 10, [9, 8, 7]);
    const viaThread = await roundTrip(inThread, sizeMiB * MiB, 3, 10, [9, 8, 7]);
    const viaPool = await roundTrip(pool, sizeMiB * MiB, 3, 10, [9, 8, 7]);
    if (!viaPool.ok || !viaThread.ok) throw new Error('a throughput round trip gave back the wrong bytes');
    return {
      workers: pool.concurrency,
      poolEncodeMBps: viaPool.encodeMBps,
      poolDecodeMBps: viaPool.decodeMBps,
      inThreadEncodeMBps: viaThread.encodeMBps,
      inThreadDecodeMBps: viaThread.decodeMBps,
    };
  } finally {
    pool.close();
  }
}

declare global {
  interface BricHarness {
    worker: typeof import('./worker.js');
  }
}

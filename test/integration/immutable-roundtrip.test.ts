/**
 * Immutable files end to end on in-memory share buffers: a 64 MiB file survives any N−k missing
 * shares; corrupt, truncated, swapped, wrong-version and unavailable shares are each detected,
 * named, reported and worked around; too few shares give NotEnoughSharesError in plain words.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, equalBytes, writeUint64BE } from '../../src/core/bytes.js';
import { decodeImmutable } from '../../src/core/immutable/decode.js';
import { encodeImmutable, prepareImmutable, type Keying } from '../../src/core/immutable/encode.js';
import {
  BadBlockError,
  BadCrypttextError,
  NotEnoughSharesError,
  ShareUnavailableError,
  ShareVersionError,
  SourceReadError,
} from '../../src/core/immutable/errors.js';
import { SHARE_HEADER_BYTES } from '../../src/core/immutable/layout.js';
import { WHOLE_TREE_READ_BYTES } from '../../src/core/immutable/_share-read.js';
import { createInThreadRunner, type SegmentRunner } from '../../src/core/immutable/runner.js';
import { bytesFileSource, type FileSource, type ShareReader, type ShareSource } from '../../src/core/immutable/source.js';
import type { ChkReadCap } from '../../src/core/cap/types.js';
import { webSha256 } from '../../src/adapters/worker/web-sha256.js';
import type { PreparedImmutable } from '../../src/core/immutable/encode.js';
import { collect, memorySource, MemoryShares, randomBytes, type SourceLog } from '../unit/immutable/_helpers.js';

const signal = new AbortController().signal;
const runner = createInThreadRunner({ sha256: webSha256 });
const secret = new Uint8Array(16).fill(7);

interface Encoded {
  data: Uint8Array;
  cap: ChkReadCap;
  prepared: PreparedImmutable;
  shares: Uint8Array[];
}

async function encode(data: Uint8Array, k: number, n: number, segmentSize: number, keying: Keying = { convergenceSecret: secret }): Promise<Encoded> {
  const source = bytesFileSource(data);
  const prepared = await prepareImmutable(source, { k, n, segmentSize }, keying, { signal });
  const writer = new MemoryShares(n, prepared.shareSize);
  const cap = await encodeImmutable(prepared, source, runner, writer, { signal });
  expect(writer.complete()).toBe(true);
  return { data, cap, prepared, shares: writer.shares };
}

function entries(e: Encoded, nums: number[], edit: (s: number, bytes: Uint8Array) => Uint8Array = (_, b) => b): [number, Uint8Array][] {
  return nums.map((s) => [s, edit(s, e.shares[s]!.slice())]);
}

async function decode(cap: ChkReadCap, source: ShareSource, r: SegmentRunner = runner): Promise<Uint8Array> {
  return collect(decodeImmutable(cap, source, r, { signal }));
}

async function decodeError(cap: ChkReadCap, source: ShareSource): Promise<Error> {
  try {
    await decode(cap, source);
  } catch (err) {
    return err as Error;
  }
  throw new Error('decoding succeeded but should have failed');
}

function flip(bytes: Uint8Array, at: number): Uint8Array {
  bytes[at]! ^= 0x5a;
  return bytes;
}

describe('a 64 MiB random file, 3 of 10, 1 MiB segments', () => {
  it('round-trips from several random sets of k shares (any N−k missing), reading the source one segment at a time', async () => {
    const size = 64 << 20;
    const data = randomBytes(size);
    const reads: number[] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    const source: FileSource = {
      size,
      async read(offset, length) {
        reads.push(length);
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        await Promise.resolve();
        inFlight--;
        return data.slice(offset, offset + length);
      },
    };
    const prepared = await prepareImmutable(source, { k: 3, n: 10, segmentSize: 1 << 20 }, { randomKey: randomBytes(16) }, { signal });
    const writer = new MemoryShares(10, prepared.shareSize);
    const progress: number[] = [];
    const cap = await encodeImmutable(prepared, source, runner, writer, { signal, pipelineDepth: 3, onProgress: (b) => progress.push(b) });
    expect(writer.complete()).toBe(true);
    expect(Math.max(...reads)).toBe(1048578);
    expect(mostInFlight).toBeLessThanOrEqual(3);
    expect(writer.largestWrite).toBeLessThan(1 << 20);
    expect(progress.at(-1)).toBe(size);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));

    const subsets = [[9, 8, 7]]; // all parity: the most decoding work
    for (let t = 0; t < 2; t++) {
      const pool = Array.from({ length: 10 }, (_, i) => i);
      subsets.push(Array.from({ length: 3 }, () => pool.splice(Math.floor(Math.random() * pool.length), 1)[0]!));
    }
    for (const nums of subsets) {
      const out = await decode(cap, memorySource(nums.map((s) => [s, writer.shares[s]!])));
      expect(out.length, `shares ${nums}`).toBe(size);
      expect(equalBytes(out, data), `shares ${nums}`).toBe(true);
    }
  });
});

describe('damaged shares (k=3, N=10, 200 KiB in 16 KiB segments)', async () => {
  const e = await encode(randomBytes(200 * 1024 + 7), 3, 10, 16 * 1024);
  const { layout, segmentation: seg } = e.prepared;
  const blockAt = (j: number): number => layout.blocks + j * seg.blockSize;

  it('a corrupted block is named (share, segment), reported, and replaced by another share', async () => {
    const src = memorySource(entries(e, [0, 1, 2, 3], (s, b) => (s === 1 ? flip(b, blockAt(5) + 100) : b)));
    expect(equalBytes(await decode(e.cap, src), e.data)).toBe(true);
    expect(src.log.corrupt).toHaveLength(1);
    expect(src.log.corrupt[0]!.shareNum).toBe(1);
    expect(src.log.corrupt[0]!.reason).toMatch(/share 1 \(segment 5\) is bad: the block does not match its block hash tree/);
    expect(src.log.handedOut).toEqual([0, 1, 2, 3]);
  });

  it('with no share to spare: NotEnoughSharesError naming the bad block', async () => {
    const err = await decodeError(e.cap, memorySource(entries(e, [4, 5, 6], (s, b) => (s === 6 ? flip(b, blockAt(12)) : b))));
    expect(err).toBeInstanceOf(NotEnoughSharesError);
    expect(err.message).toMatch(/^found 2 of the 3 shares needed; dropped: share 6 \(segment 12\) is bad/);
    const problem = (err as NotEnoughSharesError).problems[0];
    expect(problem).toBeInstanceOf(BadBlockError);
    expect(problem).toMatchObject({ name: 'BadBlockError', shareNum: 6, segmentIndex: 12 });
  });

  it.each([
    ['a corrupted UEB', (b: Uint8Array) => flip(b, layout.ueb + 40), /UEB does not match the cap's UEB hash/],
    ['a corrupted share hash chain', (b: Uint8Array) => flip(b, layout.shareHashChain + 20), /share hash chain does not match/],
    ['a corrupted block hash tree', (b: Uint8Array) => flip(b, layout.blockHashTree + 33), /block hash tree does not match its root/],
    ['a corrupted crypttext hash tree', (b: Uint8Array) => flip(b, layout.crypttextHashTree + 64), /crypttext hash tree does not match/],
    ['a truncated share', (b: Uint8Array) => b.slice(0, layout.end - 10), /truncated/],
    ['a share cut after its header', (b: Uint8Array) => b.slice(0, SHARE_HEADER_BYTES + 5), /truncated/],
    ['an empty share', () => new Uint8Array(0), /asked for 56 bytes of its header at offset 0, got 0 bytes \(truncated\)/],
    ['a wrong layout version', (b: Uint8Array) => ((b[5] = 9), b), /layout version 9 is not known/],
    ['a header offset off by one', (b: Uint8Array) => (writeUint64BE(b, 16, layout.blockHashTree + 1), b), /its header puts the block hash tree at \d+, but the UEB implies \d+/],
  ])('%s in the first share is named, reported and worked around', async (_, damage, reason) => {
    const src = memorySource(entries(e, [7, 2, 5, 9], (s, b) => (s === 7 ? damage(b) : b)));
    expect(equalBytes(await decode(e.cap, src), e.data)).toBe(true);
    expect(src.log.corrupt.map((c) => c.shareNum)).toEqual([7]);
    expect(src.log.corrupt[0]!.reason).toMatch(reason);
  });

  it('a wrong version is a ShareVersionError in the problems', async () => {
    const err = await decodeError(e.cap, memorySource(entries(e, [0, 1, 2], (s, b) => (s === 0 ? ((b[5] = 2), b) : b))));
    expect((err as NotEnoughSharesError).problems[0]).toBeInstanceOf(ShareVersionError);
    expect(err.message).toMatch(/share 0 is bad: its layout version 2 is not known to this bric/);
  });

  it('a share presented as another share number is caught as swapped', async () => {
    const swapped: [number, Uint8Array][] = [
      [3, e.shares[5]!],
      [5, e.shares[3]!],
      [1, e.shares[1]!],
      [8, e.shares[8]!],
      [0, e.shares[0]!],
    ];
    const src = memorySource(swapped);
    expect(equalBytes(await decode(e.cap, src), e.data)).toBe(true);
    expect(src.log.corrupt).toEqual([
      { shareNum: 3, reason: expect.stringMatching(/share 3 is bad: it says it is share 5 \(swapped or misfiled\)/) },
      { shareNum: 5, reason: expect.stringMatching(/it says it is share 3/) },
    ]);
  });

  it('a swapped share whose header was rewritten still fails its share hash chain', async () => {
    const forged = e.shares[5]!.slice();
    forged[7] = 3; // header now claims share 3
    const err = await decodeError(e.cap, memorySource([[3, forged], [1, e.shares[1]!], [2, e.shares[2]!]]));
    expect(err.message).toMatch(/found 2 of the 3 shares needed; dropped: share 3 is bad: its share hash chain/);
  });

  it('an unreadable share is dropped without being called corrupt', async () => {
    const log: SourceLog = { corrupt: [], handedOut: [] };
    const inner = memorySource(entries(e, [0, 1, 2, 3]), log);
    let calls = 0;
    const flaky: ShareSource = {
      async next(o) {
        const r = await inner.next(o);
        if (r === null || r.shareNum !== 2) return r;
        const failing: ShareReader = {
          shareNum: 2,
          read: (offset, length, ro) => (++calls > 3 ? Promise.reject(new Error('connection lost')) : r.read(offset, length, ro)),
          reportCorrupt: r.reportCorrupt!,
        };
        return failing;
      },
    };
    expect(equalBytes(await decode(e.cap, flaky), e.data)).toBe(true);
    expect(log.corrupt).toEqual([]);
    let given = false;
    const gone: ShareReader = { shareNum: 2, read: () => Promise.reject(new Error('gone')) };
    const err = await decodeError(e.cap, { next: () => Promise.resolve(given ? null : ((given = true), gone)) });
    expect((err as NotEnoughSharesError).problems[0]).toBeInstanceOf(ShareUnavailableError);
    expect(err.message).toBe('found 0 of the 3 shares needed; dropped: share 2 is unavailable: reading its header failed (Error: gone)');
  });

  it('not enough shares: the message says how many were found of how many needed', async () => {
    const err = await decodeError(e.cap, memorySource(entries(e, [3, 8])));
    expect(err).toBeInstanceOf(NotEnoughSharesError);
    expect(err.message).toBe('found 2 of the 3 shares needed');
    expect(err).toMatchObject({ name: 'NotEnoughSharesError', found: 2, needed: 3 });
    const none = await decodeError(e.cap, memorySource([]));
    expect(none.message).toBe('found 0 of the 3 shares needed');
  });

  it('a second copy of a share already in use is skipped; a good copy of a dropped share is used', async () => {
    const bad = flip(e.shares[4]!.slice(), blockAt(2));
    const src = memorySource([[4, bad], [6, e.shares[6]!], [6, e.shares[6]!], [9, e.shares[9]!], [4, e.shares[4]!]]);
    expect(equalBytes(await decode(e.cap, src), e.data)).toBe(true);
    expect(src.log.corrupt.map((c) => c.shareNum)).toEqual([4]);
    expect(src.log.handedOut).toEqual([4, 6, 6, 9, 4]);
  });

  it('share numbers out of range are bad shares', async () => {
    const err = await decodeError(e.cap, memorySource([[10, e.shares[0]!], [0, e.shares[0]!], [1, e.shares[1]!]]));
    expect(err.message).toMatch(/share 10 is bad: there is no share 10 of a file with N=10/);
  });

  it('a cap with another UEB hash finds no good share', async () => {
    const cap = { ...e.cap, uebHash: new Uint8Array(32) };
    const err = await decodeError(cap, memorySource(entries(e, [0, 1, 2])));
    expect(err.message).toMatch(/found 0 of the 3 shares needed; dropped: share 0 is bad: its UEB does not match/);
  });

  it('an encoder that lies about a crypttext hash is caught as BadCrypttextError, blaming no share', async () => {
    const lying: SegmentRunner = {
      ...runner,
      async encodeSegment(job, o) {
        const r = await runner.encodeSegment(job, o);
        return job.segmentIndex === 3 ? { ...r, crypttextHash: new Uint8Array(32) } : r;
      },
    };
    const source = bytesFileSource(e.data);
    const writer = new MemoryShares(10, e.prepared.shareSize);
    const cap = await encodeImmutable(e.prepared, source, lying, writer, { signal });
    const src = memorySource(writer.shares.map((b, s) => [s, b]));
    const err = await decodeError(cap, src);
    expect(err).toBeInstanceOf(BadCrypttextError);
    expect(err).toMatchObject({ segmentIndex: 3 });
    expect(src.log.corrupt).toEqual([]);
  });

  it('stops with the abort reason when aborted mid-way', async () => {
    const ctl = new AbortController();
    const it = decodeImmutable(e.cap, memorySource(entries(e, [0, 1, 2])), runner, { signal: ctl.signal })[Symbol.asyncIterator]();
    await it.next();
    ctl.abort(new Error('the person cancelled'));
    await expect(it.next()).rejects.toThrow('the person cancelled');
  });

  it('any single corrupted byte anywhere in one share: output stays right, and only that share is ever blamed', async () => {
    const small = await encode(randomBytes(5000), 3, 5, 1000);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 4 }), fc.nat({ max: small.prepared.shareSize - 1 }), fc.shuffledSubarray([0, 1, 2, 3, 4], { minLength: 4, maxLength: 4 }), async (victim, at, order) => {
        const src = memorySource(order.map((s) => [s, s === victim ? flip(small.shares[s]!.slice(), at) : small.shares[s]!]));
        expect(bytesToHex(await decode(small.cap, src))).toBe(bytesToHex(small.data));
        for (const c of src.log.corrupt) expect(c.shareNum).toBe(victim);
      }),
      { numRuns: 150 },
    );
  });
});

describe('hash trees too big to read whole (4100 segments: nodes read per segment)', async () => {
  const e = await encode(randomBytes(8200), 2, 4, 2);
  const { layout } = e.prepared;
  expect(layout.treeNodes * 32).toBeGreaterThan(WHOLE_TREE_READ_BYTES);

  it('round-trips, reporting progress per segment', async () => {
    const progress: number[] = [];
    const out = await collect(decodeImmutable(e.cap, memorySource(entries(e, [3, 2])), runner, { signal, onProgress: (b) => progress.push(b) }));
    expect(equalBytes(out, e.data)).toBe(true);
    expect(progress).toHaveLength(4100);
    expect(progress.at(-1)).toBe(8200);
  });

  it('a bad block-hash-tree node met half-way drops the share at that segment', async () => {
    // Node of leaf 4000's sibling: checked when segment 4000 (or 4001) is verified, long after opening.
    const firstLeaf = (layout.treeNodes + 1) / 2 - 1;
    const src = memorySource(entries(e, [3, 1, 0], (s, b) => (s === 1 ? flip(b, layout.blockHashTree + (firstLeaf + 4001) * 32) : b)));
    expect(equalBytes(await decode(e.cap, src), e.data)).toBe(true);
    expect(src.log.corrupt).toEqual([{ shareNum: 1, reason: expect.stringMatching(/share 1 \(segment 4000\) is bad: the block does not match/) }]);
  });

  it('a bad crypttext-tree node drops the share that gave it', async () => {
    const firstLeaf = (layout.treeNodes + 1) / 2 - 1;
    const src = memorySource(entries(e, [0, 3, 2], (s, b) => (s === 0 ? flip(b, layout.crypttextHashTree + (firstLeaf + 2500) * 32) : b)));
    expect(equalBytes(await decode(e.cap, src), e.data)).toBe(true);
    expect(src.log.corrupt).toEqual([{ shareNum: 0, reason: expect.stringMatching(/share 0 \(segment 2500\) is bad: its crypttext hash tree does not match/) }]);
  });
});

describe('encoding', () => {
  it('convergent: same file and secret → same cap and storage index; another secret → another; random keys differ', async () => {
    const data = randomBytes(30_000);
    const a = await encode(data, 3, 10, 4096);
    const b = await encode(data, 3, 10, 4096);
    expect(bytesToHex(a.cap.key)).toBe(bytesToHex(b.cap.key));
    expect(bytesToHex(a.cap.uebHash)).toBe(bytesToHex(b.cap.uebHash));
    expect(bytesToHex(a.prepared.storageIndex)).toBe(bytesToHex(b.prepared.storageIndex));
    expect(a.shares.map(bytesToHex)).toEqual(b.shares.map(bytesToHex));
    const c = await encode(data, 3, 10, 4096, { convergenceSecret: new Uint8Array(16).fill(8) });
    expect(bytesToHex(c.cap.key)).not.toBe(bytesToHex(a.cap.key));
    expect(bytesToHex(c.prepared.storageIndex)).not.toBe(bytesToHex(a.prepared.storageIndex));
    const r1 = await encode(data, 3, 10, 4096, { randomKey: randomBytes(16) });
    const r2 = await encode(data, 3, 10, 4096, { randomKey: randomBytes(16) });
    expect(bytesToHex(r1.prepared.storageIndex)).not.toBe(bytesToHex(r2.prepared.storageIndex));
    expect(bytesToHex(r1.cap.uebHash)).not.toBe(bytesToHex(r2.cap.uebHash));
    for (const x of [c, r1, r2]) expect(equalBytes(await decode(x.cap, memorySource(entries(x, [5, 6, 7]))), data)).toBe(true);
  });

  it.each([
    ['an empty file', 0],
    ['a 1-byte file', 1],
    ['a 2-byte file (less than k)', 2],
  ])('%s encodes and decodes (one short segment padded to k)', async (_, size) => {
    const e = await encode(randomBytes(size), 3, 10, 1 << 20);
    expect(e.prepared.segmentation.numSegments).toBe(1);
    expect(e.prepared.params.segmentSize).toBe(3);
    const out = await decode(e.cap, memorySource(entries(e, [9, 0, 4])));
    expect(bytesToHex(out)).toBe(bytesToHex(e.data));
  });

  it('k = N = 1 and k = N = 256 work', async () => {
    for (const [k, n] of [[1, 1], [256, 256], [2, 256]] as const) {
      const e = await encode(randomBytes(3000), k, n, 512 * k);
      const nums = Array.from({ length: k }, (_, i) => n - 1 - i);
      expect(equalBytes(await decode(e.cap, memorySource(entries(e, nums))), e.data)).toBe(true);
    }
  });

  it('a writer that rejects aborts the encode with its error', async () => {
    const data = randomBytes(10_000);
    const source = bytesFileSource(data);
    const prepared = await prepareImmutable(source, { k: 2, n: 4, segmentSize: 1000 }, { convergenceSecret: secret }, { signal });
    const writer = new MemoryShares(4, prepared.shareSize);
    const failing = {
      write: (s: number, o: number, d: Uint8Array, opts: { signal: AbortSignal }) =>
        s === 3 && o > 3000 ? Promise.reject(new Error('server 3 went away')) : writer.write(s, o, d, opts),
    };
    await expect(encodeImmutable(prepared, source, runner, failing, { signal })).rejects.toThrow('server 3 went away');
  });

  it('a source that returns too few bytes, or changed size, is a SourceReadError', async () => {
    const short: FileSource = { size: 5000, read: (_o, l) => Promise.resolve(new Uint8Array(Math.max(0, l - 1))) };
    await expect(prepareImmutable(short, { k: 2, n: 4, segmentSize: 1000 }, { convergenceSecret: secret }, { signal })).rejects.toBeInstanceOf(SourceReadError);
    const prepared = await prepareImmutable(short, { k: 2, n: 4, segmentSize: 1000 }, { randomKey: new Uint8Array(16) }, { signal });
    await expect(encodeImmutable(prepared, short, runner, new MemoryShares(4, prepared.shareSize), { signal })).rejects.toThrow(/returned 999 bytes for a read of 1000/);
    await expect(encodeImmutable(prepared, bytesFileSource(new Uint8Array(4999)), runner, new MemoryShares(4, prepared.shareSize), { signal })).rejects.toThrow(/now 4999 bytes/);
  });

  it('refuses bad keying, parameters and pipeline depths clearly', async () => {
    const source = bytesFileSource(new Uint8Array(100));
    const params = { k: 3, n: 10, segmentSize: 1000 };
    await expect(prepareImmutable(source, params, { convergenceSecret: new Uint8Array(3) }, { signal })).rejects.toThrow(/16 to 64 bytes/);
    await expect(prepareImmutable(source, params, { randomKey: new Uint8Array(32) }, { signal })).rejects.toThrow(/"randomKey" expected 16 bytes/);
    await expect(prepareImmutable(source, params, {} as Keying, { signal })).rejects.toThrow(TypeError);
    await expect(prepareImmutable(source, { ...params, n: 2 }, { randomKey: new Uint8Array(16) }, { signal })).rejects.toThrow(/"n"/);
    const prepared = await prepareImmutable(source, params, { randomKey: new Uint8Array(16) }, { signal });
    await expect(encodeImmutable(prepared, source, runner, new MemoryShares(10, prepared.shareSize), { signal, pipelineDepth: 0 })).rejects.toThrow(/pipelineDepth/);
    expect(() => decodeImmutable({ ...prepared, kind: 'chk', key: new Uint8Array(16), uebHash: new Uint8Array(31), k: 3, n: 10, size: 100 } as ChkReadCap, memorySource([]), runner, { signal })).toThrow(/uebHash/);
  });

  it('wipes nothing the caller owns: the random key stays as given, the cap key is a copy', async () => {
    const key = randomBytes(16);
    const copy = key.slice();
    const e = await encode(new Uint8Array(50), 2, 3, 64, { randomKey: key });
    expect(bytesToHex(key)).toBe(bytesToHex(copy));
    expect(e.cap.key).not.toBe(key);
  });
});

/** The per-segment work: encode then decode from any k blocks, crypttext without the key, hashes. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../../src/core/bytes.js';
import { cryptAt } from '../../../src/core/crypto/cipher.js';
import { TAG_BLOCK, TAG_CRYPTTEXT_SEGMENT } from '../../../src/core/hash/tags.js';
import { taggedHash } from '../../../src/core/hash/tagged.js';
import { createInThreadRunner } from '../../../src/core/immutable/runner.js';
import { decodeSegment, encodeSegment, hashBlocks } from '../../../src/core/immutable/segment.js';
import { SegmentRunnerError } from '../../../src/core/immutable/errors.js';

const cipherKey = new Uint8Array(32).map((_, i) => i * 3);
const webSha256 = async (d: Uint8Array): Promise<Uint8Array> => new Uint8Array(await crypto.subtle.digest('SHA-256', d as Uint8Array<ArrayBuffer>));

function padded(plain: Uint8Array, k: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(plain.length / k) * k);
  out.set(plain);
  return out;
}

describe('encodeSegment / decodeSegment', () => {
  it('any k of the N blocks give back the plaintext; without the key, the crypttext', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }).chain((k) =>
          fc.tuple(fc.constant(k), fc.integer({ min: k, max: 16 }), fc.uint8Array({ maxLength: 300 }), fc.nat({ max: 1 << 30 }), fc.nat()),
        ),
        async ([k, n, plain, offset, pick]) => {
          const enc = await encodeSegment({ k, n, segmentIndex: 5, offset, length: plain.length, cipherKey, data: padded(plain, k) });
          const crypttext = cryptAt(cipherKey, offset, plain);
          expect(bytesToHex(enc.crypttextHash)).toBe(bytesToHex(taggedHash(TAG_CRYPTTEXT_SEGMENT, crypttext)));
          expect(enc.blocks).toHaveLength(n);
          enc.blocks.forEach((b, s) => expect(bytesToHex(enc.blockHashes[s]!)).toBe(bytesToHex(taggedHash(TAG_BLOCK, b))));
          // a pseudo-random choice of k distinct shares, in a shuffled order
          const all = Array.from({ length: n }, (_, s) => s);
          const shareNums: number[] = [];
          let r = pick;
          while (shareNums.length < k) {
            shareNums.push(all.splice(r % all.length, 1)[0]!);
            r = Math.floor(r / 7) + 13;
          }
          const blocks = shareNums.map((s) => enc.blocks[s]!.slice());
          const dec = await decodeSegment({ k, n, segmentIndex: 5, length: plain.length, shareNums, blocks, decrypt: { cipherKey, offset } });
          expect(bytesToHex(dec.data)).toBe(bytesToHex(plain));
          expect(dec.data.byteLength).toBe(dec.data.buffer.byteLength);
          expect(bytesToHex(dec.crypttextHash)).toBe(bytesToHex(enc.crypttextHash));
          expect(dec.blockHashes.map(bytesToHex)).toEqual(shareNums.map((s) => bytesToHex(enc.blockHashes[s]!)));
          const ct = await decodeSegment({ k, n, segmentIndex: 5, length: plain.length, shareNums, blocks: shareNums.map((s) => enc.blocks[s]!.slice()) });
          expect(bytesToHex(ct.data)).toBe(bytesToHex(crypttext));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses data that is not plaintext padded by less than k', async () => {
    const job = { k: 3, n: 5, segmentIndex: 0, offset: 0, cipherKey };
    await expect(encodeSegment({ ...job, length: 5, data: new Uint8Array(7) })).rejects.toThrow(/segment 0/);
    await expect(encodeSegment({ ...job, length: 2, data: new Uint8Array(6) })).rejects.toThrow(RangeError);
    await expect(encodeSegment({ ...job, length: 7, data: new Uint8Array(6) })).rejects.toThrow(RangeError);
  });

  it('refuses blocks that cannot hold the segment', async () => {
    const blocks = [new Uint8Array(2), new Uint8Array(2)];
    await expect(decodeSegment({ k: 2, n: 3, segmentIndex: 1, length: 5, shareNums: [0, 1], blocks })).rejects.toThrow(/cannot hold 5/);
    await expect(decodeSegment({ k: 2, n: 3, segmentIndex: 1, length: 2, shareNums: [0, 1], blocks })).rejects.toThrow(/cannot hold 2/);
  });

  it('hashBlocks hashes each block with the block tag, with noble or WebCrypto alike', async () => {
    const b = [new Uint8Array([1]), new Uint8Array(0), new Uint8Array(100_000).fill(7).subarray(3)];
    const expected = b.map((x) => bytesToHex(taggedHash(TAG_BLOCK, x)));
    expect((await hashBlocks({ blocks: b })).map(bytesToHex)).toEqual(expected);
    expect((await hashBlocks({ blocks: b }, webSha256)).map(bytesToHex)).toEqual(expected);
  });

  it('encodes to the same bytes with WebCrypto as with noble', async () => {
    const job = () => ({ k: 3, n: 7, segmentIndex: 2, offset: 999, length: 5000, cipherKey, data: new Uint8Array(5001).fill(9) });
    const a = await encodeSegment(job());
    const b = await encodeSegment(job(), webSha256);
    expect(bytesToHex(b.crypttextHash)).toBe(bytesToHex(a.crypttextHash));
    expect(b.blockHashes.map(bytesToHex)).toEqual(a.blockHashes.map(bytesToHex));
  });

  it('a digest that returns the wrong thing is refused', async () => {
    await expect(hashBlocks({ blocks: [new Uint8Array(1)] }, () => Promise.resolve(new Uint8Array(31)))).rejects.toThrow(/32 bytes/);
  });
});

describe('createInThreadRunner', () => {
  it('runs the same functions, honours an aborted signal, and refuses work once closed', async () => {
    const runner = createInThreadRunner();
    expect(runner.concurrency).toBe(1);
    const signal = new AbortController().signal;
    const job = () => ({ k: 2, n: 3, segmentIndex: 0, offset: 0, length: 4, cipherKey, data: new Uint8Array([1, 2, 3, 4]) });
    const r = await runner.encodeSegment(job(), { signal });
    expect(bytesToHex(r.crypttextHash)).toBe(bytesToHex((await encodeSegment(job())).crypttextHash));
    expect(await runner.hashBlocks({ blocks: r.blocks }, { signal })).toEqual(r.blockHashes);
    const aborted = AbortSignal.abort(new Error('stop'));
    await expect(runner.encodeSegment(job(), { signal: aborted })).rejects.toThrow('stop');
    runner.close();
    await expect(runner.hashBlocks({ blocks: [] }, { signal })).rejects.toBeInstanceOf(SegmentRunnerError);
  });
});

/**
 * The fast codec against the readable one in test/reference (fast-check): same blocks, and any
 * k of the m shares decode back to the primaries; also what the blocks returned alias.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { equalBytes } from '../../../src/core/bytes.js';
import { decodingRows, buildEncodingMatrix } from '../../../src/core/codec/matrix.js';
import { createCodec } from '../../../src/core/index.js';
import { refDecode, refEncode, refEncodingMatrix, refInvert } from '../../reference/rs-reference.js';
import { splitPrimaries } from './_helpers.js';

/** k, m, block size, the data, a byteOffset for the primaries and a k-subset of shares. */
function caseOf(maxM: number, maxSize: number) {
  return fc
    .integer({ min: 1, max: maxM })
    .chain((m) => fc.tuple(fc.constant(m), fc.integer({ min: 1, max: m }), fc.integer({ min: 0, max: maxSize })))
    .chain(([m, k, size]) =>
      fc.record({
        k: fc.constant(k),
        m: fc.constant(m),
        data: fc.uint8Array({ minLength: k * size, maxLength: k * size }),
        shift: fc.integer({ min: 0, max: 7 }),
        shares: fc.shuffledSubarray(Array.from({ length: m }, (_, i) => i), { minLength: k, maxLength: k }),
      }),
    );
}

function checkAgainstReference({ k, m, data, shift, shares }: { k: number; m: number; data: Uint8Array; shift: number; shares: number[] }): void {
  const size = data.length / k;
  const primaries = splitPrimaries(data, k, shift);
  const codec = createCodec(k, m);
  const blocks = codec.encode(primaries);
  const expected = refEncode(k, m, primaries);
  blocks.forEach((b, s) => expect(equalBytes(b, expected[s]!), `share ${s}`).toBe(true));
  const chosen = shares.map((s) => splitPrimaries(blocks[s]!, 1, (s + shift) % 4)[0]!);
  const back = codec.decode(chosen, shares);
  const refBack = refDecode(k, m, chosen, shares);
  back.forEach((p, i) => {
    expect(p.length).toBe(size);
    expect(equalBytes(p, primaries[i]!), `primary ${i} from ${shares.join(',')}`).toBe(true);
    expect(equalBytes(p, refBack[i]!)).toBe(true);
  });
}

describe('fast codec = reference codec', () => {
  it('on small random cases (every k ≤ m ≤ 12, blocks of 0..40 bytes, any byteOffset)', () => {
    fc.assert(fc.property(caseOf(12, 40), checkAgainstReference), { numRuns: 300 });
  });

  it('on blocks that span several stripes and end in a partial word', () => {
    fc.assert(fc.property(caseOf(7, 20_000), checkAgainstReference), { numRuns: 12 });
  });

  it('builds the same encoding matrices', () => {
    for (const [k, m] of [[1, 3], [2, 9], [3, 10], [5, 17], [8, 40], [13, 26]] as const) {
      const ref = refEncodingMatrix(k, m);
      expect(Array.from(buildEncodingMatrix(k, m))).toEqual(ref.flat());
    }
  });

  it('derives decoding rows equal to rows of the full inverse', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }).chain((k) =>
          fc.tuple(fc.constant(k), fc.shuffledSubarray(Array.from({ length: 2 * k + 2 }, (_, i) => i), { minLength: k, maxLength: k })),
        ),
        ([k, chosen]) => {
          const m = 2 * k + 2;
          const e = buildEncodingMatrix(k, m);
          const inverse = refInvert(chosen.map((s) => Array.from(e.subarray(s * k, s * k + k))));
          const { missing, rows } = decodingRows(e, k, chosen);
          expect(missing).toEqual(Array.from({ length: k }, (_, p) => p).filter((p) => !chosen.includes(p)));
          missing.forEach((p, q) => expect(Array.from(rows.subarray(q * k, q * k + k))).toEqual(inverse[p]));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('what encode and decode return', () => {
  const codec = createCodec(3, 6);
  const primaries = splitPrimaries(Uint8Array.from({ length: 30 }, (_, i) => i * 7), 3, 1);

  it('encode: primaries are the objects passed in, parity blocks own their whole buffer', () => {
    const blocks = codec.encode(primaries, [4, 1, 3]);
    expect(blocks[1]).toBe(primaries[1]);
    for (const b of [blocks[0]!, blocks[2]!]) {
      expect(b.byteOffset).toBe(0);
      expect(b.buffer.byteLength).toBe(10);
    }
    expect(blocks[0]!.buffer).not.toBe(blocks[2]!.buffer);
  });

  it('decode: given primaries come back as the same objects, rebuilt ones are fresh', () => {
    const blocks = codec.encode(primaries);
    const back = codec.decode([blocks[5]!, blocks[2]!, blocks[4]!], [5, 2, 4]);
    expect(back[2]).toBe(blocks[2]);
    for (const b of [back[0]!, back[1]!]) {
      expect(b.byteOffset).toBe(0);
      expect(b.buffer.byteLength).toBe(10);
    }
    back.forEach((p, i) => expect(equalBytes(p, primaries[i]!)).toBe(true));
  });

  it('decode: takes more than k shares and prefers the primaries among them', () => {
    const blocks = codec.encode(primaries);
    const garbage = new Uint8Array(10).fill(0xee); // a parity share that must not be used
    const back = codec.decode([garbage, blocks[0]!, blocks[4]!, blocks[1]!, blocks[2]!], [3, 0, 4, 1, 2]);
    expect(back).toEqual(primaries.map((p) => p));
    expect(back[0]).toBe(blocks[0]);
  });

  it('handles empty and one-byte blocks, k = 1 and k = m', () => {
    for (const [k, m, size] of [[1, 4, 0], [1, 4, 1], [4, 4, 1], [3, 10, 0], [256, 256, 1]] as const) {
      const c = createCodec(k, m);
      const p = Array.from({ length: k }, (_, i) => new Uint8Array(size).fill(i + 1));
      const blocks = c.encode(p);
      expect(blocks.map((b) => b.length)).toEqual(new Array<number>(m).fill(size));
      const nums = Array.from({ length: k }, (_, i) => m - 1 - i);
      const back = c.decode(nums.map((n) => blocks[n]!), nums);
      back.forEach((b, i) => expect(equalBytes(b, p[i]!)).toBe(true));
    }
  });
});

/** zfec 1.5.2 known answers (test/vectors/zfec-vectors.json): blocks, decoding sets and matrices. */
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../../src/core/bytes.js';
import { buildEncodingMatrix } from '../../../src/core/codec/matrix.js';
import { createCodec } from '../../../src/core/index.js';
import { refDecode, refEncode } from '../../reference/rs-reference.js';
import { loadVectors, splitPrimaries } from './_helpers.js';

const cases = loadVectors();

describe('zfec known answers', () => {
  it('has the 18 cases', () => {
    expect(cases.length).toBe(18);
  });

  for (const c of cases) {
    describe(c.name, () => {
      const input = hexToBytes(c.input_hex);
      const codec = createCodec(c.k, c.m);

      it('encodes to zfec blocks (aligned and unaligned primaries)', () => {
        for (const shift of [0, 1, 3]) {
          const blocks = codec.encode(splitPrimaries(input, c.k, shift));
          expect(blocks.map(bytesToHex)).toEqual(c.blocks_hex);
        }
      });

      it('encodes any subset of share numbers, in the order asked', () => {
        const nums = Array.from({ length: c.m }, (_, i) => c.m - 1 - i).filter((_, i) => i % 2 === 0);
        const blocks = codec.encode(splitPrimaries(input, c.k), nums);
        expect(blocks.map(bytesToHex)).toEqual(nums.map((n) => c.blocks_hex[n]));
      });

      it('decodes every decoding set back to the input', () => {
        for (const set of c.decode_sets) {
          const primaries = codec.decode(set.map((s) => hexToBytes(c.blocks_hex[s]!)), set);
          expect(primaries.map(bytesToHex).join('')).toBe(c.input_hex);
        }
      });

      if (c.matrix_hex !== null) {
        it('has zfec\'s encoding matrix', () => {
          const e = buildEncodingMatrix(c.k, c.m);
          const rows = Array.from({ length: c.m }, (_, r) => bytesToHex(e.subarray(r * c.k, (r + 1) * c.k)));
          expect(rows).toEqual(c.matrix_hex);
        });
      }

      if (c.k <= 20) {
        it('is also what the reference codec computes', () => {
          expect(refEncode(c.k, c.m, splitPrimaries(input, c.k)).map(bytesToHex)).toEqual(c.blocks_hex);
          for (const set of c.decode_sets) {
            const back = refDecode(c.k, c.m, set.map((s) => hexToBytes(c.blocks_hex[s]!)), set);
            expect(back.map(bytesToHex).join('')).toBe(c.input_hex);
          }
        });
      }
    });
  }
});

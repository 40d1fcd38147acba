/** The UEB: golden bytes from the reference encoder, round trips, and strict refusal of every bad field. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes, writeUint32BE, writeUint64BE } from '../../../src/core/bytes.js';
import { UebError, UebVersionError } from '../../../src/core/immutable/errors.js';
import { segmentation } from '../../../src/core/immutable/segmentation.js';
import { encodeUeb, hashUeb, parseUeb, UEB_V1_BYTES, uebSegmentation } from '../../../src/core/immutable/ueb.js';
import { golden } from './_golden.js';

const first = golden.cases[0]!;
const uebBytes = hexToBytes(first.uebHex);

function mutate(at: number, write: (b: Uint8Array) => void): Uint8Array {
  const b = uebBytes.slice();
  write(b.subarray(at));
  return b;
}

describe('parseUeb', () => {
  it('reads the golden UEB of 100 bytes, k=3, N=5, 33-byte segments', () => {
    const ueb = parseUeb(uebBytes);
    expect(ueb).toMatchObject({ version: 1, codec: 1, cipher: 1, k: 3, n: 5, segmentSize: 33, tailSegmentSize: 1, size: 100, numSegments: 4 });
    expect(bytesToHex(ueb.crypttextRoot)).toBe(first.uebHex.slice(64, 128));
    expect(bytesToHex(ueb.shareRoot)).toBe(first.uebHex.slice(128, 192));
    expect(bytesToHex(hashUeb(uebBytes))).toBe(first.uebHashHex);
    expect(bytesToHex(encodeUeb(uebSegmentation(ueb), ueb.crypttextRoot, ueb.shareRoot))).toBe(first.uebHex);
  });

  it('reads every golden UEB and re-encodes it identically', () => {
    for (const c of golden.cases) {
      const ueb = parseUeb(hexToBytes(c.uebHex));
      expect(ueb.k).toBe(c.k);
      expect(bytesToHex(encodeUeb(uebSegmentation(ueb), ueb.crypttextRoot, ueb.shareRoot))).toBe(c.uebHex);
    }
  });

  it('names an unknown version as such', () => {
    expect(() => parseUeb(mutate(0, (b) => (b[1] = 2)))).toThrow(UebVersionError);
    expect(() => parseUeb(mutate(0, (b) => (b[1] = 2)))).toThrow(/version 2 is not known/);
    expect(() => parseUeb(new Uint8Array([0, 9, 1, 1]))).toThrow(UebVersionError);
    expect(() => parseUeb(new Uint8Array([1]))).toThrow(UebError);
  });

  it.each([
    ['a short UEB', uebBytes.subarray(0, 95), /96 bytes/],
    ['a long UEB', new Uint8Array([...uebBytes, 0]), /96 bytes/],
    ['an unknown codec', mutate(2, (b) => (b[0] = 2)), /codec 2/],
    ['an unknown cipher', mutate(3, (b) => (b[0] = 0)), /cipher 0/],
    ['k = 0', mutate(4, (b) => (b[1] = 0)), /k=0/],
    ['N < k', mutate(6, (b) => (b[1] = 2)), /N=2/],
    ['N > 256', mutate(6, (b) => ((b[0] = 1), (b[1] = 1))), /N=257/],
    ['a segment size not a multiple of k', mutate(8, (b) => writeUint32BE(b, 0, 34)), /multiple of k/],
    ['a zero segment size', mutate(8, (b) => writeUint32BE(b, 0, 0)), /segment size 0/],
    ['a huge segment size', mutate(8, (b) => writeUint32BE(b, 0, 0xffffffff)), /segment size/],
    ['a segment size larger than the file', mutate(8, (b) => writeUint32BE(b, 0, 105)), /larger than the 100-byte file/],
    ['a wrong tail size', mutate(12, (b) => writeUint32BE(b, 0, 2)), /last segment/],
    ['a wrong segment count', mutate(24, (b) => writeUint64BE(b, 0, 5)), /says 5 segments/],
    ['a size over 2^53', mutate(16, (b) => b.fill(0xff, 0, 8)), /larger than 2\^53/],
  ])('refuses %s', (_, bytes, message) => {
    expect(() => parseUeb(bytes)).toThrow(UebError);
    expect(() => parseUeb(bytes)).toThrow(message);
  });

  it('round-trips any segmentation', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 256 }).chain((k) =>
          fc.tuple(fc.constant(k), fc.integer({ min: k, max: 256 }), fc.integer({ min: 1, max: 5000 }), fc.nat({ max: 10_000_000 })),
        ),
        ([k, n, segUnits, size]) => {
          const segmentSize = Math.min(segUnits * k, Math.ceil(Math.max(1, size) / k) * k);
          const seg = segmentation({ k, n, segmentSize }, size);
          const bytes = encodeUeb(seg, new Uint8Array(32).fill(1), new Uint8Array(32).fill(2));
          expect(bytes.length).toBe(UEB_V1_BYTES);
          expect(uebSegmentation(parseUeb(bytes))).toEqual(seg);
        },
      ),
    );
  });

  it('either parses flipped bytes consistently or throws UebError, nothing else', () => {
    fc.assert(
      fc.property(fc.nat({ max: 95 }), fc.integer({ min: 1, max: 255 }), (at, x) => {
        const b = uebBytes.slice();
        b[at]! ^= x;
        try {
          const ueb = parseUeb(b);
          expect(uebSegmentation(ueb).numSegments).toBe(ueb.numSegments);
        } catch (err) {
          expect(err).toBeInstanceOf(UebError);
        }
      }),
    );
  });

  it('refuses what is not bytes', () => {
    expect(() => parseUeb('ueb' as unknown as Uint8Array)).toThrow(TypeError);
  });
});

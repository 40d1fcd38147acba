/** Segment and block arithmetic (Tahoe's encode.py): shrinking, rounding to k, the padded tail. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { effectiveParams, segmentation, segmentSpan } from '../../../src/core/immutable/segmentation.js';
import { MAX_SEGMENT_BYTES } from '../../../src/core/limits.js';

describe('effectiveParams', () => {
  it.each([
    [{ k: 3, n: 10, segmentSize: 1 << 20 }, 10 << 20, 1048578],
    [{ k: 3, n: 10, segmentSize: 1 << 20 }, 1, 3],
    [{ k: 3, n: 10, segmentSize: 1 << 20 }, 0, 3],
    [{ k: 3, n: 10, segmentSize: 1 << 20 }, 100, 102],
    [{ k: 1, n: 1, segmentSize: 7 }, 100, 7],
    [{ k: 4, n: 7, segmentSize: 64 }, 200, 64],
  ])('%o for %d bytes → segment size %d', (params, size, expected) => {
    expect(effectiveParams(params, size).segmentSize).toBe(expected);
  });

  it.each([
    [{ k: 0, n: 10, segmentSize: 100 }, /"k"/],
    [{ k: 3, n: 2, segmentSize: 100 }, /"n"/],
    [{ k: 3, n: 257, segmentSize: 100 }, /"n"/],
    [{ k: 3, n: 10, segmentSize: 0 }, /"segmentSize"/],
    [{ k: 3, n: 10, segmentSize: MAX_SEGMENT_BYTES + 1 }, /"segmentSize"/],
    [{ k: 3, n: 10, segmentSize: 1.5 }, /"segmentSize"/],
    [{ k: 3, n: 10, segmentSize: MAX_SEGMENT_BYTES }, /over/],
  ])('refuses %o', (params, message) => {
    expect(() => effectiveParams(params, 1 << 30)).toThrow(message);
  });

  it('refuses impossible sizes', () => {
    expect(() => effectiveParams({ k: 1, n: 1, segmentSize: 1 }, -1)).toThrow(/"size"/);
    expect(() => effectiveParams({ k: 1, n: 1, segmentSize: 1 }, 2 ** 53)).toThrow(/"size"/);
  });
});

describe('segmentation', () => {
  it('cuts 100 bytes in 33-byte segments of k=3 like Tahoe', () => {
    const seg = segmentation({ k: 3, n: 5, segmentSize: 33 }, 100);
    expect(seg).toEqual({ k: 3, n: 5, segmentSize: 33, size: 100, numSegments: 4, tailSegmentSize: 1, blockSize: 11, tailBlockSize: 1 });
    expect(segmentSpan(seg, 3)).toEqual({ index: 3, offset: 99, length: 1, paddedLength: 3, blockSize: 1 });
    expect(() => segmentSpan(seg, 4)).toThrow(RangeError);
  });

  it('gives an empty file one empty segment', () => {
    const seg = segmentation({ k: 2, n: 3, segmentSize: 2 }, 0);
    expect(seg).toMatchObject({ numSegments: 1, tailSegmentSize: 0, tailBlockSize: 0 });
    expect(segmentSpan(seg, 0)).toEqual({ index: 0, offset: 0, length: 0, paddedLength: 0, blockSize: 0 });
  });

  it('refuses a segment size that is not a multiple of k', () => {
    expect(() => segmentation({ k: 3, n: 5, segmentSize: 32 }, 100)).toThrow(/multiple of k/);
  });

  it('covers the file exactly with segments padded by less than k', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 500 }), fc.nat({ max: 20000 }), (k, segReq, size) => {
        const seg = segmentation(effectiveParams({ k, n: k + 2, segmentSize: segReq }, size), size);
        let at = 0;
        const wrong: string[] = [];
        for (let j = 0; j < seg.numSegments; j++) {
          const span = segmentSpan(seg, j);
          if (span.offset !== at) wrong.push(`segment ${j} starts at ${span.offset}, not ${at}`);
          if (span.paddedLength % k !== 0 || span.paddedLength - span.length >= k || span.paddedLength !== span.blockSize * k) {
            wrong.push(`segment ${j} is padded from ${span.length} to ${span.paddedLength} (blocks of ${span.blockSize})`);
          }
          if (span.length === 0 && size !== 0) wrong.push(`segment ${j} is empty`);
          at += span.length;
        }
        expect(wrong).toEqual([]);
        expect(at).toBe(size);
      }),
    );
  });
});

/** The share layout: golden header bytes, sizes known up front, strict header and chain parsing. */
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes, readUint64BE, writeUint64BE } from '../../../src/core/bytes.js';
import { HashTree } from '../../../src/core/hash/hashtree.js';
import { BadShareError, ShareVersionError } from '../../../src/core/immutable/errors.js';
import {
  assertHeaderMatches,
  computeLayout,
  computeShareSize,
  encodeHeader,
  encodeShareHashChain,
  parseHeader,
  parseShareHashChain,
  SHARE_HEADER_BYTES,
  shareHashChainIndices,
} from '../../../src/core/immutable/layout.js';
import { effectiveParams, segmentation } from '../../../src/core/immutable/segmentation.js';
import { MAX_UEB_BYTES } from '../../../src/core/limits.js';
import { golden } from './_golden.js';

const first = golden.cases[0]!; // 100 bytes, k=3, N=5, 33-byte segments
const share2 = hexToBytes(first.sharesHex[2]!);
const seg = segmentation({ k: 3, n: 5, segmentSize: 33 }, 100);
const layout = computeLayout(seg);

describe('computeLayout', () => {
  it('places the regions of the golden share as the offset table says', () => {
    // blocks 11+11+11+1; 4 segments → P=4 → 7 tree nodes; N=5 → Q=8 → chain of 4 entries.
    expect(layout).toEqual({
      blocks: 56,
      blockHashTree: 56 + 34,
      shareHashChain: 90 + 7 * 32,
      crypttextHashTree: 314 + 4 * 34,
      ueb: 450 + 7 * 32,
      end: 674 + 96,
      treeNodes: 7,
      chainEntries: 4,
    });
    expect(share2.length).toBe(layout.end);
    expect(bytesToHex(share2.subarray(0, SHARE_HEADER_BYTES))).toBe(bytesToHex(encodeHeader(layout, 2)));
    expect(bytesToHex(share2.subarray(layout.ueb))).toBe(first.uebHex);
  });

  it('golden header bytes: magic, version 1, share number, six offsets', () => {
    expect(bytesToHex(encodeHeader(layout, 2))).toBe(
      '62726963' + '0001' + '0002' + [56, 90, 314, 450, 674, 770].map((v) => v.toString(16).padStart(16, '0')).join(''),
    );
  });

  it('knows every golden share size before encoding', () => {
    for (const c of golden.cases) {
      expect(computeShareSize({ k: c.k, n: c.n, segmentSize: c.segmentSize }, c.plaintextHex.length / 2)).toBe(c.sharesHex[0]!.length / 2);
    }
  });

  it('sizes a 64 MiB file at 1 MiB segments, 3 of 10, to a third of it plus a few KiB', () => {
    const size = 64 << 20;
    const shareSize = computeShareSize({ k: 3, n: 10, segmentSize: 1 << 20 }, size);
    const s = segmentation(effectiveParams({ k: 3, n: 10, segmentSize: 1 << 20 }, size), size);
    const blocks = (s.numSegments - 1) * s.blockSize + s.tailBlockSize;
    expect(blocks).toBe(Math.ceil(size / 3));
    expect(shareSize - blocks).toBe(56 + 2 * 127 * 32 + 5 * 34 + 96);
  });
});

describe('shareHashChainIndices', () => {
  it('is the leaf and its uncles, as HashTree.neededHashes(s, true), for every N', () => {
    for (const n of [...Array.from({ length: 20 }, (_, i) => i + 1), 31, 32, 33, 100, 127, 128, 129, 255, 256]) {
      const tree = new HashTree(Array.from({ length: n }, () => new Uint8Array(32)));
      for (const s of [0, n - 1, n >> 1]) expect(shareHashChainIndices(s, n)).toEqual(tree.neededHashes(s, true));
    }
  });

  it('round-trips through bytes and refuses a wrong length or a wrong index', () => {
    const chain = new Map(shareHashChainIndices(3, 5).map((i) => [i, new Uint8Array(32).fill(i)] as const));
    const bytes = encodeShareHashChain(chain, 3, 5);
    expect(parseShareHashChain(bytes, 3, 5)).toEqual(chain);
    expect(() => parseShareHashChain(bytes.subarray(1), 3, 5)).toThrow(BadShareError);
    const wrong = bytes.slice();
    wrong[1]! ^= 1;
    expect(() => parseShareHashChain(wrong, 3, 5)).toThrow(/names node/);
    expect(() => parseShareHashChain(bytes, 4, 5)).toThrow(/names node/);
  });
});

describe('parseHeader', () => {
  const header = share2.slice(0, SHARE_HEADER_BYTES);
  const tweak = (f: (b: Uint8Array) => void): Uint8Array => {
    const b = header.slice();
    f(b);
    return b;
  };

  it('reads the golden header and accepts it against the layout', () => {
    const h = parseHeader(header, 2);
    expect(h.shareNum).toBe(2);
    expect(h.offsets.end).toBe(770);
    expect(() => assertHeaderMatches(h, layout)).not.toThrow();
  });

  it('names a share that says it is another share number', () => {
    expect(() => parseHeader(header, 3)).toThrow(BadShareError);
    expect(() => parseHeader(header, 3)).toThrow(/share 3 is bad: it says it is share 2/);
  });

  it('names an unknown layout version', () => {
    const err = (() => {
      try {
        parseHeader(tweak((b) => (b[5] = 2)), 2);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ShareVersionError);
    expect(err).toMatchObject({ name: 'ShareVersionError', shareNum: 2 });
    expect(String((err as Error).message)).toMatch(/layout version 2 is not known/);
  });

  it.each([
    ['a truncated header', header.subarray(0, 55), /truncated/],
    ['a wrong magic', tweak((b) => (b[0] = 0x42)), /magic/],
    ['blocks not right after the header', tweak((b) => writeUint64BE(b, 8, 57)), /blocks start at 57/],
    ['offsets out of order', tweak((b) => writeUint64BE(b, 16, 10_000)), /out of order/],
    ['an offset over 2^53', tweak((b) => b.fill(0xff, 48, 56)), /2\^53/],
    ['a huge UEB', tweak((b) => writeUint64BE(b, 48, readUint64BE(b, 40) + MAX_UEB_BYTES + 1)), /over 4096/],
  ])('refuses %s', (_, bytes, message) => {
    expect(() => parseHeader(bytes, 2)).toThrow(BadShareError);
    expect(() => parseHeader(bytes, 2)).toThrow(message);
  });

  it('refuses a header whose offsets the UEB does not imply', () => {
    const h = parseHeader(tweak((b) => writeUint64BE(b, 48, 771)), 2);
    expect(() => assertHeaderMatches(h, layout)).toThrow(/puts the end of the share at 771, but the UEB implies 770/);
  });
});

/**
 * The URI extension block (UEB): the file's encoding parameters and the roots of its hash trees,
 * as Tahoe's UEB, but in a fixed, versioned, strictly parsed byte layout instead of Tahoe's
 * netstring dictionary. Its tagged hash sits in the cap, so it ties the cap to every share byte.
 * @module
 */
import { assertBytes, readUint32BE, readUint64BE, writeUint32BE, writeUint64BE } from '../bytes.js';
import { CIPHER_CHACHA20_OFFSET_V1 } from '../crypto/cipher.js';
import { HASH_BYTES } from '../hash/hashtree.js';
import { TAG_UEB } from '../hash/tags.js';
import { taggedHash } from '../hash/tagged.js';
import { MAX_FILE_BYTES, MAX_SEGMENT_BYTES, MAX_SEGMENTS, MAX_SHARES } from '../limits.js';
import { UebError, UebVersionError } from './errors.js';
import { nextMultiple, segmentation, type Segmentation } from './segmentation.js';

/*
 * UEB version 1, 96 bytes, integers big-endian. parseUeb refuses any other length or value.
 *
 *  offset  bytes  field                      accepted values
 *   0       2     version                    1 (anything else: UebVersionError)
 *   2       1     codec                      1 = zfec-compatible Reed-Solomon over GF(2^8)
 *   3       1     cipher                     1 = ChaCha20 addressed by byte offset (crypto/cipher.ts)
 *   4       2     k (shares needed)          1..256
 *   6       2     N (shares total)           k..256
 *   8       4     segment size               1..MAX_SEGMENT_BYTES, a multiple of k,
 *                                            ≤ the file size rounded up to a multiple of k
 *  12       4     tail segment size          size − (segments − 1) × segment size
 *  16       8     file size                  0..2^53 − 1
 *  24       8     segment count              max(1, ceil(size / segment size)) ≤ MAX_SEGMENTS
 *  32      32     crypttext hash tree root
 *  64      32     share hash tree root
 *  96             end
 */
export const UEB_VERSION_1 = 1;
export const UEB_V1_BYTES = 96;
export const CODEC_ZFEC_RS = 1;

export interface Ueb {
  readonly version: typeof UEB_VERSION_1;
  readonly codec: typeof CODEC_ZFEC_RS;
  readonly cipher: typeof CIPHER_CHACHA20_OFFSET_V1;
  readonly k: number;
  readonly n: number;
  readonly segmentSize: number;
  readonly tailSegmentSize: number;
  readonly size: number;
  readonly numSegments: number;
  readonly crypttextRoot: Uint8Array;
  readonly shareRoot: Uint8Array;
}

/** Encodes a UEB for a segmentation and the two tree roots. */
export function encodeUeb(seg: Segmentation, crypttextRoot: Uint8Array, shareRoot: Uint8Array): Uint8Array {
  assertBytes(crypttextRoot, 'crypttextRoot', HASH_BYTES);
  assertBytes(shareRoot, 'shareRoot', HASH_BYTES);
  const out = new Uint8Array(UEB_V1_BYTES);
  out[0] = 0;
  out[1] = UEB_VERSION_1;
  out[2] = CODEC_ZFEC_RS;
  out[3] = CIPHER_CHACHA20_OFFSET_V1;
  out[4] = seg.k >>> 8;
  out[5] = seg.k & 0xff;
  out[6] = seg.n >>> 8;
  out[7] = seg.n & 0xff;
  writeUint32BE(out, 8, seg.segmentSize);
  writeUint32BE(out, 12, seg.tailSegmentSize);
  writeUint64BE(out, 16, seg.size);
  writeUint64BE(out, 24, seg.numSegments);
  out.set(crypttextRoot, 32);
  out.set(shareRoot, 64);
  return out;
}

/** taggedHash(TAG_UEB, ueb): the value a cap carries. */
export function hashUeb(uebBytes: Uint8Array): Uint8Array {
  return taggedHash(TAG_UEB, uebBytes);
}

function field(ok: boolean, message: string): void {
  if (!ok) throw new UebError(`UEB ${message}`);
}

/** Parses UEB bytes, refusing every value outside its layout (see the table above). */
export function parseUeb(bytes: Uint8Array): Ueb {
  assertBytes(bytes, 'ueb');
  if (bytes.length < 2) throw new UebError(`UEB is ${bytes.length} bytes, too short to hold a version`);
  const version = (bytes[0]! << 8) | bytes[1]!;
  if (version !== UEB_VERSION_1) {
    throw new UebVersionError(`UEB version ${version} is not known to this bric (it reads version ${UEB_VERSION_1})`);
  }
  field(bytes.length === UEB_V1_BYTES, `version 1 must be ${UEB_V1_BYTES} bytes, got ${bytes.length}`);
  const codec = bytes[2]!;
  const cipher = bytes[3]!;
  field(codec === CODEC_ZFEC_RS, `names codec ${codec}, not the known ${CODEC_ZFEC_RS}`);
  field(cipher === CIPHER_CHACHA20_OFFSET_V1, `names cipher ${cipher}, not the known ${CIPHER_CHACHA20_OFFSET_V1}`);
  const k = (bytes[4]! << 8) | bytes[5]!;
  const n = (bytes[6]! << 8) | bytes[7]!;
  field(k >= 1 && k <= MAX_SHARES, `k=${k} is outside 1..${MAX_SHARES}`);
  field(n >= k && n <= MAX_SHARES, `N=${n} is outside k..${MAX_SHARES} (k=${k})`);
  const segmentSize = readUint32BE(bytes, 8);
  const tailSegmentSize = readUint32BE(bytes, 12);
  let size: number;
  let numSegments: number;
  try {
    size = readUint64BE(bytes, 16);
    numSegments = readUint64BE(bytes, 24);
  } catch {
    throw new UebError('UEB file size or segment count is larger than 2^53');
  }
  field(size <= MAX_FILE_BYTES, `file size ${size} is too large`);
  field(segmentSize >= 1 && segmentSize <= MAX_SEGMENT_BYTES, `segment size ${segmentSize} is outside 1..${MAX_SEGMENT_BYTES}`);
  field(segmentSize % k === 0, `segment size ${segmentSize} is not a multiple of k=${k}`);
  field(
    segmentSize <= nextMultiple(Math.max(1, size), k),
    `segment size ${segmentSize} is larger than the ${size}-byte file needs`,
  );
  const expectedSegments = Math.max(1, Math.ceil(size / segmentSize));
  field(expectedSegments <= MAX_SEGMENTS, `file has ${expectedSegments} segments, over ${MAX_SEGMENTS}`);
  field(numSegments === expectedSegments, `says ${numSegments} segments, but ${size} bytes in ${segmentSize}-byte segments are ${expectedSegments}`);
  const expectedTail = size - (numSegments - 1) * segmentSize;
  field(tailSegmentSize === expectedTail, `says the last segment has ${tailSegmentSize} bytes, but it has ${expectedTail}`);
  return {
    version: UEB_VERSION_1,
    codec: CODEC_ZFEC_RS,
    cipher: CIPHER_CHACHA20_OFFSET_V1,
    k,
    n,
    segmentSize,
    tailSegmentSize,
    size,
    numSegments,
    crypttextRoot: bytes.slice(32, 64),
    shareRoot: bytes.slice(64, 96),
  };
}

/** The segmentation a parsed UEB describes. */
export function uebSegmentation(ueb: Ueb): Segmentation {
  return segmentation({ k: ueb.k, n: ueb.n, segmentSize: ueb.segmentSize }, ueb.size);
}

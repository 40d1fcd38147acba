/**
 * How a file of `size` bytes is cut into segments and blocks (Tahoe's encode.py arithmetic): the
 * segment size shrinks to the file and rounds up to a multiple of k; the last segment holds the
 * rest and is padded with zeros to a multiple of k before the codec sees it.
 * @module
 */
import { MAX_FILE_BYTES, MAX_SEGMENT_BYTES, MAX_SEGMENTS, MAX_SHARES } from '../limits.js';

export interface EncodingParams {
  /** Shares needed to rebuild the file. */
  k: number;
  /** Shares written. */
  n: number;
  /** Bytes of plaintext per segment (before shrinking to the file and rounding to k). */
  segmentSize: number;
}

/** Everything that (k, N, segment size, file size) determine. */
export interface Segmentation {
  readonly k: number;
  readonly n: number;
  readonly segmentSize: number;
  readonly size: number;
  readonly numSegments: number;
  /** Unpadded bytes of the last segment (segmentSize when the file divides evenly; 0 only for an empty file). */
  readonly tailSegmentSize: number;
  /** Bytes per block of a full segment: segmentSize / k. */
  readonly blockSize: number;
  /** Bytes per block of the last segment: ceil(tailSegmentSize / k). */
  readonly tailBlockSize: number;
}

export interface SegmentSpan {
  readonly index: number;
  /** Byte offset of the segment's first byte in the file (and in the crypttext). */
  readonly offset: number;
  /** Bytes of file data in the segment. */
  readonly length: number;
  /** length rounded up to a multiple of k: what the codec encodes. */
  readonly paddedLength: number;
  readonly blockSize: number;
}

export function nextMultiple(x: number, k: number): number {
  return Math.ceil(x / k) * k;
}

function assertWhole(name: string, v: unknown, min: number, max: number): asserts v is number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new RangeError(`"${name}" must be a whole number from ${min} to ${max}, got ${String(v)}`);
  }
}

/** Checks k, N and segment size as given by a person or the uploader. */
export function assertEncodingParams(params: EncodingParams): void {
  if (typeof params !== 'object' || params === null) throw new TypeError('"params" expected { k, n, segmentSize }');
  assertWhole('k', params.k, 1, MAX_SHARES);
  assertWhole('n', params.n, params.k, MAX_SHARES);
  assertWhole('segmentSize', params.segmentSize, 1, MAX_SEGMENT_BYTES);
}

/**
 * The parameters actually used for a file of `size` bytes: the segment size shrinks to the file
 * (a 10-byte file is not padded to a 1 MiB segment) and rounds up to a multiple of k, as Tahoe's
 * uploader does. These are the values recorded in the UEB and hashed into a convergent key.
 */
export function effectiveParams(params: EncodingParams, size: number): EncodingParams {
  assertEncodingParams(params);
  assertWhole('size', size, 0, MAX_FILE_BYTES);
  const segmentSize = nextMultiple(Math.max(1, Math.min(params.segmentSize, size)), params.k);
  if (segmentSize > MAX_SEGMENT_BYTES) {
    throw new RangeError(`"segmentSize" ${params.segmentSize} rounded up to a multiple of k=${params.k} is over ${MAX_SEGMENT_BYTES}`);
  }
  return { k: params.k, n: params.n, segmentSize };
}

/** The segmentation of a file; `segmentSize` must already be effective (a multiple of k). */
export function segmentation(params: EncodingParams, size: number): Segmentation {
  assertEncodingParams(params);
  assertWhole('size', size, 0, MAX_FILE_BYTES);
  const { k, n, segmentSize } = params;
  if (segmentSize % k !== 0) throw new RangeError(`"segmentSize" ${segmentSize} is not a multiple of k=${k}`);
  const numSegments = Math.max(1, Math.ceil(size / segmentSize));
  if (numSegments > MAX_SEGMENTS) {
    throw new RangeError(`a ${size}-byte file in ${segmentSize}-byte segments has ${numSegments} segments, over ${MAX_SEGMENTS}`);
  }
  const tailSegmentSize = size - (numSegments - 1) * segmentSize;
  return {
    k,
    n,
    segmentSize,
    size,
    numSegments,
    tailSegmentSize,
    blockSize: segmentSize / k,
    tailBlockSize: nextMultiple(tailSegmentSize, k) / k,
  };
}

/** Where segment `index` lies in the file. */
export function segmentSpan(seg: Segmentation, index: number): SegmentSpan {
  if (!Number.isSafeInteger(index) || index < 0 || index >= seg.numSegments) {
    throw new RangeError(`segment ${index} is out of range: the file has ${seg.numSegments} segments`);
  }
  const last = index === seg.numSegments - 1;
  const length = last ? seg.tailSegmentSize : seg.segmentSize;
  const blockSize = last ? seg.tailBlockSize : seg.blockSize;
  return { index, offset: index * seg.segmentSize, length, paddedLength: blockSize * seg.k, blockSize };
}

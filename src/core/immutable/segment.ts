/**
 * The CPU work of one segment, as plain functions of their inputs (so a Web Worker can run them
 * unchanged): encrypt → crypttext hash → Reed-Solomon into N blocks → block hashes on upload;
 * block hashes → decode → crypttext hash → decrypt on download. Verifying the hashes against the
 * trees is the caller's job (decode.ts), so a verifier can use the same work without the key.
 * @module
 */
import { cryptAt } from '../crypto/cipher.js';
import { TAG_BLOCK, TAG_CRYPTTEXT_SEGMENT } from '../hash/tags.js';
import { bulkTaggedHash, nobleSha256, type Sha256Digest } from './bulk-hash.js';
import { codecFor } from './_codecs.js';

export interface EncodeSegmentJob {
  readonly k: number;
  readonly n: number;
  readonly segmentIndex: number;
  /** Byte offset of the segment in the file: the cipher's position. */
  readonly offset: number;
  /** Bytes of plaintext in `data` (the rest of `data` is zero padding up to a multiple of k). */
  readonly length: number;
  /** The 32-byte ChaCha20 key (crypto/cipher.ts deriveCipherKey). */
  readonly cipherKey: Uint8Array;
  /** Plaintext then zeros; length a multiple of k. Encrypted in place: the runner owns it now. */
  readonly data: Uint8Array;
}

export interface EncodedSegment {
  readonly segmentIndex: number;
  /** taggedHash(TAG_CRYPTTEXT_SEGMENT, crypttext without padding): leaf of the crypttext hash tree. */
  readonly crypttextHash: Uint8Array;
  /** Block of each share 0..N−1 (blocks 0..k−1 are views into the encrypted `data`). */
  readonly blocks: Uint8Array[];
  /** taggedHash(TAG_BLOCK, block) of each share 0..N−1: leaves of each share's block hash tree. */
  readonly blockHashes: Uint8Array[];
}

export interface DecodeSegmentJob {
  readonly k: number;
  readonly n: number;
  readonly segmentIndex: number;
  /** Bytes of file data in the segment (the decoded primaries hold up to k − 1 more: padding). */
  readonly length: number;
  /** Share number of each block; k distinct numbers. */
  readonly shareNums: number[];
  /** k blocks of equal size; the runner owns them now. */
  readonly blocks: Uint8Array[];
  /** Given: the result is plaintext. Absent (a verifier without the read key): the result is crypttext. */
  readonly decrypt?: { readonly cipherKey: Uint8Array; readonly offset: number };
}

export interface DecodedSegment {
  readonly segmentIndex: number;
  /** taggedHash(TAG_BLOCK, block) of each input block, in the order given. */
  readonly blockHashes: Uint8Array[];
  /** Hash of the decoded crypttext, to check against the crypttext hash tree. */
  readonly crypttextHash: Uint8Array;
  /** `length` bytes of plaintext (or crypttext without `decrypt`), in a buffer of its own. */
  readonly data: Uint8Array;
}

export interface HashBlocksJob {
  readonly blocks: Uint8Array[];
}

export function hashBlock(block: Uint8Array, digest: Sha256Digest = nobleSha256): Promise<Uint8Array> {
  return bulkTaggedHash(digest, TAG_BLOCK, block);
}

export function hashCrypttextSegment(crypttext: Uint8Array, digest: Sha256Digest = nobleSha256): Promise<Uint8Array> {
  return bulkTaggedHash(digest, TAG_CRYPTTEXT_SEGMENT, crypttext);
}

export function hashBlocks(job: HashBlocksJob, digest: Sha256Digest = nobleSha256): Promise<Uint8Array[]> {
  return Promise.all(job.blocks.map((b) => hashBlock(b, digest)));
}

/** Encrypts, hashes and erasure-codes one segment. `digest` is the bulk SHA-256 (default: noble). */
export async function encodeSegment(job: EncodeSegmentJob, digest: Sha256Digest = nobleSha256): Promise<EncodedSegment> {
  const { k, n, data, length } = job;
  if (data.length % k !== 0 || length > data.length || data.length - length >= k) {
    throw new RangeError(`segment ${job.segmentIndex}: ${data.length} bytes of data for ${length} bytes of plaintext and k=${k}`);
  }
  const plain = data.subarray(0, length);
  cryptAt(job.cipherKey, job.offset, plain, plain);
  const crypttextHash = hashCrypttextSegment(plain, digest);
  const blockSize = data.length / k;
  const primaries = Array.from({ length: k }, (_, i) => data.subarray(i * blockSize, (i + 1) * blockSize));
  const blocks = codecFor(k, n).encode(primaries);
  const [ctHash, blockHashes] = await Promise.all([crypttextHash, hashBlocks({ blocks }, digest)]);
  return { segmentIndex: job.segmentIndex, crypttextHash: ctHash, blocks, blockHashes };
}

/** Hashes the blocks, decodes them, hashes the crypttext and (given the key) decrypts it. */
export async function decodeSegment(job: DecodeSegmentJob, digest: Sha256Digest = nobleSha256): Promise<DecodedSegment> {
  const { k, n, blocks, shareNums, length } = job;
  const blockHashes = hashBlocks({ blocks }, digest);
  blockHashes.catch(() => {}); // awaited below; this keeps a failure while decoding from leaving it unobserved
  const primaries = codecFor(k, n).decode(blocks, shareNums);
  const blockSize = primaries[0]?.length ?? 0;
  if (length > k * blockSize || k * blockSize - length >= k) {
    throw new RangeError(`segment ${job.segmentIndex}: ${k} blocks of ${blockSize} bytes cannot hold ${length} bytes`);
  }
  const data = new Uint8Array(length);
  for (let i = 0; i < k && i * blockSize < length; i++) {
    const p = primaries[i]!;
    data.set(p.subarray(0, Math.min(blockSize, length - i * blockSize)), i * blockSize);
  }
  const crypttextHash = await hashCrypttextSegment(data, digest);
  if (job.decrypt !== undefined) cryptAt(job.decrypt.cipherKey, job.decrypt.offset, data, data);
  return { segmentIndex: job.segmentIndex, blockHashes: await blockHashes, crypttextHash, data };
}

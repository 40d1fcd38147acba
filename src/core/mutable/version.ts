/**
 * One version of a mutable file, both ways (Tahoe's mutable/publish.py and retrieve.py for
 * SDMF): contents → encrypted, k-of-N encoded, hashed and signed shares; and shares → checked
 * (fingerprint, signature, block hash, share hash chain up to the signed root) → contents.
 * @module
 */
import { bytesToHex, equalBytes } from '../bytes.js';
import type { SskKeys } from '../cap/ssk-keys.js';
import { sskFingerprint } from '../cap/ssk-keys.js';
import { createCodec } from '../codec/rs.js';
import { cryptAt } from '../crypto/cipher.js';
import { BadHashError, NotEnoughHashesError } from '../hash/errors.js';
import { HashTree, IncompleteHashTree } from '../hash/hashtree.js';
import { TAG_BLOCK } from '../hash/tags.js';
import { taggedHash } from '../hash/tagged.js';
import { MAX_MUTABLE_FILE_BYTES, MAX_SHARES } from '../limits.js';
import { BadMutableShareError, MutableFileTooLargeError } from './errors.js';
import { deriveDataKey, signHeader, verifyHeaderSignature } from './keys.js';
import {
  encodeMutableShare,
  encodeSignedHeader,
  type MutableHeader,
  type MutableShare,
  SALT_BYTES,
  segmentSizeFor,
} from './layout.js';

export interface VersionParams {
  readonly seqnum: number;
  /** Random per version (the cipher key is derived from it and the read key). */
  readonly salt: Uint8Array;
  readonly k: number;
  readonly n: number;
}

export interface EncodedVersion {
  readonly header: MutableHeader;
  readonly headerBytes: Uint8Array;
  /** shares[i] is share i, complete. */
  readonly shares: Uint8Array[];
}

/** A version's identity: its signed header (two versions are the same iff these bytes are). */
export function versionId(headerBytes: Uint8Array): string {
  return bytesToHex(headerBytes);
}

export function assertVersionParams(p: VersionParams, dataLength: number): void {
  if (!Number.isSafeInteger(p.seqnum) || p.seqnum < 1) throw new RangeError(`"seqnum" must be a whole number ≥ 1, got ${p.seqnum}`);
  if (!Number.isInteger(p.k) || p.k < 1 || p.k > MAX_SHARES) throw new RangeError(`"k" must be 1..${MAX_SHARES}, got ${p.k}`);
  if (!Number.isInteger(p.n) || p.n < p.k || p.n > MAX_SHARES) throw new RangeError(`"n" must be k..${MAX_SHARES}, got ${p.n}`);
  if (!(p.salt instanceof Uint8Array) || p.salt.length !== SALT_BYTES) throw new RangeError(`"salt" must be ${SALT_BYTES} bytes`);
  if (dataLength > MAX_MUTABLE_FILE_BYTES) {
    throw new MutableFileTooLargeError(`a mutable file holds at most ${MAX_MUTABLE_FILE_BYTES} bytes; these contents are ${dataLength}`);
  }
}

/** Encrypts, encodes, hashes and signs `contents` as version `params.seqnum`. */
export function encodeVersion(keys: SskKeys, params: VersionParams, contents: Uint8Array): EncodedVersion {
  assertVersionParams(params, contents.length);
  const { k, n } = params;
  const segmentSize = segmentSizeFor(contents.length, k);
  const segment = new Uint8Array(segmentSize);
  const dataKey = deriveDataKey(keys.readKey, params.salt);
  cryptAt(dataKey, 0, contents, segment.subarray(0, contents.length));
  dataKey.fill(0);
  const blockSize = segmentSize / k;
  const primaries = Array.from({ length: k }, (_, i) => segment.subarray(i * blockSize, (i + 1) * blockSize));
  const blocks = createCodec(k, n).encode(primaries);
  const blockHashes = blocks.map((b) => taggedHash(TAG_BLOCK, b));
  const shareTree = new HashTree(blockHashes);
  const header: MutableHeader = { seqnum: params.seqnum, rootHash: shareTree.root, salt: params.salt.slice(), k, n, segmentSize, dataLength: contents.length };
  const headerBytes = encodeSignedHeader(header);
  const signature = signHeader(headerBytes, keys.writeKey);
  const shares = blocks.map((block, shareNum) =>
    encodeMutableShare({
      headerBytes,
      shareNum,
      verifyingKey: keys.verifyingKey,
      signature,
      chain: shareTree.chain(shareNum),
      blockHash: blockHashes[shareNum]!,
      block,
    }),
  );
  return { header, headerBytes, shares };
}

/**
 * Checks that a share's version was signed by the key the cap names: the verification key hashes
 * to `fingerprint` and the signature over the header verifies. Enough for a servermap (the
 * header is then authentic); the block itself is checked by verifyShare.
 */
export function verifySignedPrefix(share: Pick<MutableShare, 'shareNum' | 'headerBytes' | 'verifyingKey' | 'signature'>, fingerprint: Uint8Array): void {
  if (!equalBytes(sskFingerprint(share.verifyingKey), fingerprint)) {
    throw new BadMutableShareError(share.shareNum, 'its verification key is not the one the cap names (forged or from another file)');
  }
  if (!verifyHeaderSignature(share.headerBytes, share.signature, share.verifyingKey)) {
    throw new BadMutableShareError(share.shareNum, 'its signature does not verify (forged or corrupted header)');
  }
}

/** Checks a whole share: signed prefix, then its block up through the share hash tree to the signed root. */
export function verifyShare(share: MutableShare, fingerprint: Uint8Array): void {
  verifySignedPrefix(share, fingerprint);
  verifyShareBody(share);
}

/**
 * Checks a share's block up to the root hash in its header, for a header already known to be
 * authentic (its bytes equal a header whose signature verified): the signature need not be
 * checked again for each of the N shares that carry it.
 */
export function verifyShareBody(share: MutableShare): void {
  const blockHash = taggedHash(TAG_BLOCK, share.block);
  if (!equalBytes(blockHash, share.blockHash)) throw new BadMutableShareError(share.shareNum, 'its block does not match its block hash tree');
  const tree = new IncompleteHashTree(share.header.n);
  tree.setRoot(share.header.rootHash);
  try {
    tree.setHashes(share.chain, new Map([[share.shareNum, blockHash]]));
  } catch (err) {
    if (err instanceof BadHashError || err instanceof NotEnoughHashesError) {
      throw new BadMutableShareError(share.shareNum, `its block does not match the signed root hash (${err.message})`, { cause: err });
    }
    throw err;
  }
}

/** Rebuilds and decrypts a version's contents from ≥ k verified blocks (block number → block). */
export function decodeVersion(header: MutableHeader, readKey: Uint8Array, blocks: Map<number, Uint8Array>): Uint8Array {
  const nums = [...blocks.keys()].slice(0, header.k);
  if (nums.length < header.k) throw new RangeError(`decoding needs ${header.k} blocks, got ${nums.length}`);
  const primaries = createCodec(header.k, header.n).decode(nums.map((i) => blocks.get(i)!), nums);
  const blockSize = header.segmentSize / header.k;
  const crypttext = new Uint8Array(header.segmentSize);
  primaries.forEach((p, i) => crypttext.set(p, i * blockSize));
  const dataKey = deriveDataKey(readKey, header.salt);
  const out = cryptAt(dataKey, 0, crypttext.subarray(0, header.dataLength));
  dataKey.fill(0);
  return out;
}

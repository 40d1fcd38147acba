/**
 * The byte layout of one immutable share (Tahoe's immutable/layout.py, versioned and with the
 * share number in the header so a swapped share is caught at once). Every offset follows from
 * (k, N, segment size, file size), so the share size is known before any byte exists.
 * @module
 */
import { readUint64BE, writeUint64BE } from '../bytes.js';
import { HASH_BYTES } from '../hash/hashtree.js';
import { MAX_UEB_BYTES } from '../limits.js';
import { BadShareError, ShareVersionError } from './errors.js';
import { effectiveParams, segmentation, type EncodingParams, type Segmentation } from './segmentation.js';
import { UEB_V1_BYTES } from './ueb.js';

/*
 * Share layout version 1. Integers big-endian. L = segment count, P = L rounded up to a power
 * of two, Q = N rounded up to a power of two, d = log2(Q).
 *
 *  offset             bytes                  field
 *  0                  4                      magic "bric" (62 72 69 63)
 *  4                  2                      layout version = 1 (anything else: ShareVersionError)
 *  6                  2                      share number (0..N−1); must equal the number asked for
 *  8                  8                      offset of blocks            (= 56)
 *  16                 8                      offset of block hash tree
 *  24                 8                      offset of share hash chain
 *  32                 8                      offset of crypttext hash tree
 *  40                 8                      offset of UEB
 *  48                 8                      share size (end of the UEB)
 *  56                 (L−1)·B + B_tail       blocks: block j of this share at 56 + j·B (B = segment size / k)
 *  block hash tree    (2P−1)·32              every node of this share's block hash tree, node 0 (root) first
 *  share hash chain   (d+1)·34               (uint16 node index, 32-byte hash) pairs: the node of this share's
 *                                            leaf in the share hash tree, then its uncles bottom-up
 *  crypttext tree     (2P−1)·32              every node of the crypttext hash tree (the same in every share)
 *  UEB                96                     the URI extension block (ueb.ts)
 *
 * A reader checks the header against the layout computed from the UEB: every offset must be exact.
 */
export const SHARE_MAGIC = new Uint8Array([0x62, 0x72, 0x69, 0x63]);
export const SHARE_LAYOUT_VERSION_1 = 1;
export const SHARE_HEADER_BYTES = 56;
/** One share hash chain entry: a uint16 node index and a hash. */
export const CHAIN_ENTRY_BYTES = 2 + HASH_BYTES;

export interface ShareLayout {
  readonly blocks: number;
  readonly blockHashTree: number;
  readonly shareHashChain: number;
  readonly crypttextHashTree: number;
  readonly ueb: number;
  readonly end: number;
  /** Nodes in the block hash tree and in the crypttext hash tree (2P − 1). */
  readonly treeNodes: number;
  /** Entries in the share hash chain (d + 1). */
  readonly chainEntries: number;
}

function roundupPow2(x: number): number {
  let p = 1;
  while (p < x) p *= 2;
  return p;
}

/** The offsets of every region of a share of this segmentation. */
export function computeLayout(seg: Segmentation): ShareLayout {
  const treeNodes = 2 * roundupPow2(seg.numSegments) - 1;
  const chainEntries = Math.log2(roundupPow2(seg.n)) + 1;
  const blocks = SHARE_HEADER_BYTES;
  const blockHashTree = blocks + (seg.numSegments - 1) * seg.blockSize + seg.tailBlockSize;
  const shareHashChain = blockHashTree + treeNodes * HASH_BYTES;
  const crypttextHashTree = shareHashChain + chainEntries * CHAIN_ENTRY_BYTES;
  const ueb = crypttextHashTree + treeNodes * HASH_BYTES;
  return { blocks, blockHashTree, shareHashChain, crypttextHashTree, ueb, end: ueb + UEB_V1_BYTES, treeNodes, chainEntries };
}

/** Exact bytes of every share of a `size`-byte file encoded with `params` (before effective rounding). */
export function computeShareSize(params: EncodingParams, size: number): number {
  return computeLayout(segmentation(effectiveParams(params, size), size)).end;
}

/** Offset of block `segmentIndex` within a share. */
export function blockOffset(layout: ShareLayout, seg: Segmentation, segmentIndex: number): number {
  return layout.blocks + segmentIndex * seg.blockSize;
}

/** Node indices of share `shareNum`'s hash chain in the share hash tree: its leaf, then uncles bottom-up. */
export function shareHashChainIndices(shareNum: number, n: number): number[] {
  const node = roundupPow2(n) - 1 + shareNum;
  const out = [node];
  for (let here = node; here !== 0; here = Math.floor((here - 1) / 2)) out.push(here % 2 === 1 ? here + 1 : here - 1);
  return out;
}

export function encodeHeader(layout: ShareLayout, shareNum: number): Uint8Array {
  const out = new Uint8Array(SHARE_HEADER_BYTES);
  out.set(SHARE_MAGIC, 0);
  out[5] = SHARE_LAYOUT_VERSION_1;
  out[6] = shareNum >>> 8;
  out[7] = shareNum & 0xff;
  const offsets = [layout.blocks, layout.blockHashTree, layout.shareHashChain, layout.crypttextHashTree, layout.ueb, layout.end];
  offsets.forEach((v, i) => writeUint64BE(out, 8 + 8 * i, v));
  return out;
}

/** What a header says, checked only for what can be checked before the UEB is known. */
export interface ShareHeader {
  readonly shareNum: number;
  readonly offsets: Omit<ShareLayout, 'treeNodes' | 'chainEntries'>;
}

/** Parses a share header read from share `shareNum`; refuses a wrong magic, version or share number. */
export function parseHeader(bytes: Uint8Array, shareNum: number): ShareHeader {
  const bad = (reason: string): never => {
    throw new BadShareError(shareNum, reason);
  };
  if (bytes.length !== SHARE_HEADER_BYTES) bad(`its header is ${bytes.length} bytes, not ${SHARE_HEADER_BYTES} (truncated)`);
  for (let i = 0; i < SHARE_MAGIC.length; i++) if (bytes[i] !== SHARE_MAGIC[i]) bad('it does not start with the bric share magic');
  const version = (bytes[4]! << 8) | bytes[5]!;
  if (version !== SHARE_LAYOUT_VERSION_1) {
    throw new ShareVersionError(shareNum, `its layout version ${version} is not known to this bric (it reads version ${SHARE_LAYOUT_VERSION_1})`);
  }
  const claimed = (bytes[6]! << 8) | bytes[7]!;
  if (claimed !== shareNum) bad(`it says it is share ${claimed} (swapped or misfiled)`);
  const v: number[] = [];
  for (let i = 0; i < 6; i++) {
    try {
      v.push(readUint64BE(bytes, 8 + 8 * i));
    } catch {
      bad('an offset in its header is larger than 2^53');
    }
  }
  const [blocks, blockHashTree, shareHashChain, crypttextHashTree, ueb, end] = v as [number, number, number, number, number, number];
  if (blocks !== SHARE_HEADER_BYTES) bad(`its blocks start at ${blocks}, not ${SHARE_HEADER_BYTES}`);
  if (!(blocks <= blockHashTree && blockHashTree <= shareHashChain && shareHashChain <= crypttextHashTree && crypttextHashTree <= ueb && ueb < end)) {
    bad('the offsets in its header are out of order');
  }
  if (end - ueb > MAX_UEB_BYTES) bad(`its UEB would be ${end - ueb} bytes, over ${MAX_UEB_BYTES}`);
  return { shareNum, offsets: { blocks, blockHashTree, shareHashChain, crypttextHashTree, ueb, end } };
}

/** Refuses a header whose offsets differ from those the (verified) UEB implies. */
export function assertHeaderMatches(header: ShareHeader, layout: ShareLayout): void {
  const regions = [
    ['blocks', 'blocks'],
    ['blockHashTree', 'block hash tree'],
    ['shareHashChain', 'share hash chain'],
    ['crypttextHashTree', 'crypttext hash tree'],
    ['ueb', 'UEB'],
    ['end', 'end of the share'],
  ] as const;
  for (const [key, words] of regions) {
    if (header.offsets[key] !== layout[key]) {
      throw new BadShareError(header.shareNum, `its header puts the ${words} at ${header.offsets[key]}, but the UEB implies ${layout[key]}`);
    }
  }
}

/** Encodes a share hash chain (node index → hash) in the order of shareHashChainIndices. */
export function encodeShareHashChain(chain: Map<number, Uint8Array>, shareNum: number, n: number): Uint8Array {
  const indices = shareHashChainIndices(shareNum, n);
  const out = new Uint8Array(indices.length * CHAIN_ENTRY_BYTES);
  indices.forEach((node, i) => {
    const h = chain.get(node);
    if (h === undefined || h.length !== HASH_BYTES) throw new RangeError(`share hash chain lacks node ${node}`);
    out[i * CHAIN_ENTRY_BYTES] = node >>> 8;
    out[i * CHAIN_ENTRY_BYTES + 1] = node & 0xff;
    out.set(h, i * CHAIN_ENTRY_BYTES + 2);
  });
  return out;
}

/** Parses a share hash chain read from share `shareNum`; the node indices must be exactly the expected ones. */
export function parseShareHashChain(bytes: Uint8Array, shareNum: number, n: number): Map<number, Uint8Array> {
  const indices = shareHashChainIndices(shareNum, n);
  if (bytes.length !== indices.length * CHAIN_ENTRY_BYTES) {
    throw new BadShareError(shareNum, `its share hash chain is ${bytes.length} bytes, not ${indices.length * CHAIN_ENTRY_BYTES}`);
  }
  const out = new Map<number, Uint8Array>();
  indices.forEach((node, i) => {
    const at = i * CHAIN_ENTRY_BYTES;
    const got = (bytes[at]! << 8) | bytes[at + 1]!;
    if (got !== node) throw new BadShareError(shareNum, `its share hash chain names node ${got} where node ${node} belongs`);
    out.set(node, bytes.slice(at + 2, at + CHAIN_ENTRY_BYTES));
  });
  return out;
}

/**
 * The byte layout of one mutable share (Tahoe's SDMF, mutable/layout.py, versioned as ours and
 * with ed25519 in place of RSA): the whole file is one segment, encrypted under a per-version
 * salt, k-of-N encoded; each share carries the signed header, the verification key, the
 * signature, its share hash chain, its block hash tree and its block. No offset table is
 * stored: every length follows from (k, N, data length), and a share must be exactly that long.
 * @module
 */
import { concatBytes, equalBytes, readUint32BE, readUint64BE, utf8ToBytes, writeUint32BE, writeUint64BE } from '../bytes.js';
import { VERIFYING_KEY_BYTES } from '../cap/ssk-keys.js';
import { HASH_BYTES } from '../hash/hashtree.js';
import { TAG_SSK_SIGNATURE } from '../hash/tags.js';
import { netstring } from '../hash/tagged.js';
import { MAX_MUTABLE_FILE_BYTES, MAX_SHARES } from '../limits.js';
import { BadMutableShareError, MutableShareVersionError } from './errors.js';

/*
 * Mutable share layout version 1. Integers big-endian. Q = N rounded up to a power of two,
 * d = log2(Q), B = segment size / k.
 *
 *  offset      bytes   field
 *  0           4       magic "bmut" (62 6d 75 74)                                ┐ checkstring:
 *  4           2       layout version = 1 (anything else: MutableShareVersionError)│ what a test-
 *  6           8       sequence number, 1..2^53 − 1                              │ and-set write
 *  14          32      root hash of the share hash tree                          │ compares
 *  46          16      salt (random per version; keys the cipher)                ┘ (62 bytes)
 *  62          2       k, 1..256
 *  64          2       N, k..256
 *  66          4       segment size = data length rounded up to a multiple of k
 *  70          4       data length (plaintext bytes), 0..MAX_MUTABLE_FILE_BYTES
 *  74                  end of the signed header: bytes 0..73 are what the signature covers
 *  74          2       share number, 0..N−1 (must equal the share number it is stored under)
 *  76          32      verification key (ed25519 public key); its fingerprint is in the caps
 *  108         64      signature: ed25519 over netstring("bric_ssk_signature_v1") ‖ bytes 0..73
 *  172         d·34    share hash chain: (u16 node index, 32-byte hash) for each uncle of this
 *                      share's leaf in the share hash tree, bottom up (exactly those indices)
 *  172+34d     32      block hash tree: one segment, so one node, = taggedHash(TAG_BLOCK, block)
 *  204+34d     B       the block: share i of the encrypted segment, zero-padded to B·k
 *  204+34d+B           end of the share
 *
 * Leaf i of the share hash tree is share i's block hash tree root; the tree's root is signed.
 */
export const MUTABLE_MAGIC = new Uint8Array([0x62, 0x6d, 0x75, 0x74]);
export const MUTABLE_LAYOUT_VERSION_1 = 1;
/** Bytes a test-and-set compares: magic, version, sequence number, root hash, salt (Tahoe's checkstring). */
export const CHECKSTRING_BYTES = 62;
export const SIGNED_HEADER_BYTES = 74;
export const SIGNATURE_BYTES = 64;
export const SALT_BYTES = 16;
/** Signed header, share number, verification key and signature: enough to know and trust a version. */
export const SHARE_PREFIX_BYTES = SIGNED_HEADER_BYTES + 2 + VERIFYING_KEY_BYTES + SIGNATURE_BYTES;
const CHAIN_ENTRY_BYTES = 2 + HASH_BYTES;

/** What the signed header says: one version of the file. */
export interface MutableHeader {
  readonly seqnum: number;
  readonly rootHash: Uint8Array;
  readonly salt: Uint8Array;
  readonly k: number;
  readonly n: number;
  readonly segmentSize: number;
  readonly dataLength: number;
}

/** A share split into its fields (nothing verified beyond the layout). */
export interface MutableShare {
  readonly header: MutableHeader;
  /** The 74 signed bytes, as stored. */
  readonly headerBytes: Uint8Array;
  readonly shareNum: number;
  readonly verifyingKey: Uint8Array;
  readonly signature: Uint8Array;
  /** Node index → hash: the uncles of this share's leaf. */
  readonly chain: Map<number, Uint8Array>;
  readonly blockHash: Uint8Array;
  readonly block: Uint8Array;
}

function roundupPow2(x: number): number {
  let p = 1;
  while (p < x) p *= 2;
  return p;
}

/** Node indices of share `shareNum`'s chain in a share hash tree of N leaves: its uncles, bottom up. */
export function chainIndices(shareNum: number, n: number): number[] {
  const out: number[] = [];
  for (let here = roundupPow2(n) - 1 + shareNum; here !== 0; here = Math.floor((here - 1) / 2)) out.push(here % 2 === 1 ? here + 1 : here - 1);
  return out;
}

/** Data length rounded up to a multiple of k: what the codec encodes (an empty file encodes empty blocks). */
export function segmentSizeFor(dataLength: number, k: number): number {
  return Math.ceil(dataLength / k) * k;
}

/** Exact bytes of every share of a version. */
export function mutableShareSize(header: Pick<MutableHeader, 'k' | 'n' | 'segmentSize'>): number {
  return SHARE_PREFIX_BYTES + chainIndices(0, header.n).length * CHAIN_ENTRY_BYTES + HASH_BYTES + header.segmentSize / header.k;
}

export function encodeSignedHeader(h: MutableHeader): Uint8Array {
  const out = new Uint8Array(SIGNED_HEADER_BYTES);
  out.set(MUTABLE_MAGIC, 0);
  out[5] = MUTABLE_LAYOUT_VERSION_1;
  writeUint64BE(out, 6, h.seqnum);
  out.set(h.rootHash, 14);
  out.set(h.salt, 46);
  out[62] = h.k >>> 8;
  out[63] = h.k & 0xff;
  out[64] = h.n >>> 8;
  out[65] = h.n & 0xff;
  writeUint32BE(out, 66, h.segmentSize);
  writeUint32BE(out, 70, h.dataLength);
  return out;
}

/** The message the signature covers: netstring(TAG_SSK_SIGNATURE) ‖ the signed header. */
export function signedMessage(headerBytes: Uint8Array): Uint8Array {
  return concatBytes(SIGNATURE_DOMAIN, headerBytes);
}
const SIGNATURE_DOMAIN = netstring(utf8ToBytes(TAG_SSK_SIGNATURE));

/** Parses and checks the 74 signed bytes read from share `shareNum`. */
export function parseSignedHeader(bytes: Uint8Array, shareNum: number): MutableHeader {
  const bad = (reason: string): never => {
    throw new BadMutableShareError(shareNum, reason);
  };
  if (bytes.length < SIGNED_HEADER_BYTES) bad(`it is ${bytes.length} bytes, too short for its ${SIGNED_HEADER_BYTES}-byte header`);
  if (!equalBytes(bytes.subarray(0, 4), MUTABLE_MAGIC)) bad('it does not start with the bric mutable share magic');
  const version = (bytes[4]! << 8) | bytes[5]!;
  if (version !== MUTABLE_LAYOUT_VERSION_1) {
    throw new MutableShareVersionError(shareNum, `its layout version ${version} is not known to this bric (it reads version ${MUTABLE_LAYOUT_VERSION_1})`);
  }
  let seqnum = 0;
  try {
    seqnum = readUint64BE(bytes, 6);
  } catch {
    bad('its sequence number is larger than 2^53');
  }
  if (seqnum < 1) bad('its sequence number is 0 (versions start at 1)');
  const k = (bytes[62]! << 8) | bytes[63]!;
  const n = (bytes[64]! << 8) | bytes[65]!;
  if (k < 1 || k > MAX_SHARES) bad(`k=${k} is outside 1..${MAX_SHARES}`);
  if (n < k || n > MAX_SHARES) bad(`N=${n} is outside k..${MAX_SHARES} (k=${k})`);
  const segmentSize = readUint32BE(bytes, 66);
  const dataLength = readUint32BE(bytes, 70);
  if (dataLength > MAX_MUTABLE_FILE_BYTES) bad(`its data length ${dataLength} is over ${MAX_MUTABLE_FILE_BYTES}`);
  if (segmentSize !== segmentSizeFor(dataLength, k)) bad(`its segment size ${segmentSize} is not ${dataLength} bytes rounded up to a multiple of k=${k}`);
  return { seqnum, rootHash: bytes.slice(14, 46), salt: bytes.slice(46, 62), k, n, segmentSize, dataLength };
}

/** The signed header, verification key and signature from the first SHARE_PREFIX_BYTES of a share. */
export function parseSharePrefix(bytes: Uint8Array, shareNum: number): Pick<MutableShare, 'header' | 'headerBytes' | 'shareNum' | 'verifyingKey' | 'signature'> {
  const header = parseSignedHeader(bytes, shareNum);
  if (bytes.length < SHARE_PREFIX_BYTES) {
    throw new BadMutableShareError(shareNum, `it is ${bytes.length} bytes, shorter than the ${SHARE_PREFIX_BYTES} bytes every share starts with`);
  }
  const claimed = (bytes[74]! << 8) | bytes[75]!;
  if (claimed !== shareNum) throw new BadMutableShareError(shareNum, `it says it is share ${claimed} (swapped or misfiled)`);
  if (shareNum >= header.n) throw new BadMutableShareError(shareNum, `its share number is not below N=${header.n}`);
  return {
    header,
    headerBytes: bytes.slice(0, SIGNED_HEADER_BYTES),
    shareNum,
    verifyingKey: bytes.slice(76, 108),
    signature: bytes.slice(108, SHARE_PREFIX_BYTES),
  };
}

/** Splits a whole share read from share `shareNum`; its length must be exactly what its header implies. */
export function parseMutableShare(bytes: Uint8Array, shareNum: number): MutableShare {
  const prefix = parseSharePrefix(bytes, shareNum);
  const size = mutableShareSize(prefix.header);
  if (bytes.length !== size) {
    throw new BadMutableShareError(shareNum, `it is ${bytes.length} bytes, but its header implies ${size}${bytes.length < size ? ' (truncated)' : ''}`);
  }
  const chain = new Map<number, Uint8Array>();
  let at = SHARE_PREFIX_BYTES;
  for (const node of chainIndices(shareNum, prefix.header.n)) {
    const got = (bytes[at]! << 8) | bytes[at + 1]!;
    if (got !== node) throw new BadMutableShareError(shareNum, `its share hash chain names node ${got} where node ${node} belongs`);
    chain.set(node, bytes.slice(at + 2, at + CHAIN_ENTRY_BYTES));
    at += CHAIN_ENTRY_BYTES;
  }
  return { ...prefix, chain, blockHash: bytes.slice(at, at + HASH_BYTES), block: bytes.slice(at + HASH_BYTES) };
}

/** Assembles one share from its fields (the encoder's side). */
export function encodeMutableShare(share: Omit<MutableShare, 'header'>): Uint8Array {
  const chain = chainIndices(share.shareNum, (share.headerBytes[64]! << 8) | share.headerBytes[65]!);
  const out = new Uint8Array(SHARE_PREFIX_BYTES + chain.length * CHAIN_ENTRY_BYTES + HASH_BYTES + share.block.length);
  out.set(share.headerBytes, 0);
  out[74] = share.shareNum >>> 8;
  out[75] = share.shareNum & 0xff;
  out.set(share.verifyingKey, 76);
  out.set(share.signature, 108);
  let at = SHARE_PREFIX_BYTES;
  for (const node of chain) {
    const h = share.chain.get(node);
    if (h === undefined || h.length !== HASH_BYTES) throw new RangeError(`share hash chain lacks node ${node}`);
    out[at] = node >>> 8;
    out[at + 1] = node & 0xff;
    out.set(h, at + 2);
    at += CHAIN_ENTRY_BYTES;
  }
  out.set(share.blockHash, at);
  out.set(share.block, at + HASH_BYTES);
  return out;
}

/**
 * The immutable read cap, `URI:BRIC-CHK1:<key>:<ueb-hash>:<k>:<N>:<size>` (Tahoe's URI:CHK:,
 * versioned as ours). The key reads; the UEB hash pins the whole share layout; k, N and size
 * let a downloader plan before the first byte arrives.
 * @module
 */
import { assertBytes } from '../bytes.js';
import { HASH_BYTES } from '../hash/hashtree.js';
import { assertShareParams, formatChkBody, parseChkBody, type ChkHead } from './_fields.js';
import { KEY_BYTES, deriveStorageIndex } from './storage-index.js';
import type { CapCodec, ChkReadCap, ChkVerifyCap } from './types.js';

export const CHK_PREFIX = 'URI:BRIC-CHK1:';

const HEAD: ChkHead = { field: 'key', what: 'the read key', prop: 'key', bytes: KEY_BYTES };

export const chkReadCapCodec: CapCodec<ChkReadCap> = {
  kind: 'chk',
  prefix: CHK_PREFIX,
  parse(body, at) {
    const { head, uebHash, k, n, size } = parseChkBody(body, at, 'a CHK read cap', HEAD);
    return { kind: 'chk', key: head, uebHash, k, n, size };
  },
  format(cap) {
    return formatChkBody(CHK_PREFIX, HEAD, cap.key, cap);
  },
};

/** The verify cap of a read cap: the key is replaced by the storage index it hashes to. */
export function toVerifyCap(cap: ChkReadCap): ChkVerifyCap {
  if (cap?.kind !== 'chk') throw new TypeError('"cap" expected a CHK read cap');
  assertBytes(cap.uebHash, 'uebHash', HASH_BYTES);
  assertShareParams(cap.k, cap.n, cap.size);
  return {
    kind: 'chk-verifier',
    storageIndex: deriveStorageIndex(cap.key),
    uebHash: cap.uebHash.slice(),
    k: cap.k,
    n: cap.n,
    size: cap.size,
  };
}

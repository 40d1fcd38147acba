/**
 * The immutable read cap, `URI:BRIC-CHK1:<key>:<ueb-hash>:<k>:<N>:<size>` (Tahoe's URI:CHK:,
 * versioned as ours). The key reads; the UEB hash pins the whole share layout; k, N and size
 * let a downloader plan before the first byte arrives.
 * @module
 */
import { assertBytes, base32Encode } from '../bytes.js';
import { HASH_BYTES } from '../hash/hashtree.js';
import { assertShareParams, readBase32, readDecimal, splitFields } from './_fields.js';
import { KEY_BYTES, deriveStorageIndex } from './storage-index.js';
import type { CapCodec, ChkReadCap, ChkVerifyCap } from './types.js';

export const CHK_PREFIX = 'URI:BRIC-CHK1:';

const FIELDS = ['key', 'ueb-hash', 'k', 'N', 'size'] as const;

export const chkReadCapCodec: CapCodec<ChkReadCap> = {
  kind: 'chk',
  prefix: CHK_PREFIX,
  parse(body, at) {
    const [key, ueb, k, n, size] = splitFields(body, at, 'a CHK read cap', FIELDS);
    const cap: ChkReadCap = {
      kind: 'chk',
      key: readBase32(key![0], key![1], 'the read key', KEY_BYTES),
      uebHash: readBase32(ueb![0], ueb![1], 'the UEB hash', HASH_BYTES),
      k: readDecimal(k![0], 'k'),
      n: readDecimal(n![0], 'N'),
      size: readDecimal(size![0], 'size'),
    };
    assertShareParams(cap.k, cap.n, cap.size);
    return cap;
  },
  format(cap) {
    assertBytes(cap.key, 'key', KEY_BYTES);
    assertBytes(cap.uebHash, 'uebHash', HASH_BYTES);
    assertShareParams(cap.k, cap.n, cap.size);
    return `${CHK_PREFIX}${base32Encode(cap.key)}:${base32Encode(cap.uebHash)}:${cap.k}:${cap.n}:${cap.size}`;
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

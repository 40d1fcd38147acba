/**
 * The immutable verify cap, `URI:BRIC-CHK1-Verifier:<storage-index>:<ueb-hash>:<k>:<N>:<size>`
 * (Tahoe's URI:CHK-Verifier:). It finds and checks every share but holds no key: it cannot
 * decrypt, so it can be handed to a repairer.
 * @module
 */
import { assertBytes, base32Encode } from '../bytes.js';
import { HASH_BYTES } from '../hash/hashtree.js';
import { assertShareParams, readBase32, readDecimal, splitFields } from './_fields.js';
import { STORAGE_INDEX_BYTES } from './storage-index.js';
import type { CapCodec, ChkVerifyCap } from './types.js';

export const CHK_VERIFIER_PREFIX = 'URI:BRIC-CHK1-Verifier:';

const FIELDS = ['storage-index', 'ueb-hash', 'k', 'N', 'size'] as const;

export const chkVerifyCapCodec: CapCodec<ChkVerifyCap> = {
  kind: 'chk-verifier',
  prefix: CHK_VERIFIER_PREFIX,
  parse(body, at) {
    const [si, ueb, k, n, size] = splitFields(body, at, 'a CHK verify cap', FIELDS);
    const cap: ChkVerifyCap = {
      kind: 'chk-verifier',
      storageIndex: readBase32(si![0], si![1], 'the storage index', STORAGE_INDEX_BYTES),
      uebHash: readBase32(ueb![0], ueb![1], 'the UEB hash', HASH_BYTES),
      k: readDecimal(k![0], 'k'),
      n: readDecimal(n![0], 'N'),
      size: readDecimal(size![0], 'size'),
    };
    assertShareParams(cap.k, cap.n, cap.size);
    return cap;
  },
  format(cap) {
    assertBytes(cap.storageIndex, 'storageIndex', STORAGE_INDEX_BYTES);
    assertBytes(cap.uebHash, 'uebHash', HASH_BYTES);
    assertShareParams(cap.k, cap.n, cap.size);
    const si = base32Encode(cap.storageIndex);
    return `${CHK_VERIFIER_PREFIX}${si}:${base32Encode(cap.uebHash)}:${cap.k}:${cap.n}:${cap.size}`;
  },
};

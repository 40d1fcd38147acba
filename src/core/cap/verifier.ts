/**
 * The immutable verify cap, `URI:BRIC-CHK1-Verifier:<storage-index>:<ueb-hash>:<k>:<N>:<size>`
 * (Tahoe's URI:CHK-Verifier:). It finds and checks every share but holds no key: it cannot
 * decrypt, so it can be handed to a repairer.
 * @module
 */
import { formatChkBody, parseChkBody, type ChkHead } from './_fields.js';
import { STORAGE_INDEX_BYTES } from './storage-index.js';
import type { CapCodec, ChkVerifyCap } from './types.js';

export const CHK_VERIFIER_PREFIX = 'URI:BRIC-CHK1-Verifier:';

const HEAD: ChkHead = { field: 'storage-index', what: 'the storage index', prop: 'storageIndex', bytes: STORAGE_INDEX_BYTES };

export const chkVerifyCapCodec: CapCodec<ChkVerifyCap> = {
  kind: 'chk-verifier',
  prefix: CHK_VERIFIER_PREFIX,
  parse(body, at) {
    const { head, uebHash, k, n, size } = parseChkBody(body, at, 'a CHK verify cap', HEAD);
    return { kind: 'chk-verifier', storageIndex: head, uebHash, k, n, size };
  },
  format(cap) {
    return formatChkBody(CHK_VERIFIER_PREFIX, HEAD, cap.storageIndex, cap);
  },
};

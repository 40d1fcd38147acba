/**
 * What check, verify and repair need from a cap: the storage index and what the shares must
 * prove (UEB hash, k, N, size). A read cap gives its verify cap; nothing here keeps the read key,
 * so every step after this one works exactly as with a verify cap alone.
 * @module
 */
import { assertBytes } from '../bytes.js';
import { toVerifyCap } from '../cap/chk.js';
import type { ChkReadCap, ChkVerifyCap } from '../cap/types.js';
import { HASH_BYTES } from '../hash/hashtree.js';
import type { ExpectedFile } from '../immutable/verified-share.js';
import { MAX_FILE_BYTES, MAX_SHARES } from '../limits.js';

/** A CHK file as check and repair see it. */
export interface FileTarget {
  readonly storageIndex: Uint8Array;
  readonly expected: ExpectedFile;
}

/** The target of a CHK read cap or verify cap (validated: this is the public edge). */
export function fileTarget(cap: ChkReadCap | ChkVerifyCap): FileTarget {
  if (typeof cap !== 'object' || cap === null) throw new TypeError('"cap" expected a CHK read cap or verify cap');
  let v: ChkVerifyCap;
  if (cap.kind === 'chk') v = toVerifyCap(cap);
  else if (cap.kind === 'chk-verifier') v = cap;
  else throw new TypeError(`"cap" expected a CHK read cap or verify cap, got ${String((cap as { kind?: unknown }).kind)}`);
  assertBytes(v.storageIndex, 'cap.storageIndex', 16);
  assertBytes(v.uebHash, 'cap.uebHash', HASH_BYTES);
  const ok = (x: number, min: number, max: number): boolean => Number.isSafeInteger(x) && x >= min && x <= max;
  if (!ok(v.k, 1, MAX_SHARES) || !ok(v.n, v.k, MAX_SHARES) || !ok(v.size, 0, MAX_FILE_BYTES)) {
    throw new RangeError(`"cap" has impossible parameters k=${v.k}, N=${v.n}, size=${v.size}`);
  }
  return { storageIndex: v.storageIndex.slice(), expected: { uebHash: v.uebHash.slice(), k: v.k, n: v.n, size: v.size } };
}

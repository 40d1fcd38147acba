/**
 * Directory caps (Tahoe's URI:DIR2*): a directory is a file holding its entries, and its cap is
 * that file's cap under a directory prefix, with the same body:
 *   URI:BRIC-DIR1:<write-key>                 URI:BRIC-DIR1-RO:<read-key>:<fingerprint>
 *   URI:BRIC-DIR1-Verifier:<si>:<fingerprint> (mutable, over the SSK caps)
 *   URI:BRIC-DIR1-CHK:<key>:<ueb-hash>:<k>:<N>:<size>   URI:BRIC-DIR1-CHK-Verifier:<si>:…
 *   URI:BRIC-DIR1-LIT:<data>                  (immutable snapshots, over the CHK and LIT caps)
 * @module
 */
import { chkReadCapCodec, toVerifyCap } from './chk.js';
import { litCapCodec } from './lit.js';
import { sskReadCapCodec, sskVerifyCapCodec, sskWriteCapCodec, toSskReadCap, toSskVerifyCap } from './ssk.js';
import type { Cap, CapCodec, DirChkCap, DirChkVerifyCap, DirLitCap, DirReadCap, DirVerifyCap, DirWriteCap } from './types.js';
import { chkVerifyCapCodec } from './verifier.js';

export const DIR_PREFIX = 'URI:BRIC-DIR1:';
export const DIR_RO_PREFIX = 'URI:BRIC-DIR1-RO:';
export const DIR_VERIFIER_PREFIX = 'URI:BRIC-DIR1-Verifier:';
export const DIR_CHK_PREFIX = 'URI:BRIC-DIR1-CHK:';
export const DIR_CHK_VERIFIER_PREFIX = 'URI:BRIC-DIR1-CHK-Verifier:';
export const DIR_LIT_PREFIX = 'URI:BRIC-DIR1-LIT:';

type DirCap = DirWriteCap | DirReadCap | DirVerifyCap | DirChkCap | DirChkVerifyCap | DirLitCap;

/** A directory codec: the inner file codec's body under the directory's own prefix. */
function wrapping<D extends DirCap>(kind: D['kind'], prefix: string, inner: CapCodec<D['file']>): CapCodec<D> {
  return {
    kind,
    prefix,
    parse(body, at) {
      return { kind, file: inner.parse(body, at) } as D;
    },
    format(cap) {
      if (cap.file?.kind !== inner.kind) throw new TypeError(`a ${kind} cap wraps a ${inner.kind} cap`);
      return prefix + inner.format(cap.file).slice(inner.prefix.length);
    },
  };
}

export const dirWriteCapCodec = wrapping<DirWriteCap>('dir', DIR_PREFIX, sskWriteCapCodec);
export const dirReadCapCodec = wrapping<DirReadCap>('dir-ro', DIR_RO_PREFIX, sskReadCapCodec);
export const dirVerifyCapCodec = wrapping<DirVerifyCap>('dir-verifier', DIR_VERIFIER_PREFIX, sskVerifyCapCodec);
export const dirChkCapCodec = wrapping<DirChkCap>('dir-chk', DIR_CHK_PREFIX, chkReadCapCodec);
export const dirChkVerifyCapCodec = wrapping<DirChkVerifyCap>('dir-chk-verifier', DIR_CHK_VERIFIER_PREFIX, chkVerifyCapCodec);
export const dirLitCapCodec = wrapping<DirLitCap>('dir-lit', DIR_LIT_PREFIX, litCapCodec);

/** Caps that can change what they name (to be read by others, give them toReadOnlyCap). */
export function isWriteCap(cap: Cap): cap is Extract<Cap, { kind: 'ssk' | 'dir' }> {
  return cap.kind === 'ssk' || cap.kind === 'dir';
}

/** Caps that name a directory. */
export function isDirectoryCap(cap: Cap): cap is DirCap {
  return cap.kind.startsWith('dir');
}

/** Caps whose contents can never change (Tahoe's deep-immutable: CHK, LIT and their directories). */
export function isImmutableCap(cap: Cap): boolean {
  return cap.kind === 'chk' || cap.kind === 'lit' || cap.kind === 'dir-chk' || cap.kind === 'dir-lit';
}

/** The read-only form of a cap: a write cap loses its write key; read caps are returned as they are. */
export function toReadOnlyCap(cap: Cap): Cap {
  if (cap.kind === 'ssk') return toSskReadCap(cap);
  if (cap.kind === 'dir') return { kind: 'dir-ro', file: toSskReadCap(cap.file) };
  return cap;
}

/** The verify cap of any cap that has one (LIT caps have none: there is nothing to check). */
export function toAnyVerifyCap(cap: Cap): Cap | undefined {
  switch (cap.kind) {
    case 'chk':
      return toVerifyCap(cap);
    case 'ssk':
    case 'ssk-ro':
    case 'ssk-verifier':
      return toSskVerifyCap(cap);
    case 'dir':
    case 'dir-ro':
    case 'dir-verifier':
      return { kind: 'dir-verifier', file: toSskVerifyCap(cap.file) };
    case 'dir-chk':
      return { kind: 'dir-chk-verifier', file: toVerifyCap(cap.file) };
    case 'chk-verifier':
    case 'dir-chk-verifier':
      return cap;
    case 'lit':
    case 'dir-lit':
      return undefined;
  }
}

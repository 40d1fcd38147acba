/**
 * The cap kinds bric knows (Tahoe's uri.py): immutable files (CHK, LIT), mutable files (SSK:
 * write, read, verify) and directories wrapping either. A cap is a plain object: parse/format
 * live in one file per kind.
 * @module
 */

/** Read cap of an immutable file: the read key decrypts, the UEB hash pins every share's content. */
export interface ChkReadCap {
  kind: 'chk';
  /** 16-byte read key (AES key in Tahoe; the root of our cipher key). */
  key: Uint8Array;
  /** 32-byte taggedHash(TAG_UEB, UEB). */
  uebHash: Uint8Array;
  /** Shares needed to rebuild the file. */
  k: number;
  /** Shares made. */
  n: number;
  /** File size in bytes. */
  size: number;
}

/** Verify cap: checks and repairs shares without being able to decrypt (no key, only where). */
export interface ChkVerifyCap {
  kind: 'chk-verifier';
  /** 16-byte storage index, derived from the key one way. */
  storageIndex: Uint8Array;
  uebHash: Uint8Array;
  k: number;
  n: number;
  size: number;
}

/** Literal cap: a file of at most LIT_MAX_BYTES carried inside the cap itself. */
export interface LitCap {
  kind: 'lit';
  data: Uint8Array;
}

/** Write cap of a mutable file: the write key is the ed25519 signing key seed; everything else derives from it. */
export interface SskWriteCap {
  kind: 'ssk';
  /** 32-byte write key (signing key seed). */
  writeKey: Uint8Array;
}

/** Read cap of a mutable file: decrypts every version and checks its signature, cannot sign one. */
export interface SskReadCap {
  kind: 'ssk-ro';
  /** 16-byte read key, taggedHash of the write key. */
  readKey: Uint8Array;
  /** 32-byte fingerprint of the verification key: pins which key may sign versions. */
  fingerprint: Uint8Array;
}

/** Verify cap of a mutable file: finds and checks shares (signatures, hashes), cannot decrypt. */
export interface SskVerifyCap {
  kind: 'ssk-verifier';
  /** 16-byte storage index, taggedHash of the read key. */
  storageIndex: Uint8Array;
  fingerprint: Uint8Array;
}

/** A mutable directory, writable (Tahoe's URI:DIR2:): the directory's mutable file, by its write cap. */
export interface DirWriteCap {
  kind: 'dir';
  file: SskWriteCap;
}

/** A mutable directory, read-only (Tahoe's URI:DIR2-RO:): entries visible, child writecaps not. */
export interface DirReadCap {
  kind: 'dir-ro';
  file: SskReadCap;
}

/** A mutable directory's verify cap (Tahoe's URI:DIR2-Verifier:). */
export interface DirVerifyCap {
  kind: 'dir-verifier';
  file: SskVerifyCap;
}

/** An immutable directory snapshot stored as a CHK file (Tahoe's URI:DIR2-CHK:). */
export interface DirChkCap {
  kind: 'dir-chk';
  file: ChkReadCap;
}

/** An immutable directory snapshot's verify cap (Tahoe's URI:DIR2-CHK-Verifier:). */
export interface DirChkVerifyCap {
  kind: 'dir-chk-verifier';
  file: ChkVerifyCap;
}

/** A tiny immutable directory snapshot inside its cap (Tahoe's URI:DIR2-LIT:): an empty one is 10 bytes. */
export interface DirLitCap {
  kind: 'dir-lit';
  file: LitCap;
}

export type Cap =
  | ChkReadCap
  | ChkVerifyCap
  | LitCap
  | SskWriteCap
  | SskReadCap
  | SskVerifyCap
  | DirWriteCap
  | DirReadCap
  | DirVerifyCap
  | DirChkCap
  | DirChkVerifyCap
  | DirLitCap;
export type CapKind = Cap['kind'];

/**
 * How one cap kind reads and writes its text form. parse.ts dispatches on `prefix` (everything
 * up to the second colon), so a new kind is one more codec in its table.
 */
export interface CapCodec<C extends Cap = Cap> {
  readonly kind: C['kind'];
  /** E.g. 'URI:BRIC-CHK1:'. */
  readonly prefix: string;
  /** Parses the text after the prefix; `at` is the prefix length, for error positions. */
  parse(body: string, at: number): C;
  format(cap: C): string;
}

/**
 * The cap kinds bric knows (Tahoe's uri.py, immutable only for now; mutable kinds join the
 * union later). A cap is a plain object: parse/format live in one file per kind.
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

export type Cap = ChkReadCap | ChkVerifyCap | LitCap;
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

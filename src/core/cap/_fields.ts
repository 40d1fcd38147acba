/**
 * Strict field readers shared by the cap kinds: exact base32 lengths, canonical decimals, k/N
 * and size ranges. Messages say what is wrong and where, but never repeat a key or the cap text
 * (a cap is a secret and error messages end up in logs).
 * @module
 */
import { assertBytes, base32Decode, base32Encode, base32Length } from '../bytes.js';
import { HASH_BYTES } from '../hash/hashtree.js';
import { MAX_FILE_BYTES, MAX_SHARES } from '../limits.js';
import { CapParamsError, MalformedCapError } from './errors.js';

const B32 = /^[a-z2-7]$/;

/** Splits `body` at ':' into exactly `names.length` fields, with the position of each. */
export function splitFields(body: string, at: number, label: string, names: readonly string[]): [string, number][] {
  const parts = body.split(':');
  if (parts.length !== names.length) {
    throw new MalformedCapError(
      `${label} has ${names.length} fields after its prefix (${names.join(':')}), this one has ${parts.length}`,
    );
  }
  const out: [string, number][] = [];
  let pos = at;
  for (const p of parts) {
    out.push([p, pos]);
    pos += p.length + 1;
  }
  return out;
}

/** The first character outside the base32 alphabet, named with its position in the cap. */
function assertBase32Chars(field: string, at: number, what: string): void {
  for (let i = 0; i < field.length; i++) {
    const ch = field[i]!;
    if (!B32.test(ch)) {
      throw new MalformedCapError(
        `${what} has ${JSON.stringify(ch)} at position ${at + i}, which is not a base32 character (a–z, 2–7)`,
      );
    }
  }
}

/** Decodes canonical base32 of exactly `bytes` bytes. */
export function readBase32(field: string, at: number, what: string, bytes: number): Uint8Array {
  if (field.length === 0) throw new MalformedCapError(`${what} is empty`);
  assertBase32Chars(field, at, what);
  const chars = base32Length(bytes);
  if (field.length !== chars) {
    throw new MalformedCapError(`${what} must be ${chars} base32 characters (${bytes} bytes), got ${field.length}`);
  }
  return decodeCanonical(field, what);
}

/** Decodes base32 of any length up to `maxBytes` (LIT data); empty is allowed. */
export function readBase32UpTo(field: string, at: number, what: string, maxBytes: number): Uint8Array {
  if (field.length > base32Length(maxBytes)) {
    throw new CapParamsError(`${what} is ${field.length} base32 characters; at most ${maxBytes} bytes fit in this cap`);
  }
  assertBase32Chars(field, at, what);
  return decodeCanonical(field, what);
}

function decodeCanonical(field: string, what: string): Uint8Array {
  try {
    return base32Decode(field);
  } catch (cause) {
    // Only two things remain wrong after the alphabet check: a length no byte count has, or
    // non-zero bits after the last byte (a second spelling of the same bytes).
    const rem = field.length % 8;
    const why =
      rem === 1 || rem === 3 || rem === 6
        ? `has ${field.length} base32 characters, which no whole number of bytes encodes to`
        : 'has non-zero padding bits in its last character (not the canonical spelling)';
    throw new MalformedCapError(`${what} ${why}`, { cause });
  }
}

/** A canonical decimal: digits only, no sign, no leading zero, a safe integer. */
export function readDecimal(field: string, what: string): number {
  if (!/^[0-9]+$/.test(field)) {
    const shown = field.length > 24 ? `${field.slice(0, 24)}…` : field;
    throw new MalformedCapError(`${what} ${JSON.stringify(shown)} is not a decimal number (digits only, no sign)`);
  }
  if (field.length > 1 && field[0] === '0') {
    throw new MalformedCapError(`${what} has a leading zero; numbers in a cap are written without one`);
  }
  const value = Number(field);
  if (!Number.isSafeInteger(value)) {
    throw new CapParamsError(`${what} is larger than 2^53 − 1, the largest number a cap may carry`);
  }
  return value;
}

/** k of N shares, N ≤ 256 (zfec), and a size a file can have. */
export function assertShareParams(k: number, n: number, size: number): void {
  for (const [name, v] of [['k', k], ['N', n], ['size', size]] as const) {
    if (!Number.isSafeInteger(v)) throw new CapParamsError(`${name} = ${String(v)} is not a whole number`);
  }
  if (n < 1 || n > MAX_SHARES) throw new CapParamsError(`N = ${n} shares is outside 1–${MAX_SHARES}`);
  if (k < 1) throw new CapParamsError(`k = ${k}: at least one share must be needed`);
  if (k > n) throw new CapParamsError(`k = ${k} is more than N = ${n}: the file could never be rebuilt`);
  if (size < 0 || size > MAX_FILE_BYTES) throw new CapParamsError(`size = ${size} is outside 0–${MAX_FILE_BYTES}`);
}

/** What both CHK cap kinds (read and verify) carry after their leading field. */
export interface ChkFields {
  readonly uebHash: Uint8Array;
  readonly k: number;
  readonly n: number;
  readonly size: number;
}

/** The leading field of a CHK cap kind: the read key or the storage index. */
export interface ChkHead {
  /** Its name in the field list of messages, e.g. 'storage-index'. */
  readonly field: string;
  /** Its name in words, e.g. 'the storage index'. */
  readonly what: string;
  /** Its name as a property, for format's byte checks, e.g. 'storageIndex'. */
  readonly prop: string;
  readonly bytes: number;
}

/** Parses `<head>:<ueb-hash>:<k>:<N>:<size>`, the body both CHK cap kinds share. */
export function parseChkBody(body: string, at: number, label: string, head: ChkHead): ChkFields & { head: Uint8Array } {
  const [h, ueb, k, n, size] = splitFields(body, at, label, [head.field, 'ueb-hash', 'k', 'N', 'size']);
  const out = {
    head: readBase32(h![0], h![1], head.what, head.bytes),
    uebHash: readBase32(ueb![0], ueb![1], 'the UEB hash', HASH_BYTES),
    k: readDecimal(k![0], 'k'),
    n: readDecimal(n![0], 'N'),
    size: readDecimal(size![0], 'size'),
  };
  assertShareParams(out.k, out.n, out.size);
  return out;
}

/** Formats `<prefix><head>:<ueb-hash>:<k>:<N>:<size>` after checking every field. */
export function formatChkBody(prefix: string, head: ChkHead, headBytes: Uint8Array, cap: ChkFields): string {
  assertBytes(headBytes, head.prop, head.bytes);
  assertBytes(cap.uebHash, 'uebHash', HASH_BYTES);
  assertShareParams(cap.k, cap.n, cap.size);
  return `${prefix}${base32Encode(headBytes)}:${base32Encode(cap.uebHash)}:${cap.k}:${cap.n}:${cap.size}`;
}

/**
 * Byte helpers shared by every layer: concat, equality, hex and base32 (RFC 4648, lowercase,
 * no padding, as Tahoe writes caps). Every function accepts subarrays with a non-zero offset.
 * @module
 */

/** Concatenates byte arrays into one new array. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Constant-time-ish equality of two byte arrays (time depends only on the length). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!];
  return s;
}

export function hexToBytes(hex: string): Uint8Array {
  if (typeof hex !== 'string') throw new TypeError('"hex" expected a string');
  if (hex.length % 2 !== 0) throw new RangeError('"hex" has an odd number of digits');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const byte = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    if (Number.isNaN(byte) || !/^[0-9a-fA-F]{2}$/.test(hex.slice(2 * i, 2 * i + 2))) {
      throw new RangeError(`"hex" has a non-hex digit near position ${2 * i}`);
    }
    out[i] = byte;
  }
  return out;
}

const B32_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const B32_LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < 32; i++) B32_LOOKUP[B32_ALPHABET.charCodeAt(i)] = i;

/** RFC 4648 base32, lowercase, without padding. */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < bytes.length; i++) {
    buffer = (buffer << 8) | bytes[i]!;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += B32_ALPHABET[(buffer >>> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += B32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** Length in characters of the unpadded base32 text of `byteLength` bytes. */
export function base32Length(byteLength: number): number {
  return Math.ceil((byteLength * 8) / 5);
}

/**
 * Decodes unpadded lowercase base32. Rejects characters outside the alphabet, impossible
 * lengths, and non-zero trailing bits (so every byte string has exactly one spelling).
 */
export function base32Decode(text: string): Uint8Array {
  if (typeof text !== 'string') throw new TypeError('"base32" expected a string');
  const rem = text.length % 8;
  if (rem === 1 || rem === 3 || rem === 6) {
    throw new RangeError(`base32 text of ${text.length} characters cannot be whole bytes`);
  }
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const v = code < 128 ? B32_LOOKUP[code]! : -1;
    if (v < 0) throw new RangeError(`"${text[i]}" at position ${i} is not a base32 character`);
    buffer = ((buffer << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (buffer >>> bits) & 0xff;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) throw new RangeError('base32 text has non-zero padding bits');
  return out;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

export function utf8ToBytes(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

export function bytesToUtf8(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes);
}

/** Big-endian unsigned integers, as Tahoe's share layouts use. */
export function writeUint32BE(view: Uint8Array, at: number, value: number): void {
  view[at] = value >>> 24;
  view[at + 1] = (value >>> 16) & 0xff;
  view[at + 2] = (value >>> 8) & 0xff;
  view[at + 3] = value & 0xff;
}

export function readUint32BE(view: Uint8Array, at: number): number {
  return ((view[at]! << 24) | (view[at + 1]! << 16) | (view[at + 2]! << 8) | view[at + 3]!) >>> 0;
}

/** 64-bit big-endian for sizes up to 2^53. */
export function writeUint64BE(view: Uint8Array, at: number, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`"value" ${value} is not a safe unsigned integer`);
  writeUint32BE(view, at, Math.floor(value / 2 ** 32));
  writeUint32BE(view, at + 4, value >>> 0);
}

export function readUint64BE(view: Uint8Array, at: number): number {
  const hi = readUint32BE(view, at);
  const lo = readUint32BE(view, at + 4);
  const v = hi * 2 ** 32 + lo;
  if (!Number.isSafeInteger(v)) throw new RangeError('64-bit value is larger than 2^53');
  return v;
}

/** Asserts a Uint8Array, optionally of an exact length, naming the argument in the error. */
export function assertBytes(value: unknown, name: string, length?: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`"${name}" expected a Uint8Array`);
  if (length !== undefined && value.length !== length) {
    throw new RangeError(`"${name}" expected ${length} bytes, got ${value.length}`);
  }
}

/** A fresh copy that owns exactly its bytes (safe to transfer, send or store). */
export function exactCopy(bytes: Uint8Array): Uint8Array {
  return bytes.slice();
}

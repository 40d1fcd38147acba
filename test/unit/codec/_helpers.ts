/** Shared helpers of the codec tests: known answers, awkward views, seeded bytes. @module */
import { readFileSync } from 'node:fs';

export interface VectorCase {
  name: string;
  k: number;
  m: number;
  block_size: number;
  input_hex: string;
  blocks_hex: string[];
  matrix_hex: string[] | null; // null for the large cases
  decode_sets: number[][];
  note: string | null;
}

export function loadVectors(): VectorCase[] {
  const url = new URL('../../vectors/zfec-vectors.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { cases: VectorCase[] }).cases;
}

/** A copy of `bytes` seen through a subarray whose byteOffset is `shift` (noble's unalign). */
export function unalign(bytes: Uint8Array, shift: number): Uint8Array {
  const buf = new Uint8Array(bytes.length + shift + 5);
  buf.fill(0xa5);
  buf.set(bytes, shift);
  return buf.subarray(shift, shift + bytes.length);
}

/** Deterministic pseudo-random bytes (xorshift32), so failures reproduce. */
export function seededBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = (seed ^ 0x9e3779b9) | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[i] = x >>> 24;
  }
  return out;
}

/** Cuts `data` into k blocks of `size` bytes, each a subarray at byteOffset `shift + i·size`. */
export function splitPrimaries(data: Uint8Array, k: number, shift = 0): Uint8Array[] {
  const size = data.length / k;
  const backing = unalign(data, shift);
  return Array.from({ length: k }, (_, i) => backing.subarray(i * size, (i + 1) * size));
}

/**
 * A slow, readable zfec-compatible Reed-Solomon codec, written for clarity only: the tests check
 * that src/core/codec (the fast one) agrees with it. Field GF(2^8) mod x^8+x^4+x^3+x^2+1 (0x11d),
 * generator α = 2; the m×k Vandermonde matrix V has row 0 = [1,0,…,0] and V[r][c] = α^((r−1)·c);
 * the encoding matrix is E = V · inverse(top k×k of V) (Rizzo's fec.c, zfec 1.5.2).
 * @module
 */

/** a·b in GF(2^8): carry-less "Russian peasant" multiplication reduced by 0x11d. */
export function refMul(a: number, b: number): number {
  let product = 0;
  while (b > 0) {
    if (b & 1) product ^= a;
    a <<= 1;
    if (a & 0x100) a ^= 0x11d;
    b >>= 1;
  }
  return product;
}

/** a^e by repeated multiplication. */
export function refPow(a: number, e: number): number {
  let r = 1;
  for (let i = 0; i < e; i++) r = refMul(r, a);
  return r;
}

/** The x with a·x = 1, found by trying every byte. */
export function refInv(a: number): number {
  for (let x = 1; x < 256; x++) if (refMul(a, x) === 1) return x;
  throw new RangeError('0 has no inverse');
}

type Matrix = number[][];

/** Gauss-Jordan inversion of a square matrix; throws if it is singular. */
export function refInvert(a: Matrix): Matrix {
  const n = a.length;
  // Work on [a | I] and reduce the left half to I.
  const w = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < n; col++) {
    const pivot = w.findIndex((row, r) => r >= col && row[col] !== 0);
    if (pivot < 0) throw new Error('singular matrix');
    [w[col], w[pivot]] = [w[pivot]!, w[col]!];
    const scale = refInv(w[col]![col]!);
    w[col] = w[col]!.map((v) => refMul(v, scale));
    for (let r = 0; r < n; r++) {
      const f = w[r]![col]!;
      if (r === col || f === 0) continue;
      w[r] = w[r]!.map((v, j) => v ^ refMul(f, w[col]![j]!));
    }
  }
  return w.map((row) => row.slice(n));
}

/** Product of two matrices over GF(2^8). */
export function refMatMul(a: Matrix, b: Matrix): Matrix {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((acc, v, i) => acc ^ refMul(v, b[i]![j]!), 0)));
}

/** zfec's m×k encoding matrix E = V · inverse(V[0..k)). */
export function refEncodingMatrix(k: number, m: number): Matrix {
  const v: Matrix = [];
  for (let r = 0; r < m; r++) {
    v.push(Array.from({ length: k }, (_, c) => (r === 0 ? (c === 0 ? 1 : 0) : refPow(2, (r - 1) * c))));
  }
  return refMatMul(v, refInvert(v.slice(0, k)));
}

/** Σ_c coefficients[c]·blocks[c], byte by byte. */
function combine(coefficients: number[], blocks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    let acc = 0;
    for (let c = 0; c < blocks.length; c++) acc ^= refMul(coefficients[c]!, blocks[c]![i]!);
    out[i] = acc;
  }
  return out;
}

/** All m blocks (fresh copies) for k equal-length primaries. */
export function refEncode(k: number, m: number, primaries: Uint8Array[]): Uint8Array[] {
  const e = refEncodingMatrix(k, m);
  const size = primaries[0]?.length ?? 0;
  return e.map((row) => combine(row, primaries, size));
}

/** The k primaries (fresh copies) from exactly k distinct shares. */
export function refDecode(k: number, m: number, blocks: Uint8Array[], shareNums: number[]): Uint8Array[] {
  const e = refEncodingMatrix(k, m);
  const inverse = refInvert(shareNums.map((s) => e[s]!));
  const size = blocks[0]?.length ?? 0;
  return inverse.map((row) => combine(row, blocks, size));
}

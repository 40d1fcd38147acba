/**
 * Arithmetic in GF(2^8) with the polynomial x^8+x^4+x^3+x^2+1 (0x11d) and generator α = 2,
 * the field of zfec (Rizzo's fec.c) and so of Tahoe-LAFS.
 * @module
 */

export const GF_POLY = 0x11d;

/** GF_EXP[i] = α^i for 0 ≤ i < 510 (doubled so that exp[log a + log b] needs no modulo). */
export const GF_EXP = new Uint8Array(510);
/** GF_LOG[a] = log_α a for a ≠ 0; GF_LOG[0] is unused. */
export const GF_LOG = new Uint16Array(256);

{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    GF_EXP[i] = x;
    GF_LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= GF_POLY;
  }
  for (let i = 255; i < 510; i++) GF_EXP[i] = GF_EXP[i - 255]!;
}

export function gfMul(a: number, b: number): number {
  if (a === 0 || b === 0) return 0;
  return GF_EXP[GF_LOG[a]! + GF_LOG[b]!]!;
}

export function gfInv(a: number): number {
  if (a === 0) throw new RangeError('0 has no inverse in GF(2^8)');
  return GF_EXP[255 - GF_LOG[a]!]!;
}

/** α^e for any e ≥ 0. */
export function gfPow(e: number): number {
  return GF_EXP[e % 255]!;
}

/** MUL_TABLE[c * 256 + x] = c·x: 64 KiB, the working table of the codec's inner loops. */
export const GF_MUL_TABLE = new Uint8Array(256 * 256);
for (let c = 0; c < 256; c++) {
  for (let x = 0; x < 256; x++) GF_MUL_TABLE[c * 256 + x] = gfMul(c, x);
}

/**
 * Inverts an n×n matrix (row-major) over GF(2^8) by Gauss-Jordan elimination, with row
 * operations through GF_MUL_TABLE (decoding from many parity shares inverts up to 128×128).
 * Returns null when the matrix is singular.
 */
export function gfInvertMatrix(matrix: Uint8Array, n: number): Uint8Array | null {
  const a = matrix.slice();
  const inv = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  const mt = GF_MUL_TABLE;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    while (pivot < n && a[pivot * n + col] === 0) pivot++;
    if (pivot === n) return null;
    if (pivot !== col) {
      for (let j = 0; j < n; j++) {
        const t = a[col * n + j]!; a[col * n + j] = a[pivot * n + j]!; a[pivot * n + j] = t;
        const u = inv[col * n + j]!; inv[col * n + j] = inv[pivot * n + j]!; inv[pivot * n + j] = u;
      }
    }
    const scale = gfInv(a[col * n + col]!) << 8;
    for (let j = 0; j < n; j++) {
      a[col * n + j] = mt[scale | a[col * n + j]!]!;
      inv[col * n + j] = mt[scale | inv[col * n + j]!]!;
    }
    for (let r = 0; r < n; r++) {
      const f = a[r * n + col]! << 8;
      if (r === col || f === 0) continue;
      for (let j = 0; j < n; j++) {
        a[r * n + j]! ^= mt[f | a[col * n + j]!]!;
        inv[r * n + j]! ^= mt[f | inv[col * n + j]!]!;
      }
    }
  }
  return inv;
}

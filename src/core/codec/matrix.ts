/**
 * zfec's encoding matrix and the decoding rows derived from it. zfec builds E = V·inverse(V[0..k))
 * with Vandermonde points x_0 = 0, x_j = α^(j−1); E's row r is thus the Lagrange basis at x_r:
 * E[r][c] = Π_{j≠c} (x_r − x_j) / (x_c − x_j), computed here in O(m·k) instead of O(k³).
 * (test/reference/rs-reference.ts builds E the slow way; the tests check both against zfec.)
 * @module
 */
import { GF_EXP, GF_LOG, gfInvertMatrix, gfMul } from './gf256.js';

/** The Vandermonde point of share r: 0 for share 0, α^(r−1) after. */
function point(r: number): number {
  return r === 0 ? 0 : GF_EXP[r - 1]!;
}

/** zfec's m×k encoding matrix, row-major; rows 0..k−1 are the identity. */
export function buildEncodingMatrix(k: number, m: number): Uint8Array {
  const e = new Uint8Array(m * k);
  for (let r = 0; r < k; r++) e[r * k + r] = 1;
  // logDen[c] = log Π_{j≠c} (x_c ⊕ x_j): the points are distinct, so no factor is 0.
  const logDen = new Int32Array(k);
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0; j < k; j++) if (j !== c) s += GF_LOG[point(c) ^ point(j)]!;
    logDen[c] = s % 255;
  }
  const logDiff = new Int32Array(k);
  for (let r = k; r < m; r++) {
    const x = point(r);
    let logNum = 0;
    for (let j = 0; j < k; j++) {
      logDiff[j] = GF_LOG[x ^ point(j)]!;
      logNum += logDiff[j]!;
    }
    logNum %= 255;
    for (let c = 0; c < k; c++) {
      // 3·255 keeps the exponent non-negative before the modulo.
      e[r * k + c] = GF_EXP[(logNum - logDiff[c]! - logDen[c]! + 3 * 255) % 255]!;
    }
  }
  return e;
}

const matrixCache = new Map<number, Uint8Array>();
const MATRIX_CACHE_ENTRIES = 16;

/** buildEncodingMatrix, remembered for the last few (k, m) (codecs are created per file). */
export function encodingMatrix(k: number, m: number): Uint8Array {
  const key = k * 257 + m;
  let e = matrixCache.get(key);
  if (e === undefined) {
    e = buildEncodingMatrix(k, m);
    if (matrixCache.size >= MATRIX_CACHE_ENTRIES) matrixCache.delete(matrixCache.keys().next().value!);
    matrixCache.set(key, e);
  }
  return e;
}

/**
 * Rows that rebuild the missing primaries from k chosen shares.
 * `chosen` lists k distinct share numbers; the result has one row of k coefficients per primary
 * missing from `chosen` (ascending), column i applying to the block of share chosen[i].
 * With P the present primaries, Q the missing ones and R the parity shares (|R| = |Q|):
 * x_Q = A⁻¹·(b_R − E[R][P]·x_P) where A = E[R][Q], so only an |Q|×|Q| matrix is inverted.
 */
export function decodingRows(matrix: Uint8Array, k: number, chosen: readonly number[]): { missing: number[]; rows: Uint8Array } {
  const present = new Int32Array(k).fill(-1); // primary → column in chosen
  const parityCols: number[] = [];
  chosen.forEach((s, i) => {
    if (s < k) present[s] = i;
    else parityCols.push(i);
  });
  const missing: number[] = [];
  for (let p = 0; p < k; p++) if (present[p] === -1) missing.push(p);
  const e = missing.length;
  const rows = new Uint8Array(e * k);
  if (e === 0) return { missing, rows };
  const a = new Uint8Array(e * e);
  for (let i = 0; i < e; i++) {
    const r = chosen[parityCols[i]!]!;
    for (let j = 0; j < e; j++) a[i * e + j] = matrix[r * k + missing[j]!]!;
  }
  const inv = gfInvertMatrix(a, e);
  // Cannot happen for zfec's matrix (every k rows are independent); kept as a loud guard.
  if (inv === null) throw new Error(`internal error: shares ${chosen.join(',')} gave a singular decoding matrix`);
  for (let q = 0; q < e; q++) {
    for (let i = 0; i < e; i++) rows[q * k + parityCols[i]!] = inv[q * e + i]!;
    for (let p = 0; p < k; p++) {
      const col = present[p]!;
      if (col === -1) continue;
      let acc = 0;
      for (let i = 0; i < e; i++) acc ^= gfMul(inv[q * e + i]!, matrix[chosen[parityCols[i]!]! * k + p]!);
      rows[q * k + col] = acc;
    }
  }
  return { missing, rows };
}

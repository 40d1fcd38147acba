/**
 * Runs a linear map over GF(2^8), out_r = Σ_c rows[r][c]·in_c, 32 bits at a time. Output rows
 * go in groups of up to four: one table lookup per input byte yields that byte's product with
 * every row of the group (layouts in _kernels-small.ts). Work proceeds in stripes: each input's
 * stripe is copied into one scratch array (so any byteOffset is fine and the kernels touch a
 * single typed array), every group writes its rows there, and the rows are copied out. The last
 * size mod 4 bytes are done one at a time.
 * @module
 */
import { GF_MUL_TABLE } from './gf256.js';
import { mul1k2, mul1k3, mul1k4, mul2k2, mul2k3, mul2k4, mul4k2, mul4k3, mul4k4 } from './_kernels-small.js';
import { mul1w, mul2w, mul4w } from './_kernels-wide.js';

interface Group {
  readonly first: number; // index of the group's first row
  readonly size: number; // 1..4 rows; 3 uses layout 4
  readonly table: Int32Array;
}

/** A linear map from k input blocks to `count` output blocks, with its lookup tables. */
export interface MulPlan {
  readonly k: number;
  readonly count: number;
  readonly rows: Uint8Array; // count×k coefficients, row-major
  readonly groups: readonly Group[];
}

/** Builds the lookup tables of `rows` (count×k coefficients, row-major). */
export function makePlan(rows: Uint8Array, k: number): MulPlan {
  const count = rows.length / k;
  const groups: Group[] = [];
  for (let first = 0; first < count; first += 4) {
    const size = Math.min(4, count - first);
    groups.push({ first, size, table: buildTable(rows, k, first, size) });
  }
  return { k, count, rows, groups };
}

function buildTable(rows: Uint8Array, k: number, first: number, size: number): Int32Array {
  const mt = GF_MUL_TABLE;
  if (size === 1) {
    const t = new Int32Array(k * 1024);
    for (let c = 0; c < k; c++) {
      const base = rows[first * k + c]! << 8;
      for (let b = 0; b < 256; b++) {
        const p = mt[base | b]!;
        const o = c * 1024 + b;
        t[o] = p;
        t[o + 256] = p << 8;
        t[o + 512] = p << 16;
        t[o + 768] = p << 24;
      }
    }
    return t;
  }
  if (size === 2) {
    const t = new Int32Array(k * 512);
    for (let c = 0; c < k; c++) {
      const b0 = rows[first * k + c]! << 8;
      const b1 = rows[(first + 1) * k + c]! << 8;
      for (let b = 0; b < 256; b++) {
        const p0 = mt[b0 | b]!;
        const p1 = mt[b1 | b]!;
        t[c * 512 + b] = p0 | (p1 << 16);
        t[c * 512 + 256 + b] = (p0 << 8) | (p1 << 24);
      }
    }
    return t;
  }
  const t = new Int32Array(k * 256);
  for (let c = 0; c < k; c++) {
    // A missing fourth row multiplies by 0: mt[0 | b] = 0.
    const b0 = rows[first * k + c]! << 8;
    const b1 = rows[(first + 1) * k + c]! << 8;
    const b2 = rows[(first + 2) * k + c]! << 8;
    const b3 = size === 4 ? rows[(first + 3) * k + c]! << 8 : 0;
    for (let b = 0; b < 256; b++) t[c * 256 + b] = mt[b0 | b]! | (mt[b1 | b]! << 8) | (mt[b2 | b]! << 16) | (mt[b3 | b]! << 24);
  }
  return t;
}

// The scratch array holds k input stripes and 5 output stripes (four rows of a group and a dummy
// for groups of three), about 128 KiB: it stays in L2 while every group reads it. (Measured:
// 32 KiB to 256 KiB made no difference; fewer, longer stripes mean fewer calls and copies.)
const SCRATCH_WORDS = 32 * 1024;
const MAX_STRIPE_WORDS = 4096;
const MIN_STRIPE_WORDS = 256;

let scratch = new Int32Array(0);

/**
 * outputs[r] = Σ_c plan.rows[r][c]·inputs[c] for every row. `inputs` are k blocks of `size`
 * bytes at any byteOffset; `outputs` are plan.count blocks of `size` bytes, overwritten entirely.
 */
export function runPlan(plan: MulPlan, inputs: readonly Uint8Array[], outputs: readonly Uint8Array[], size: number): void {
  const k = plan.k;
  const words = size >>> 2;
  if (words > 0) {
    const stride = Math.max(MIN_STRIPE_WORDS, Math.min(MAX_STRIPE_WORDS, ((SCRATCH_WORDS / (k + 5)) | 0) & ~63));
    if (scratch.length < (k + 5) * stride) scratch = new Int32Array((k + 5) * stride);
    const s = scratch;
    const s8 = new Uint8Array(s.buffer, 0, (k + 5) * stride * 4);
    const q = k * stride; // first output stripe
    for (let lo = 0; lo < words; lo += stride) {
      const n = Math.min(stride, words - lo);
      const from = lo * 4, to = (lo + n) * 4;
      for (let c = 0; c < k; c++) s8.set(inputs[c]!.subarray(from, to), c * stride * 4);
      for (const g of plan.groups) {
        runGroup(g, s, n, stride, k);
        for (let j = 0; j < g.size; j++) {
          outputs[g.first + j]!.set(s8.subarray((q + j * stride) * 4, (q + j * stride) * 4 + (to - from)), from);
        }
      }
    }
  }
  // The last size mod 4 bytes, one at a time.
  const mt = GF_MUL_TABLE;
  const rows = plan.rows;
  for (let i = words * 4; i < size; i++) {
    for (let r = 0; r < plan.count; r++) {
      let acc = 0;
      for (let c = 0; c < k; c++) acc ^= mt[(rows[r * k + c]! << 8) | inputs[c]![i]!]!;
      outputs[r]![i] = acc;
    }
  }
}

/** One group over one stripe: results in the output stripes k·stride + j·stride. */
function runGroup(g: Group, s: Int32Array, n: number, stride: number, k: number): void {
  const t = g.table;
  const q0 = k * stride, q1 = q0 + stride, q2 = q1 + stride;
  const q3 = g.size === 4 ? q2 + stride : q2 + 2 * stride; // a group of 3 writes row 3 to the dummy
  if (g.size >= 3) {
    if (k === 2) mul4k2(t, s, n, 0, stride, q0, q1, q2, q3);
    else if (k === 3) mul4k3(t, s, n, 0, stride, 2 * stride, q0, q1, q2, q3);
    else if (k === 4) mul4k4(t, s, n, 0, stride, 2 * stride, 3 * stride, q0, q1, q2, q3);
    else mul4w(t, s, n, stride, k, q0, q1, q2, q3);
  } else if (g.size === 2) {
    if (k === 2) mul2k2(t, s, n, 0, stride, q0, q1);
    else if (k === 3) mul2k3(t, s, n, 0, stride, 2 * stride, q0, q1);
    else if (k === 4) mul2k4(t, s, n, 0, stride, 2 * stride, 3 * stride, q0, q1);
    else mul2w(t, s, n, stride, k, q0, q1);
  } else if (k === 2) mul1k2(t, s, n, 0, stride, q0);
  else if (k === 3) mul1k3(t, s, n, 0, stride, 2 * stride, q0);
  else if (k === 4) mul1k4(t, s, n, 0, stride, 2 * stride, 3 * stride, q0);
  else mul1w(t, s, n, stride, k, q0);
}

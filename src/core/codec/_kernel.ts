/**
 * Runs a linear map over GF(2^8), out_r = Σ_c rows[r][c]·in_c, 32 bits at a time. Output rows
 * go in groups of up to four: one table lookup per input byte yields that byte's product with
 * every row of the group (layouts in _kernels-small.ts). Work proceeds in stripes small enough
 * for the inputs to stay in L1 while every group reads them; the last size mod 4 bytes are
 * done one at a time.
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

// Words per input in one stripe: 8 KiB per input keeps 3 or 4 inputs in a 32–48 KiB L1; for
// larger k the stripes shrink so that all k stay in L2-sized scratch.
const STRIPE_WORDS = 2048;
const SCRATCH_WORDS = 64 * 1024;
/** Where a group of 3 rows writes its unused fourth row: index & DUMMY_MASK stays inside. */
const DUMMY_MASK = STRIPE_WORDS - 1;
const dummy = new Int32Array(STRIPE_WORDS);

let scratch = new Int32Array(0);

function scratchFor(words: number): Int32Array {
  if (scratch.length < words) scratch = new Int32Array(Math.max(words, 4 * STRIPE_WORDS));
  return scratch;
}

/**
 * outputs[r] = Σ_c plan.rows[r][c]·inputs[c] for every row. `inputs` are k blocks of `size`
 * bytes at any byteOffset; `outputs` are plan.count blocks of `size` bytes, each at byteOffset 0
 * of its own buffer (the codec allocates them), and are overwritten entirely.
 */
export function runPlan(plan: MulPlan, inputs: readonly Uint8Array[], outputs: readonly Uint8Array[], size: number): void {
  const words = size >>> 2;
  if (words > 0) {
    const out32 = outputs.map((o) => new Int32Array(o.buffer, o.byteOffset, words));
    if (plan.k >= 2 && plan.k <= 4) runSmall(plan, inputs, out32, words);
    else runWide(plan, inputs, out32, words);
  }
  const k = plan.k;
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

/** k = 2..4: inputs read in place when 4-aligned, else copied stripe by stripe into scratch. */
function runSmall(plan: MulPlan, inputs: readonly Uint8Array[], out32: Int32Array[], words: number): void {
  const k = plan.k;
  const aligned = inputs.every((b) => (b.byteOffset & 3) === 0);
  let xs: Int32Array[];
  let s8: Uint8Array | undefined;
  if (aligned) {
    xs = inputs.map((b) => new Int32Array(b.buffer, b.byteOffset, words));
  } else {
    const s = scratchFor(k * STRIPE_WORDS);
    s8 = new Uint8Array(s.buffer);
    xs = inputs.map((_, c) => new Int32Array(s.buffer, c * STRIPE_WORDS * 4, STRIPE_WORDS));
  }
  const x0 = xs[0]!, x1 = xs[1]!, x2 = xs[2] ?? x1, x3 = xs[3] ?? x1;
  for (let lo = 0; lo < words; lo += STRIPE_WORDS) {
    const n = Math.min(STRIPE_WORDS, words - lo);
    let ib = lo;
    if (s8 !== undefined) {
      for (let c = 0; c < k; c++) s8.set(inputs[c]!.subarray(lo * 4, (lo + n) * 4), c * STRIPE_WORDS * 4);
      ib = 0;
    }
    for (const g of plan.groups) {
      const t = g.table;
      const o0 = out32[g.first]!;
      if (g.size >= 3) {
        const o1 = out32[g.first + 1]!, o2 = out32[g.first + 2]!;
        const o3 = g.size === 4 ? out32[g.first + 3]! : dummy;
        const m3 = g.size === 4 ? -1 : DUMMY_MASK;
        if (k === 2) mul4k2(t, x0, x1, ib, n, o0, o1, o2, o3, lo, m3);
        else if (k === 3) mul4k3(t, x0, x1, x2, ib, n, o0, o1, o2, o3, lo, m3);
        else mul4k4(t, x0, x1, x2, x3, ib, n, o0, o1, o2, o3, lo, m3);
      } else if (g.size === 2) {
        const o1 = out32[g.first + 1]!;
        if (k === 2) mul2k2(t, x0, x1, ib, n, o0, o1, lo);
        else if (k === 3) mul2k3(t, x0, x1, x2, ib, n, o0, o1, lo);
        else mul2k4(t, x0, x1, x2, x3, ib, n, o0, o1, lo);
      } else if (k === 2) mul1k2(t, x0, x1, ib, n, o0, lo);
      else if (k === 3) mul1k3(t, x0, x1, x2, ib, n, o0, lo);
      else mul1k4(t, x0, x1, x2, x3, ib, n, o0, lo);
    }
  }
}

/** Any k: every stripe of every input is copied into one scratch array first. */
function runWide(plan: MulPlan, inputs: readonly Uint8Array[], out32: Int32Array[], words: number): void {
  const k = plan.k;
  const stride = Math.min(STRIPE_WORDS, Math.max(64, (SCRATCH_WORDS / k) & ~63));
  const s = scratchFor(k * stride);
  const s8 = new Uint8Array(s.buffer);
  for (let lo = 0; lo < words; lo += stride) {
    const n = Math.min(stride, words - lo);
    for (let c = 0; c < k; c++) s8.set(inputs[c]!.subarray(lo * 4, (lo + n) * 4), c * stride * 4);
    for (const g of plan.groups) {
      const t = g.table;
      const o0 = out32[g.first]!;
      if (g.size >= 3) {
        const o3 = g.size === 4 ? out32[g.first + 3]! : dummy;
        mul4w(t, s, stride, k, n, o0, out32[g.first + 1]!, out32[g.first + 2]!, o3, lo, g.size === 4 ? -1 : DUMMY_MASK);
      } else if (g.size === 2) mul2w(t, s, stride, k, n, o0, out32[g.first + 1]!, lo);
      else mul1w(t, s, stride, k, n, o0, lo);
    }
  }
}

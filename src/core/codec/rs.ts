/**
 * k-of-m Reed-Solomon erasure code over GF(2^8), byte-identical to zfec 1.5: the encoding matrix
 * is V·inverse(V[0..k)) where V[0] = [1,0,…,0] and V[r][c] = α^((r−1)c), so shares 0..k−1 are the
 * primaries themselves (a systematic code) and the rows do not depend on m.
 * @module
 */
import { MAX_SHARES } from '../limits.js';
import { CodecInputError, CodecParamsError } from './errors.js';
import { GF_MUL_TABLE, gfInvertMatrix, gfMul, gfPow } from './gf256.js';

export interface Codec {
  readonly k: number;
  readonly m: number;
  /** Returns the blocks of the requested share numbers (default 0..m−1); share i < k is primaries[i]. */
  encode(primaries: Uint8Array[], shareNums?: number[]): Uint8Array[];
  /** Any k distinct shares (blocks[i] is share shareNums[i]) → the k primaries in order. */
  decode(blocks: Uint8Array[], shareNums: number[]): Uint8Array[];
}

/** zfec's m×k encoding matrix, row-major. */
export function encodingMatrix(k: number, m: number): Uint8Array {
  const v = new Uint8Array(m * k);
  v[0] = 1;
  for (let r = 1; r < m; r++) for (let c = 0; c < k; c++) v[r * k + c] = gfPow((r - 1) * c);
  const top = gfInvertMatrix(v.subarray(0, k * k), k);
  if (!top) throw new CodecParamsError(`the Vandermonde matrix for k=${k} is singular`);
  const e = new Uint8Array(m * k);
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < k; c++) {
      let acc = 0;
      for (let j = 0; j < k; j++) acc ^= gfMul(v[r * k + j]!, top[j * k + c]!);
      e[r * k + c] = acc;
    }
  }
  return e;
}

function assertParams(k: number, m: number): void {
  if (!Number.isInteger(k) || !Number.isInteger(m)) throw new CodecParamsError(`k and m must be whole numbers (got k=${k}, m=${m})`);
  if (k < 1) throw new CodecParamsError(`k must be at least 1 (got ${k})`);
  if (m > MAX_SHARES) throw new CodecParamsError(`m must be at most ${MAX_SHARES} (got ${m})`);
  if (k > m) throw new CodecParamsError(`k must not exceed m (got k=${k}, m=${m})`);
}

/** out ^= c·src, byte by byte through the 64 KiB table. */
function mulAdd(out: Uint8Array, src: Uint8Array, c: number): void {
  if (c === 0) return;
  if (c === 1) {
    for (let i = 0; i < out.length; i++) out[i]! ^= src[i]!;
    return;
  }
  const base = c << 8;
  for (let i = 0; i < out.length; i++) out[i]! ^= GF_MUL_TABLE[base + src[i]!]!;
}

function assertBlocks(blocks: Uint8Array[], what: string): number {
  if (!Array.isArray(blocks)) throw new TypeError(`"${what}" expected an array of Uint8Array`);
  let size = -1;
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i];
    if (!(b instanceof Uint8Array)) throw new TypeError(`"${what}[${i}]" expected a Uint8Array`);
    if (size === -1) size = b.length;
    else if (b.length !== size) {
      throw new CodecInputError(`${what} must all have the same length: block 0 has ${size} bytes, block ${i} has ${b.length}`);
    }
  }
  return Math.max(size, 0);
}

export function createCodec(k: number, m: number): Codec {
  assertParams(k, m);
  const matrix = encodingMatrix(k, m);

  function checkShareNum(n: unknown, i: number, what: string): number {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n >= m) {
      throw new CodecParamsError(`${what}[${i}] = ${String(n)} is not a share number in 0..${m - 1}`);
    }
    return n;
  }

  return {
    k,
    m,
    encode(primaries, shareNums) {
      const size = assertBlocks(primaries, 'primaries');
      if (primaries.length !== k) throw new CodecInputError(`encode needs exactly k=${k} primary blocks, got ${primaries.length}`);
      const wanted = shareNums ?? Array.from({ length: m }, (_, i) => i);
      return wanted.map((n, i) => {
        const share = checkShareNum(n, i, 'shareNums');
        if (share < k) return primaries[share]!;
        const out = new Uint8Array(size);
        for (let c = 0; c < k; c++) mulAdd(out, primaries[c]!, matrix[share * k + c]!);
        return out;
      });
    },
    decode(blocks, shareNums) {
      const size = assertBlocks(blocks, 'blocks');
      if (!Array.isArray(shareNums)) throw new TypeError('"shareNums" expected an array of numbers');
      if (blocks.length !== shareNums.length) {
        throw new CodecInputError(`decode got ${blocks.length} blocks but ${shareNums.length} share numbers`);
      }
      if (blocks.length < k) throw new CodecInputError(`decode needs k=${k} blocks, got only ${blocks.length}`);
      const seen = new Set<number>();
      const rows: number[] = [];
      const chosen: Uint8Array[] = [];
      for (let i = 0; i < shareNums.length; i++) {
        const n = checkShareNum(shareNums[i], i, 'shareNums');
        if (seen.has(n)) throw new CodecParamsError(`share number ${n} appears twice in shareNums`);
        seen.add(n);
        if (rows.length < k) {
          rows.push(n);
          chosen.push(blocks[i]!);
        }
      }
      const sub = new Uint8Array(k * k);
      rows.forEach((r, i) => sub.set(matrix.subarray(r * k, r * k + k), i * k));
      const inv = gfInvertMatrix(sub, k);
      if (!inv) throw new CodecParamsError(`shares ${rows.join(',')} do not form an invertible set`);
      const out: Uint8Array[] = [];
      for (let p = 0; p < k; p++) {
        const direct = rows.indexOf(p);
        if (direct >= 0) {
          out.push(chosen[direct]!);
          continue;
        }
        const acc = new Uint8Array(size);
        for (let j = 0; j < k; j++) mulAdd(acc, chosen[j]!, inv[p * k + j]!);
        out.push(acc);
      }
      return out;
    },
  };
}

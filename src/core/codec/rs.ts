/**
 * k-of-m Reed-Solomon erasure code over GF(2^8), byte-identical to zfec 1.5 (Tahoe-LAFS's codec):
 * systematic, so shares 0..k−1 are the primary blocks themselves and shares k..m−1 are parity
 * blocks computed with zfec's encoding matrix (matrix.ts) by the table kernels of _kernel.ts.
 * @module
 */
import { CodecInputError } from './errors.js';
import { makePlan, runPlan, type MulPlan } from './_kernel.js';
import { decodingRows, encodingMatrix } from './matrix.js';
import { assertCodecParams, assertEqualBlocks, assertShareNums } from './params.js';

export interface Codec {
  readonly k: number;
  readonly m: number;
  /**
   * The blocks of the requested share numbers (default 0..m−1), in the order asked.
   * Share i < k is primaries[i] itself (the same object, as in zfec); every parity block is a
   * fresh Uint8Array over its own ArrayBuffer.
   */
  encode(primaries: Uint8Array[], shareNums?: number[]): Uint8Array[];
  /**
   * Any k distinct shares (blocks[i] is share shareNums[i]; more than k are allowed, primaries
   * are preferred) → the k primary blocks in order. A primary that was given is returned as the
   * very block object passed in; a rebuilt one is a fresh Uint8Array over its own ArrayBuffer.
   */
  decode(blocks: Uint8Array[], shareNums: number[]): Uint8Array[];
}

// Tables are remembered per set of shares (a download usually keeps one set for every segment
// of a file, an upload always asks for the same parity shares); a few sets per codec suffice.
const PLANS_KEPT = 8;

/**
 * A zfec-compatible k-of-m codec, 1 ≤ k ≤ m ≤ 256.
 * @throws CodecParamsError for impossible parameters or share numbers (out of range, repeated);
 *   CodecInputError for blocks that do not fit (wrong count, unequal lengths, fewer than k);
 *   TypeError for arguments of the wrong type.
 * @example
 *   const codec = createCodec(3, 10);
 *   const shares = codec.encode([a, b, c]);                          // 10 blocks
 *   const [a2, b2, c2] = codec.decode([shares[9]!, shares[2]!, shares[5]!], [9, 2, 5]);
 */
export function createCodec(k: number, m: number): Codec {
  assertCodecParams(k, m);
  const matrix = encodingMatrix(k, m);
  const encodePlans = new Map<string, MulPlan>();
  const decodePlans = new Map<string, { missing: number[]; plan: MulPlan }>();

  function encodePlan(parity: readonly number[]): MulPlan {
    const key = parity.join(',');
    let plan = encodePlans.get(key);
    if (plan === undefined) {
      const rows = new Uint8Array(parity.length * k);
      parity.forEach((s, i) => rows.set(matrix.subarray(s * k, s * k + k), i * k));
      plan = makePlan(rows, k);
      if (encodePlans.size >= PLANS_KEPT) encodePlans.delete(encodePlans.keys().next().value!);
      encodePlans.set(key, plan);
    }
    return plan;
  }

  function decodePlan(chosen: readonly number[]): { missing: number[]; plan: MulPlan } {
    const key = chosen.join(',');
    let entry = decodePlans.get(key);
    if (entry === undefined) {
      const { missing, rows } = decodingRows(matrix, k, chosen);
      entry = { missing, plan: makePlan(rows, k) };
      if (decodePlans.size >= PLANS_KEPT) decodePlans.delete(decodePlans.keys().next().value!);
      decodePlans.set(key, entry);
    }
    return entry;
  }

  return {
    k,
    m,
    encode(primaries, shareNums) {
      const size = assertEqualBlocks(primaries, 'primaries');
      if (primaries.length !== k) {
        throw new CodecInputError(`encode needs exactly k=${k} primary blocks, got ${primaries.length}`);
      }
      const wanted = shareNums === undefined ? Array.from({ length: m }, (_, i) => i) : assertShareNums(shareNums, m, 'shareNums');
      const parity = wanted.filter((s) => s >= k);
      const computed = parity.map(() => new Uint8Array(size));
      if (parity.length > 0) runPlan(encodePlan(parity), primaries, computed, size);
      let next = 0;
      return wanted.map((s) => (s < k ? primaries[s]! : computed[next++]!));
    },
    decode(blocks, shareNums) {
      const size = assertEqualBlocks(blocks, 'blocks');
      const nums = assertShareNums(shareNums, m, 'shareNums');
      if (blocks.length !== nums.length) {
        throw new CodecInputError(`decode got ${blocks.length} blocks but ${nums.length} share numbers; they must pair up`);
      }
      if (nums.length < k) {
        throw new CodecInputError(`decode needs k=${k} distinct shares, got only ${nums.length}`);
      }
      // Use every primary given, then the first parity shares: fewest blocks to rebuild.
      const order = nums.map((_, i) => i).filter((i) => nums[i]! < k);
      for (let i = 0; i < nums.length && order.length < k; i++) if (nums[i]! >= k) order.push(i);
      order.sort((a, b) => nums[a]! - nums[b]!); // one cached plan per set, whatever the order
      const chosen = order.map((i) => nums[i]!);
      const out: Uint8Array[] = new Array<Uint8Array>(k);
      order.forEach((i) => {
        if (nums[i]! < k) out[nums[i]!] = blocks[i]!;
      });
      const { missing, plan } = decodePlan(chosen);
      if (missing.length > 0) {
        const rebuilt = missing.map(() => new Uint8Array(size));
        runPlan(plan, order.map((i) => blocks[i]!), rebuilt, size);
        missing.forEach((p, j) => (out[p] = rebuilt[j]!));
      }
      return out;
    },
  };
}

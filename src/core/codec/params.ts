/**
 * Validation at the codec's edge: the parameters (k, m), share numbers and blocks are checked
 * once here, so the matrix code and the inner loops can trust what they get.
 * @module
 */
import { MAX_SHARES } from '../limits.js';
import { CodecInputError, CodecParamsError } from './errors.js';

/** Throws CodecParamsError unless 1 ≤ k ≤ m ≤ MAX_SHARES, all whole numbers. */
export function assertCodecParams(k: number, m: number): void {
  if (typeof k !== 'number' || typeof m !== 'number' || !Number.isInteger(k) || !Number.isInteger(m)) {
    throw new CodecParamsError(`k and m must be whole numbers (got k=${String(k)}, m=${String(m)})`);
  }
  if (k < 1) throw new CodecParamsError(`k must be at least 1 (got k=${k})`);
  if (m > MAX_SHARES) throw new CodecParamsError(`m must be at most ${MAX_SHARES} (got m=${m})`);
  if (k > m) throw new CodecParamsError(`k must not exceed m (got k=${k}, m=${m})`);
}

/**
 * Checks that `blocks` is an array of Uint8Array all of one length and returns that length
 * (0 for an empty array). `what` names the argument in messages.
 */
export function assertEqualBlocks(blocks: readonly Uint8Array[], what: string): number {
  if (!Array.isArray(blocks)) throw new TypeError(`"${what}" expected an array of Uint8Array`);
  let size = 0;
  for (let i = 0; i < blocks.length; i++) {
    const b: unknown = blocks[i];
    if (!(b instanceof Uint8Array)) throw new TypeError(`"${what}[${i}]" expected a Uint8Array`);
    if (i === 0) size = b.length;
    else if (b.length !== size) {
      throw new CodecInputError(
        `${what} must all have the same length: ${what}[0] has ${size} bytes but ${what}[${i}] has ${b.length}`,
      );
    }
  }
  return size;
}

/**
 * Checks that `nums` is an array of distinct whole numbers in 0..m−1 and returns a copy
 * (so later mutation by the caller cannot change what was checked).
 */
export function assertShareNums(nums: readonly number[], m: number, what: string): number[] {
  if (!Array.isArray(nums)) throw new TypeError(`"${what}" expected an array of share numbers`);
  const seen = new Uint8Array(m);
  const out: number[] = [];
  for (let i = 0; i < nums.length; i++) {
    const n: unknown = nums[i];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n >= m) {
      throw new CodecParamsError(`${what}[${i}] = ${String(n)} is not a share number: it must be a whole number in 0..${m - 1}`);
    }
    if (seen[n] === 1) throw new CodecParamsError(`share number ${n} appears more than once in ${what}`);
    seen[n] = 1;
    out.push(n);
  }
  return out;
}

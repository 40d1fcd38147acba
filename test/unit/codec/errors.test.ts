/** Every bad input to the codec throws a named error whose message says what is wrong. */
import { describe, expect, it } from 'vitest';
import { CodecInputError, CodecParamsError, createCodec } from '../../../src/core/index.js';

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

function expectError(fn: () => unknown, type: typeof CodecParamsError | typeof TypeError, name: string, words: RegExp): void {
  const err = thrown(fn);
  expect(err).toBeInstanceOf(type);
  expect(err.name).toBe(name);
  expect(err.message).toMatch(words);
}

const params = (fn: () => unknown, words: RegExp) => expectError(fn, CodecParamsError, 'CodecParamsError', words);
const input = (fn: () => unknown, words: RegExp) => expectError(fn, CodecInputError, 'CodecInputError', words);

describe('createCodec refuses impossible parameters', () => {
  it('k > m, m > 256, k < 1, non-integers', () => {
    params(() => createCodec(5, 4), /k must not exceed m.*k=5, m=4/);
    params(() => createCodec(3, 257), /m must be at most 256.*257/);
    params(() => createCodec(0, 10), /k must be at least 1/);
    params(() => createCodec(-1, 10), /k must be at least 1/);
    params(() => createCodec(2.5, 10), /whole numbers/);
    params(() => createCodec(3, Number.NaN), /whole numbers/);
    params(() => createCodec(3, Infinity), /whole numbers/);
    params(() => createCodec('3' as unknown as number, 10), /whole numbers/);
  });
});

describe('encode refuses bad input', () => {
  const codec = createCodec(3, 6);
  const p = [new Uint8Array(4), new Uint8Array(4), new Uint8Array(4)];

  it('wrong number of primaries', () => {
    input(() => codec.encode(p.slice(0, 2)), /exactly k=3 primary blocks, got 2/);
    input(() => codec.encode([...p, new Uint8Array(4)]), /exactly k=3 primary blocks, got 4/);
  });

  it('primaries of unequal length', () => {
    input(() => codec.encode([p[0]!, new Uint8Array(5), p[2]!]), /same length.*4 bytes.*primaries\[1\] has 5/);
  });

  it('share numbers out of range, not whole, or repeated', () => {
    params(() => codec.encode(p, [0, 6]), /shareNums\[1\] = 6 is not a share number.*0\.\.5/);
    params(() => codec.encode(p, [-1]), /shareNums\[0\] = -1/);
    params(() => codec.encode(p, [1.5]), /shareNums\[0\] = 1\.5/);
    params(() => codec.encode(p, [4, 4]), /share number 4 appears more than once/);
  });

  it('wrong types', () => {
    expectError(() => codec.encode('abc' as unknown as Uint8Array[]), TypeError, 'TypeError', /"primaries" expected an array/);
    expectError(() => codec.encode([p[0]!, [1, 2, 3, 4] as unknown as Uint8Array, p[2]!]), TypeError, 'TypeError', /"primaries\[1\]" expected a Uint8Array/);
    expectError(() => codec.encode(p, 3 as unknown as number[]), TypeError, 'TypeError', /"shareNums" expected an array/);
  });
});

describe('decode refuses bad input', () => {
  const codec = createCodec(3, 6);
  const b = [new Uint8Array(4), new Uint8Array(4), new Uint8Array(4)];

  it('fewer than k blocks', () => {
    input(() => codec.decode(b.slice(0, 2), [0, 4]), /needs k=3 distinct shares, got only 2/);
  });

  it('blocks and share numbers that do not pair up', () => {
    input(() => codec.decode(b, [0, 1]), /3 blocks but 2 share numbers/);
    input(() => codec.decode(b, [0, 1, 2, 3]), /3 blocks but 4 share numbers/);
  });

  it('blocks of unequal length', () => {
    input(() => codec.decode([b[0]!, b[1]!, new Uint8Array(3)], [0, 1, 5]), /same length.*blocks\[2\] has 3/);
  });

  it('share numbers out of range or repeated', () => {
    params(() => codec.decode(b, [0, 1, 6]), /shareNums\[2\] = 6 is not a share number/);
    params(() => codec.decode(b, [0, 4, 4]), /share number 4 appears more than once/);
    params(() => codec.decode([...b, new Uint8Array(4)], [5, 1, 2, 5]), /share number 5 appears more than once/);
  });

  it('wrong types', () => {
    expectError(() => codec.decode(b, undefined as unknown as number[]), TypeError, 'TypeError', /"shareNums" expected an array/);
    expectError(() => codec.decode([b[0]!, null as unknown as Uint8Array, b[2]!], [0, 1, 2]), TypeError, 'TypeError', /"blocks\[1\]" expected a Uint8Array/);
  });
});

/** Encoding settings: the checks, the words next to the numbers, and storable bytes at k/N. */
import { describe, expect, it } from 'vitest';
import { checkEncoding, explainEncoding, parseEncoding, storableBytes } from '../../../src/app/settings.js';

describe('encoding', () => {
  it('accepts 1 ≤ k ≤ happy ≤ N ≤ 256 and says what is wrong otherwise', () => {
    expect(checkEncoding({ k: 3, happy: 7, n: 10 })).toBeUndefined();
    expect(checkEncoding({ k: 1, happy: 1, n: 1 })).toBeUndefined();
    expect(checkEncoding({ k: 256, happy: 256, n: 256 })).toBeUndefined();
    expect(checkEncoding({ k: 0, happy: 7, n: 10 })).toBe('k must be from 1 to 256, not 0');
    expect(checkEncoding({ k: 3, happy: 7, n: 257 })).toBe('N must be from 1 to 256, not 257');
    expect(checkEncoding({ k: 11, happy: 11, n: 10 })).toMatch(/^k \(11\) cannot be more than N \(10\)/);
    expect(checkEncoding({ k: 3, happy: 2, n: 10 })).toMatch(/^happy \(2\) cannot be less than k \(3\)/);
    expect(checkEncoding({ k: 3, happy: 11, n: 10 })).toMatch(/^happy \(11\) cannot be more than N \(10\)/);
    expect(checkEncoding({ k: 2.5, happy: 7, n: 10 })).toBe('k must be a whole number');
    expect(() => parseEncoding({ k: '3x', happy: '7', n: '10' })).toThrow('k must be a whole number');
    expect(parseEncoding({ k: ' 2 ', happy: '3', n: '4' })).toEqual({ k: 2, happy: 3, n: 4 });
  });

  it('explains the expansion factor and how many peers may vanish', () => {
    const w = explainEncoding({ k: 3, happy: 7, n: 10 });
    expect(w.expansion).toBe('Each file takes 3.33× its size in the grid (10 shares, each 1/3 of the file).');
    expect(w.vanish).toMatch(/^Any 3 of the 10 shares bring a file back: up to 7 shares may be lost, so at least 4 of the peers holding them may vanish \(up to 7 when each holds one share\)\.$/);
    expect(w.happy).toBe('An upload succeeds only when at least 7 different peers take shares.');
    expect(explainEncoding({ k: 2, happy: 4, n: 4 }).expansion).toMatch(/takes 2× its size/);
    expect(explainEncoding({ k: 5, happy: 5, n: 5 }).vanish).toMatch(/Every share is needed/);
  });

  it('turns free space into storable bytes (Tahoe: 92 GB of space → about 28 GB of data at 3-of-10)', () => {
    expect(storableBytes(92e9, { k: 3, happy: 7, n: 10 })).toBe(27.6e9);
    expect(storableBytes(10, { k: 3, happy: 7, n: 10 })).toBe(3);
  });
});

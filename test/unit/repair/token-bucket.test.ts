/** The token bucket: refill to the burst, take only what is held, spend into debt, wait times. */
import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../src/core/repair/token-bucket.js';

describe('TokenBucket', () => {
  it('starts full, refills at its rate up to the burst', () => {
    const b = new TokenBucket(1 / 1000, 3, 0); // one token a second, three at most
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false]);
    expect(b.waitMs(0)).toBe(1000);
    expect(b.take(999)).toBe(false);
    expect(b.take(1000)).toBe(true);
    expect(b.available(1_000_000)).toBe(3);
  });

  it('spend may go into debt, which the rate pays off', () => {
    const b = new TokenBucket(100 / 1000, 1000, 0); // 100 a second
    b.spend(0, 5000);
    expect(b.available(0)).toBe(-4000);
    expect(b.waitMs(0, 0)).toBe(40_000);
    expect(b.available(40_000)).toBe(0);
    expect(b.available(50_000)).toBe(1000);
  });

  it('says when a need can never be met, and refuses bad settings', () => {
    expect(new TokenBucket(1, 2, 0).waitMs(0, 3)).toBe(Infinity);
    expect(() => new TokenBucket(0, 1, 0)).toThrow(RangeError);
    expect(() => new TokenBucket(1, Number.NaN, 0)).toThrow(RangeError);
  });
});

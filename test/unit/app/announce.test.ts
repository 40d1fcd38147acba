/** Node announcements: version 2 carries capacity, use and nickname; version 1 still reads. */
import { describe, expect, it } from 'vitest';
import { cleanNickname, decodeAbout, encodeAbout, MAX_NICKNAME_BYTES } from '../../../src/app/announce.js';

describe('node announcements', () => {
  it('round-trips version 2 and reads version 1', () => {
    const about = { availableBytes: 5e9, capacityBytes: 6e9, usedBytes: 1e9, nickname: 'Ana’s laptop' };
    expect(decodeAbout(encodeAbout(about))).toEqual(about);
    const v1 = new Uint8Array(9);
    v1[0] = 1;
    v1[8] = 200;
    expect(decodeAbout(v1)).toEqual({ availableBytes: 200 });
  });

  it('refuses wrong versions and lengths, and keeps nicknames short and clean', () => {
    expect(() => decodeAbout(new Uint8Array(9))).toThrow(RangeError);
    const v2 = encodeAbout({ availableBytes: 1, capacityBytes: 1, usedBytes: 0, nickname: 'ab' });
    expect(() => decodeAbout(v2.subarray(0, v2.length - 1))).toThrow(/nickname has the wrong length/);
    expect(cleanNickname('a\nb\u0000')).toBe('a b');
    const long = cleanNickname('é'.repeat(100));
    expect(new TextEncoder().encode(long).length).toBeLessThanOrEqual(MAX_NICKNAME_BYTES);
    expect(long).toBe('é'.repeat(32));
  });
});

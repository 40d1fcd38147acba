/** Sizes as people type them (Tahoe's parse_abbreviated_size units), the default capacity. */
import { describe, expect, it } from 'vitest';
import { estimateDefaultCapacity, formatSize, parseSize } from '../../../src/core/storage/capacity.js';
import { SizeFormatError } from '../../../src/core/storage/errors.js';

describe('parseSize', () => {
  it('reads Tahoe units: K/M/G/T/P/E are powers of 1000, KiB… of 1024, B optional, any case', () => {
    const cases: Array<[string, number]> = [
      ['1000000', 1_000_000], ['0', 0], ['500M', 500_000_000], ['5G', 5_000_000_000], ['5g', 5_000_000_000],
      ['1.5G', 1_500_000_000], ['4.35M', 4_350_000], ['10K', 10_000], ['10kB', 10_000], ['10KB', 10_000],
      ['512MiB', 512 * 2 ** 20], ['512Mi', 512 * 2 ** 20], ['1GiB', 2 ** 30], ['1gib', 2 ** 30], ['2TiB', 2 * 2 ** 40],
      ['1T', 1e12], ['1P', 1e15], ['7B', 7], [' 500 MB ', 500_000_000], ['0.5KiB', 512], ['1.0000001K', 1000],
    ];
    for (const [text, bytes] of cases) expect(parseSize(text), text).toBe(bytes);
  });

  it('refuses nonsense with words saying what would be understood', () => {
    for (const text of ['', '  ', 'M', '5X', '-5M', '1e9', '1.5', '1.5B', '5 M B', '5MM', '1,000', '0x10', '5Gi B', 'NaN', '1.G', '.5G', '99999999999999999999']) {
      expect(() => parseSize(text), text).toThrow(SizeFormatError);
    }
    expect(() => parseSize('5X')).toThrow('"5X" is not a size: write a number of bytes (1000000) or a number with a unit');
    expect(() => parseSize('1.5')).toThrow('not a whole number of bytes');
    expect(() => parseSize('9E')).toThrow('larger than any size');
    expect(() => parseSize('1'.repeat(40))).toThrow('too long');
    expect(() => parseSize(5 as unknown as string)).toThrow(TypeError);
  });
});

describe('formatSize', () => {
  it('writes decimal units that parseSize reads back, never rounding up', () => {
    expect(formatSize(0)).toBe('0 bytes');
    expect(formatSize(1)).toBe('1 byte');
    expect(formatSize(999)).toBe('999 bytes');
    expect(formatSize(1000)).toBe('1 kB');
    expect(formatSize(1_500_000_000)).toBe('1.5 GB');
    expect(formatSize(1_999_999)).toBe('1.99 MB');
    expect(formatSize(123_456_789)).toBe('123 MB');
    expect(parseSize(formatSize(1_500_000_000).replace(' ', ''))).toBe(1_500_000_000);
    expect(() => formatSize(-1)).toThrow(RangeError);
  });

  it('keeps the zeros of whole numbers and rounds down exactly', () => {
    expect(formatSize(500_000_000)).toBe('500 MB');
    expect(formatSize(10_000)).toBe('10 kB');
    expect(formatSize(100_000)).toBe('100 kB');
    expect(formatSize(20_000_000_000)).toBe('20 GB');
    expect(formatSize(1_000_000_000_000_000)).toBe('1 PB');
    expect(formatSize(5_000_000_000_000_000)).toBe('5 PB');
    expect(formatSize(1_050_000)).toBe('1.05 MB');
    expect(formatSize(10_500)).toBe('10.5 kB');
    expect(formatSize(4_350_000)).toBe('4.35 MB');
    expect(formatSize(999_999)).toBe('999 kB');
    expect(formatSize(Number.MAX_SAFE_INTEGER)).toBe('9 PB');
    for (const text of ['500M', '20G', '10K', '100K', '1.05M', '4.35M']) {
      expect(formatSize(parseSize(text)).replace(' ', ''), text).toBe(`${text}B`.replace('KB', 'kB'));
    }
  });
});

describe('estimateDefaultCapacity', () => {
  const GiB = 2 ** 30;
  const MiB = 2 ** 20;
  it('takes a quarter of the quota, at most 2 GiB, whole MiB; 256 MiB when unknown', () => {
    expect(estimateDefaultCapacity({ quota: 10 * GiB, usage: 5 * GiB })).toBe(2 * GiB);
    expect(estimateDefaultCapacity({ quota: 4 * GiB })).toBe(GiB);
    expect(estimateDefaultCapacity({ quota: 100 * MiB + 3 })).toBe(25 * MiB);
    expect(estimateDefaultCapacity({ quota: 3 * MiB })).toBe(0);
    expect(estimateDefaultCapacity({})).toBe(256 * MiB);
    expect(estimateDefaultCapacity({ quota: Number.NaN })).toBe(256 * MiB);
    expect(estimateDefaultCapacity({ quota: -1 })).toBe(256 * MiB);
  });
  it('does not shrink as this node fills the quota', () => {
    expect(estimateDefaultCapacity({ quota: 8 * GiB, usage: 0 })).toBe(estimateDefaultCapacity({ quota: 8 * GiB, usage: 7 * GiB }));
  });
});

/** WrittenRanges (the pieces of a pending share written so far) against a plain bitmap model. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WrittenRanges } from '../../../src/core/storage/_ranges.js';

function modelRanges(bits: boolean[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < bits.length; i++) {
    if (!bits[i]) continue;
    const last = out.at(-1);
    if (last !== undefined && last[1] === i) last[1] = i + 1;
    else out.push([i, i + 1]);
  }
  return out;
}

describe('WrittenRanges', () => {
  it('merges, counts and reports overlaps exactly as a bitmap does', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(60), fc.nat(12))), fc.nat(60), fc.nat(20), (adds, qs, ql) => {
        const r = new WrittenRanges();
        const bits = new Array<boolean>(80).fill(false);
        for (const [s, len] of adds) {
          const expectCount = modelRanges(bits.map((b, i) => b || (i >= s && i < s + len))).length;
          expect(r.countAfterAdding(s, s + len)).toBe(len === 0 ? modelRanges(bits).length : expectCount);
          r.add(s, s + len);
          for (let i = s; i < s + len; i++) bits[i] = true;
        }
        const model = modelRanges(bits);
        expect(r.count).toBe(model.length);
        expect(r.end).toBe(model.at(-1)?.[1] ?? 0);
        const overlap = model
          .map(([s, e]): [number, number] => [Math.max(s, qs), Math.min(e, qs + ql)])
          .filter(([s, e]) => s < e);
        expect(r.overlapping(qs, qs + ql)).toEqual(overlap);
      }),
    );
  });
});

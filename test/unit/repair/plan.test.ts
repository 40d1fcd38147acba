/** The repair policy: which copies to write where (happiness placement), and when to repair. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { happinessOf, needsRepair, planRepair } from '../../../src/core/repair/plan.js';

const peers = (count: number): string[] => Array.from({ length: count }, (_, i) => `p${i}`);

function after(holdings: Map<string, number[]>, writes: Map<string, number[]>): Map<string, number[]> {
  const out = new Map([...holdings].map(([p, s]) => [p, [...s]]));
  for (const [p, s] of writes) out.set(p, [...(out.get(p) ?? []), ...s]);
  return out;
}

describe('planRepair', () => {
  it('puts the missing shares on servers holding none, in ring order', () => {
    const holdings = new Map([['p0', [0]], ['p1', [1]], ['p2', [2]]]);
    const writes = planRepair({ peers: peers(12), readonly: new Set<string>(), n: 10, holdings });
    expect([...writes.values()].flat().sort((a, b) => a - b)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect([...writes.keys()]).toEqual(['p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9']);
    expect(happinessOf(after(holdings, writes))).toBe(10);
  });

  it('writes nothing for a well-placed file, and moves a doubled-up share to a new server', () => {
    const full = new Map(peers(10).map((p, i) => [p, [i]]));
    expect(planRepair({ peers: peers(12), readonly: new Set<string>(), n: 10, holdings: full }).size).toBe(0);
    const doubled = new Map([['p0', [0, 1]], ...peers(10).slice(2).map((p, i) => [p, [i + 2]] as [string, number[]])]);
    const writes = planRepair({ peers: peers(12), readonly: new Set<string>(), n: 10, holdings: doubled });
    expect(happinessOf(after(doubled, writes))).toBe(10);
    expect([...writes.values()].flat()).toHaveLength(1);
  });

  it('never writes to a readonly server nor a share a server holds; spreads over few servers', () => {
    const holdings = new Map([['p0', [0]], ['p1', [1]]]);
    const writes = planRepair({ peers: peers(4), readonly: new Set(['p2']), n: 6, holdings });
    expect(writes.has('p2')).toBe(false);
    expect(after(holdings, writes).get('p3')!.length + after(holdings, writes).get('p0')!.length + after(holdings, writes).get('p1')!.length).toBe(6);
    expect(happinessOf(after(holdings, writes))).toBe(3);
  });

  it('property: after the plan, happiness = min(N, writable or holding servers), every share placed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.tuple(fc.nat(19), fc.nat(11)), { maxLength: 30 }),
        (n, count, held) => {
          const holdings = new Map<string, number[]>();
          for (const [p, s] of held) if (p < count && s < n) holdings.set(`p${p}`, [...new Set([...(holdings.get(`p${p}`) ?? []), s])]);
          const writes = planRepair({ peers: peers(count), readonly: new Set<string>(), n, holdings });
          for (const [p, shares] of writes) for (const s of shares) expect(holdings.get(p)?.includes(s) ?? false).toBe(false);
          const result = after(holdings, writes);
          expect(new Set([...result.values()].flat()).size).toBe(n);
          expect(happinessOf(result)).toBe(Math.min(n, count));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('needsRepair', () => {
  it('repairs a readable file below the threshold, and only those', () => {
    expect(needsRepair({ recoverable: true, happiness: 6 }, 7)).toBe(true);
    expect(needsRepair({ recoverable: true, happiness: 7 }, 7)).toBe(false);
    expect(needsRepair({ recoverable: false, happiness: 2 }, 7)).toBe(false);
    // A 2-of-4 file on 4 distinct servers is as happy as it can be, even against a threshold of 7.
    expect(needsRepair({ recoverable: true, happiness: 4, n: 4 }, 7)).toBe(false);
    expect(needsRepair({ recoverable: true, happiness: 3, n: 4 }, 7)).toBe(true);
  });
});

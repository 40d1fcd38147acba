/**
 * Servers-of-happiness against the examples of Tahoe's src/allmydata/test/test_happiness.py
 * (share_placement, calculate_happiness, servers_of_happiness and Zooko's puzzles).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  calculateHappiness,
  maximumMatching,
  serversOfHappiness,
  sharePlacement,
} from '../../../src/core/grid/happiness.js';

const sets = <K, V>(entries: [K, V[]][]): Map<K, Set<V>> => new Map(entries.map(([k, v]) => [k, new Set(v)]));
const range = (n: number, prefix: string): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('sharePlacement (Tahoe test_happiness.Happiness)', () => {
  it('test_placement_simple: a readonly server keeps its share, the rest go to the writable one', () => {
    const places = sharePlacement(
      ['peer0', 'peer1'],
      new Set(['peer0']),
      ['share0', 'share1', 'share2'],
      sets<string, string>([['peer0', ['share2']], ['peer1', []]]),
    );
    expect(Object.fromEntries(places)).toEqual({ share0: 'peer1', share1: 'peer1', share2: 'peer0' });
  });

  it('test_placement_1: existing shares stay where they are, readonly or not', () => {
    const peers = [...range(10, 'peer'), 'peerA', 'peerB'];
    const peersToShares = new Map<string, Set<string>>(peers.map((p, i) => [p, new Set(i < 10 ? [`share${i}`] : [])]));
    const places = sharePlacement(peers, new Set(range(4, 'peer')), range(10, 'share'), peersToShares);
    expect(Object.fromEntries(places)).toEqual(Object.fromEntries(range(10, 'share').map((s, i) => [s, `peer${i}`])));
  });

  it('test_unhappy: 5 shares on 4 servers give happiness 4', () => {
    const places = sharePlacement(['peer1', 'peer2', 'peer3', 'peer4'], new Set(), range(5, 'share'), new Map());
    expect(places.size).toBe(5);
    expect(calculateHappiness(places)).toBe(4);
  });

  it('test_hypothesis0: two servers, two shares', () => {
    const places = sharePlacement(['0', '00'], new Set(), ['0', '1'], new Map());
    expect(calculateHappiness(places)).toBe(2);
  });

  it('test_100: 100 servers, 100 shares', () => {
    const places = sharePlacement(range(100, 'peer'), new Set(), range(100, 'share'), new Map());
    expect(calculateHappiness(places)).toBe(100);
  });

  it('test_redistribute: a server holding two shares gives one up to an empty server', () => {
    const places = sharePlacement(
      ['a', 'b', 'c', 'd'],
      new Set(),
      ['0', '1', '2', '3'],
      sets([['a', ['0']], ['b', ['1']], ['c', ['2', '3']]]),
    );
    expect(calculateHappiness(places)).toBe(4);
  });

  it('test_hypothesis_0 and _1: fewer servers than shares', () => {
    for (const [peers, shares] of [
      [['0'], ['0', '1']],
      [range(4, ''), range(9, '')],
    ] as const) {
      const places = sharePlacement(peers, new Set(), shares, new Map());
      expect(new Set(places.values()).size).toBeLessThanOrEqual(peers.length);
      for (const p of places.values()) expect(peers).toContain(p);
      expect(calculateHappiness(places)).toBe(Math.min(peers.length, shares.length));
    }
  });

  it('test_everything_broken: no servers, no placement', () => {
    expect(sharePlacement([], new Set(), ['0', '1', '2', '3'], new Map()).size).toBe(0);
  });

  it('PlacementTests: every share is placed and happiness = min(servers, shares)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 10 }),
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 20 }),
        (peers, shares) => {
          const places = sharePlacement(peers, new Set(), shares, new Map());
          expect(new Set(places.keys())).toEqual(new Set(shares));
          for (const p of places.values()) expect(peers).toContain(p);
          expect(calculateHappiness(places)).toBe(Math.min(peers.length, shares.length));
        },
      ),
    );
  });

  it('placement reaches the maximum happiness possible given existing shares', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.tuple(fc.nat(7), fc.nat(9)), { maxLength: 20 }),
        (peerCount, shareCount, held) => {
          const peers = range(peerCount, 'p');
          const shares = range(shareCount, 's');
          const peersToShares = new Map<string, Set<string>>();
          for (const [p, s] of held) {
            if (p >= peerCount || s >= shareCount) continue;
            peersToShares.set(`p${p}`, (peersToShares.get(`p${p}`) ?? new Set()).add(`s${s}`));
          }
          const places = sharePlacement(peers, new Set(), shares, peersToShares);
          expect(places.size).toBe(shareCount);
          // Merged with what servers hold already, happiness is the best any placement can do.
          const merged = new Map<string, Set<string>>(shares.map((s) => [s, new Set([places.get(s)!])]));
          for (const [p, ss] of peersToShares) for (const s of ss) merged.get(s)!.add(p);
          expect(serversOfHappiness(merged)).toBe(Math.min(peerCount, shareCount));
        },
      ),
    );
  });
});

describe('calculateHappiness (test_calc_happy)', () => {
  it('counts distinct servers of a placement', () => {
    const a = 'server-a';
    const b = 'server-b';
    const placement = new Map<number, string>(Array.from({ length: 10 }, (_, i) => [i, i === 0 ? a : b]));
    expect(calculateHappiness(placement)).toBe(2);
  });
});

describe('serversOfHappiness (HappinessUtilTests.test_servers_of_happiness_utility_function)', () => {
  it('counts a maximum matching, not servers or shares', () => {
    const test1 = sets<number, string>([[1, ['server1']], [2, ['server2']], [3, ['server3']], [4, ['server4']]]);
    expect(serversOfHappiness(test1)).toBe(4);
    test1.set(4, new Set(['server1']));
    expect(serversOfHappiness(test1)).toBe(3); // a duplicate server

    // merge_servers(test1, trackers server5..8 holding shares 5..8) → 7
    const test2 = new Map(test1);
    for (let i = 5; i <= 8; i++) test2.set(i, new Set([`server${i}`]));
    expect(serversOfHappiness(test2)).toBe(7);
    test2.set(1, new Set(['server1'])); // an overlapping tracker (server1, share 1) changes nothing
    expect(serversOfHappiness(test2)).toBe(7);

    expect(serversOfHappiness(new Map())).toBe(0);

    // A more substantial overlap: servers 5 (share 4) and 6 (shares 3, 5) join servers 1–4.
    const test3 = sets<number, string>([
      [1, ['server1']],
      [2, ['server2']],
      [3, ['server3', 'server6']],
      [4, ['server4', 'server5']],
      [5, ['server6']],
    ]);
    expect(serversOfHappiness(test3)).toBe(5);
  });

  it("Zooko's first puzzle (ticket 778#comment:156): happiness 3", () => {
    expect(serversOfHappiness(sets<number, string>([[0, ['server1']], [1, ['server1', 'server2']], [2, ['server2', 'server3']]]))).toBe(3);
  });

  it("Zooko's second puzzle (ticket 778#comment:158): happiness 2", () => {
    expect(serversOfHappiness(sets<number, string>([[0, ['server1']], [1, ['server1', 'server2']]]))).toBe(2);
  });
});

describe('maximumMatching', () => {
  it('prefers earlier servers when not all can be matched', () => {
    const m = maximumMatching(new Map([['first', [0]], ['second', [0]]]));
    expect(m.get(0)).toBe('first');
  });

  it('re-routes earlier matches to fit later servers (augmenting paths)', () => {
    const m = maximumMatching(new Map([['a', [0, 1]], ['b', [0]]]));
    expect(m.size).toBe(2);
    expect(m.get(0)).toBe('b');
    expect(m.get(1)).toBe('a');
  });
});

/** PeerReputation (src/core/grid/reputation.ts): threshold within a window, avoidance for a while, bounded table, listeners once. */
import { describe, expect, it } from 'vitest';
import { PeerReputation } from '../../../src/core/grid/reputation.js';

function setup(init = {}) {
  const clock = { t: 0, now: () => clock.t };
  const rep = new PeerReputation({ clock }, { threshold: 3, windowMs: 1000, avoidMs: 5000, maxPeers: 4, ...init });
  return { clock, rep };
}

describe('PeerReputation', () => {
  it('avoids a peer at the threshold, tells listeners once, and lets it back after avoidMs with a clean slate', () => {
    const { clock, rep } = setup();
    const told: string[] = [];
    rep.onAvoid((peer, why) => told.push(`${peer}: ${why}`));
    expect(rep.fault('p', 'bad-share', 'block 1')).toBe(false);
    expect(rep.fault('p', 'timeout', 'read')).toBe(false);
    expect(rep.avoid('p')).toBe(false);
    expect(rep.fault('p', 'protocol', 'junk')).toBe(true);
    expect(rep.avoid('p')).toBe(true);
    expect(rep.fault('p', 'protocol', 'more')).toBe(false);
    expect(told).toHaveLength(1);
    expect(told[0]).toMatch(/^p: 3 faults within 1 s, the last: protocol \(junk\)/);
    expect(rep.avoided()).toEqual(['p']);
    clock.t = 5000;
    expect(rep.avoid('p')).toBe(false);
    expect(rep.faults('p')).toBe(0);
    expect(rep.report('p').totals).toEqual({ 'bad-share': 1, timeout: 1, protocol: 2, dropped: 0 });
  });

  it('forgets faults older than the window, so slow bad luck never adds up', () => {
    const { clock, rep } = setup();
    for (let i = 0; i < 10; i++) {
      clock.t = i * 600;
      expect(rep.fault('p', 'timeout', 'slow')).toBe(false);
    }
    expect(rep.faults('p')).toBe(2);
    expect(rep.avoid('p')).toBe(false);
  });

  it('keeps at most maxPeers records, forgetting the least recently faulted', () => {
    const { rep } = setup();
    for (const p of ['a', 'b', 'c', 'd']) rep.fault(p, 'timeout', 'x');
    rep.fault('a', 'timeout', 'x');
    rep.fault('e', 'timeout', 'x');
    expect(rep.size).toBe(4);
    expect(rep.faults('b')).toBe(0);
    expect(rep.faults('a')).toBe(2);
  });

  it('byte and text node ids, forgive, and bad arguments', () => {
    const { rep } = setup({ threshold: 1 });
    expect(rep.fault(Uint8Array.of(1, 2), 'dropped', 'gone')).toBe(true);
    expect(rep.avoid(Uint8Array.of(1, 2))).toBe(true);
    rep.forgive(Uint8Array.of(1, 2));
    expect(rep.avoid(Uint8Array.of(1, 2))).toBe(false);
    expect(() => rep.fault('p', 'rude' as never, 'x')).toThrow(RangeError);
    expect(() => new PeerReputation({ clock: { now: () => 0 } }, { threshold: 0 })).toThrow(RangeError);
  });
});

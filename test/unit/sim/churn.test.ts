/**
 * The churn simulator: its ring is the grid's ring, a seed gives one run exactly, and a small
 * grid of tabs living hours keeps every file with repair on and loses them all with it off.
 */
import { describe, expect, it } from 'vitest';
import { permuteServers, ringPosition } from '../../../src/core/grid/ring.js';
import { fastRingPosition, meanLifetimeMs, RingCache, simulateChurn, type ChurnParams } from '../../sim/churn-model.js';
import { EventQueue } from '../../sim/event-queue.js';
import { Prng } from '../../sim/prng.js';

const HOUR = 3_600_000;
const small: ChurnParams = {
  seed: 3,
  k: 3,
  happy: 7,
  n: 10,
  population: 12,
  lifetime: { kind: 'lognormal', medianMs: 2 * HOUR, sigma: 1 },
  files: 20,
  lifetimes: 150,
  repair: true,
  checkIntervalMs: 60_000,
};

describe('churn simulator', () => {
  it('orders tabs exactly as the grid permutes servers', () => {
    const rng = new Prng(9);
    const si = rng.bytes(16);
    const ids = Array.from({ length: 40 }, (_, i) => `tab-${i}`);
    for (const id of ids.slice(0, 5)) expect(fastRingPosition(si, id)).toEqual(ringPosition(si, { nodeId: id }));
    expect(new RingCache().order(si, 0, ids)).toEqual(permuteServers(si, ids.map((nodeId) => ({ nodeId }))).map((s) => s.nodeId));
  });

  it('is deterministic: one seed, one run; another seed, another run', () => {
    const a = simulateChurn(small);
    expect(simulateChurn(small)).toEqual(a);
    expect(simulateChurn({ ...small, seed: 4 }).simulatedMs).not.toBe(a.simulatedMs);
  });

  it('a small grid of tabs living hours: repair on keeps every file, repair off loses them all', () => {
    const on = simulateChurn(small);
    expect(on).toMatchObject({ filesUploaded: 20, filesLost: 0, lossFraction: 0, uploadsFailed: 0 });
    expect(on.repairs).toBeGreaterThan(0);
    const off = simulateChurn({ ...small, repair: false });
    expect(off).toMatchObject({ filesUploaded: 20, filesLost: 20, lossFraction: 1, repairs: 0, sharesWrittenPerFile: 0 });
    // The same churn either way: the seed drives the tabs, repair only adds checks.
    expect(off.simulatedMs).toBe(on.simulatedMs);
    // 150 lifetimes of ~3.3 h at 12 tabs online: about 150 × 3.3 / 12 ≈ 41 h.
    expect(on.simulatedMs / HOUR).toBeGreaterThan(25);
    expect(on.simulatedMs / HOUR).toBeLessThan(60);
  });

  it('checking too rarely loses files even with repair on', () => {
    expect(simulateChurn({ ...small, checkIntervalMs: 4 * HOUR }).lossFraction).toBeGreaterThan(0.5);
  });

  it('draws lifetimes with the stated median and mean; the event queue keeps time order, ties in order', () => {
    const rng = new Prng(1);
    const draws = Array.from({ length: 20_000 }, () => rng.lognormal(2 * HOUR, 1)).sort((a, b) => a - b);
    expect(draws[10_000]! / (2 * HOUR)).toBeGreaterThan(0.95);
    expect(draws[10_000]! / (2 * HOUR)).toBeLessThan(1.05);
    expect(meanLifetimeMs({ kind: 'lognormal', medianMs: 2 * HOUR, sigma: 1 })).toBeCloseTo(2 * HOUR * Math.exp(0.5));
    const q = new EventQueue<string>();
    for (const [at, v] of [[5, 'a'], [1, 'b'], [5, 'c'], [0, 'd'], [3, 'e']] as const) q.push(at, v);
    const out: string[] = [];
    for (let e = q.pop(); e !== undefined; e = q.pop()) out.push(e.value);
    expect(out).toEqual(['d', 'b', 'e', 'a', 'c']);
  });
});

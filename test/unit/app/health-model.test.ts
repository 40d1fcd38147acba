/** The shared health model: states from check results, wall-clock conversion, activity words, the test switch. */
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../../src/core/repair/index.js';
import { activityOf, agoWords, knownHealthOf, repairTestSettings, stateOfCheck, verifyCostWords } from '../../../src/app/health-model.js';

function result(over: Partial<CheckResult> = {}): CheckResult {
  return {
    storageIndex: 'aaaa',
    k: 3,
    n: 10,
    happy: 7,
    size: 3_000_000,
    sharesFound: 10,
    distinctShares: 10,
    happiness: 10,
    servers: [],
    missing: [],
    corrupt: [],
    serversAsked: 10,
    serversAnswered: 10,
    unreachable: [],
    leasesRenewed: 0,
    healthy: true,
    recoverable: true,
    verified: false,
    ...over,
  };
}

describe('health model', () => {
  it('derives the state as the scheduler does', () => {
    expect(stateOfCheck(result(), 7)).toBe('healthy');
    expect(stateOfCheck(result({ happiness: 7 }), 7)).toBe('healthy');
    expect(stateOfCheck(result({ happiness: 6 }), 7)).toBe('degraded');
    expect(stateOfCheck(result({ happiness: 2, recoverable: false }), 7)).toBe('unrecoverable');
    expect(stateOfCheck(result({ serversAnswered: 0 }), 7)).toBe('offline');
  });

  it('turns clock times into wall-clock times', () => {
    const h = knownHealthOf({ storageIndex: 's', state: 'healthy', checkedAt: 100, nextCheckAt: 700, result: result() }, 1_000_000);
    expect(h.checkedAtMs).toBe(1_000_100);
    expect(h.nextCheckAtMs).toBe(1_000_700);
    expect(structuredClone(h)).toEqual(h); // crosses a BroadcastChannel
  });

  it('says what repair did', () => {
    expect(activityOf({ type: 'checked', storageIndex: 's', result: result({ happiness: 4, distinctShares: 4 }) }, 5).words).toBe('checked: 4 of 10 shares on 4 peers');
    expect(activityOf({ type: 'repair-failed', storageIndex: 's', error: new Error('found 2 of the 3 shares needed') }, 5).words).toContain('2 of the 3');
  });

  it('names the cost of a verify', () => {
    expect(verifyCostWords(3_000_000, 3, 10)).toContain('3.3 ×');
    expect(verifyCostWords(3_000_000, 3, 10)).toContain('10 MB');
    expect(agoWords(0, 12_000)).toBe('12 s ago');
    expect(agoWords(0, 5 * 60_000)).toBe('5 min ago');
  });

  it('has no test switch without localStorage', () => {
    expect(repairTestSettings()).toEqual({});
  });
});

/**
 * The repair scheduler on a fake clock with a stub checker: checks at most at its rate, files in
 * due order, leases renewed once a day, degraded files repaired within the traffic budget (most
 * degraded first), backoff when a repair cannot help, and the run loop sleeping on the clock.
 */
import { describe, expect, it } from 'vitest';
import { base32Encode } from '../../../src/core/bytes.js';
import type { Cap, ChkVerifyCap } from '../../../src/core/cap/types.js';
import { summarize, type CheckResult } from '../../../src/core/repair/check-result.js';
import type { CheckOptions } from '../../../src/core/repair/check.js';
import type { RepairOptions, RepairResult } from '../../../src/core/repair/repair.js';
import { RepairScheduler, type RepairSchedulerInit } from '../../../src/core/repair/scheduler.js';
import type { RepairEvent } from '../../../src/core/repair/scheduler-types.js';
import { FakeClock } from '../../fakes/fake-clock.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function capOf(i: number): ChkVerifyCap {
  return { kind: 'chk-verifier', storageIndex: new Uint8Array(16).fill(i), uebHash: new Uint8Array(32).fill(i), k: 3, n: 10, size: 1000 };
}
const keyOf = (i: number): string => base32Encode(new Uint8Array(16).fill(i));

/** A CheckResult with `happiness` servers holding one distinct share each. */
function health(i: number, happiness: number, extra: Partial<{ leasesRenewed: number }> = {}): CheckResult {
  return summarize({
    storageIndex: new Uint8Array(16).fill(i),
    k: 3,
    n: 10,
    happy: 7,
    size: 1000,
    answers: Array.from({ length: happiness }, (_, s) => ({ name: `s${s}`, id: `s${s}`, shares: [s] })),
    corrupt: [],
    serversAsked: 12,
    unreachable: [],
    leasesRenewed: extra.leasesRenewed ?? 0,
  });
}

/** A grid in numbers: each file's happiness; repair sets it to `repairTo` and costs `repairBytes`. */
class StubChecker {
  readonly happy = 7;
  readonly happiness = new Map<number, number>();
  repairTo = 10;
  repairBytes = 1000;
  readonly checks: { i: number; at: number; addLease: boolean }[] = [];
  readonly repairs: { i: number; at: number }[] = [];
  constructor(private readonly clock: FakeClock) {}

  check(cap: Cap, opts: CheckOptions): Promise<CheckResult> {
    const i = (cap as ChkVerifyCap).storageIndex[0]!;
    this.checks.push({ i, at: this.clock.now(), addLease: opts.addLease === true });
    return Promise.resolve(health(i, this.happiness.get(i) ?? 10, { leasesRenewed: opts.addLease === true ? 10 : 0 }));
  }

  repair(cap: Cap, _opts: RepairOptions): Promise<RepairResult> {
    const i = (cap as ChkVerifyCap).storageIndex[0]!;
    this.repairs.push({ i, at: this.clock.now() });
    const before = health(i, this.happiness.get(i) ?? 10);
    this.happiness.set(i, Math.max(this.repairTo, this.happiness.get(i) ?? 0));
    const after = health(i, this.happiness.get(i)!);
    return Promise.resolve({ before, after, placed: [], sharesWritten: 0, bytesRead: this.repairBytes, bytesWritten: 0, corruptFound: [] });
  }
}

function setup(files: number, init: Partial<RepairSchedulerInit> = {}) {
  const clock = new FakeClock();
  const checker = new StubChecker(clock);
  const caps: Cap[] = Array.from({ length: files }, (_, i) => capOf(i + 1));
  const events: RepairEvent[] = [];
  const scheduler = new RepairScheduler({ clock, checker }, { caps: () => caps, onEvent: (e) => events.push(e), ...init });
  return { clock, checker, caps, events, scheduler };
}

const opts = () => ({ signal: new AbortController().signal });

describe('RepairScheduler', () => {
  it('checks at most its burst at once, then at its rate; every file within the interval', async () => {
    const { clock, checker, scheduler } = setup(30, { checksPerMinute: 6, checkBurst: 5, checkIntervalMs: 10 * MINUTE });
    const first = await scheduler.runOnce(opts());
    expect(first).toEqual({ checks: 5, repairs: 0, nextInMs: 10_000 });
    for (let t = 0; t < 10 * MINUTE; t += 10_000) {
      await clock.advance(10_000);
      await scheduler.runOnce(opts());
    }
    // 5 at once, then one every 10 s: all 30 by t = 250 s; at 10 min the first 5 are due again
    // and the bucket has refilled.
    expect(checker.checks.filter((c) => c.at <= 250_000).map((c) => c.i)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(checker.checks.filter((c) => c.at > 250_000).map((c) => [c.i, c.at])).toEqual([1, 2, 3, 4, 5].map((i) => [i, 10 * MINUTE]));
    for (let i = 1; i < checker.checks.length; i++) {
      const window = checker.checks.filter((c) => c.at > checker.checks[i]!.at - MINUTE && c.at <= checker.checks[i]!.at);
      expect(window.length).toBeLessThanOrEqual(5 + 6);
    }
    expect(scheduler.status().every((s) => s.state === 'healthy')).toBe(true);
  });

  it('renews leases on the first check and then once a day', async () => {
    const { clock, checker, scheduler } = setup(1, { checkIntervalMs: 6 * HOUR });
    for (let h = 0; h <= 30; h += 6) {
      await scheduler.runOnce(opts());
      await clock.advance(6 * HOUR);
    }
    expect(checker.checks.map((c) => c.addLease)).toEqual([true, false, false, false, true, false]);
  });

  it('repairs degraded files, most degraded first, within the traffic budget', async () => {
    const { clock, checker, scheduler, events } = setup(3, { repairBytesPerSecond: 100, repairBurstBytes: 1000 });
    checker.repairBytes = 5000;
    checker.happiness.set(1, 6);
    checker.happiness.set(2, 4);
    checker.happiness.set(3, 3);
    const pass = await scheduler.runOnce(opts());
    // File 1, checked first, is repaired at once; its 5000 bytes put the bucket 4000 in debt, so
    // files 2 and 3 are checked and wait 40 s; then the more degraded one (3) goes first.
    expect(pass.repairs).toBe(1);
    expect(checker.repairs.map((r) => r.i)).toEqual([1]);
    expect(pass.nextInMs).toBe(40_000);
    await clock.advance(40_000);
    await scheduler.runOnce(opts());
    expect(checker.repairs.map((r) => r.i)).toEqual([1, 3]);
    await clock.advance(50_000);
    await scheduler.runOnce(opts());
    expect(checker.repairs.map((r) => r.i)).toEqual([1, 3, 2]);
    expect(scheduler.status().map((s) => s.state)).toEqual(['healthy', 'healthy', 'healthy']);
    expect(events.filter((e) => e.type === 'repaired').map((e) => e.storageIndex)).toEqual([keyOf(1), keyOf(3), keyOf(2)]);
    expect(events.filter((e) => e.type === 'repair-started')).toHaveLength(3);
  });

  it('backs off a repair that cannot restore happiness, doubling, and resets once healthy', async () => {
    const { clock, checker, scheduler } = setup(1, { checkIntervalMs: MINUTE, retryMinMs: 5 * MINUTE, retryMaxMs: 20 * MINUTE });
    checker.happiness.set(1, 4);
    checker.repairTo = 5; // too few servers: repair helps a little, never enough
    for (let m = 0; m < 60; m++) {
      await scheduler.runOnce(opts());
      await clock.advance(MINUTE);
    }
    expect(checker.repairs.map((r) => r.at / MINUTE)).toEqual([0, 5, 15, 35, 55]);
    expect(scheduler.status()[0]).toMatchObject({ state: 'degraded', repairNotBefore: 75 * MINUTE });
    checker.repairTo = 10;
    checker.happiness.set(1, 10);
    await clock.advance(20 * MINUTE);
    await scheduler.runOnce(opts());
    expect(scheduler.status()[0]).toMatchObject({ state: 'healthy' });
    expect(scheduler.status()[0]!.repairNotBefore).toBeUndefined();
  });

  it('leaves unrecoverable files unrepaired but checked; offline when no server answers; follows the caps list; skips LIT caps', async () => {
    const { clock, checker, scheduler, caps } = setup(3, { checkIntervalMs: MINUTE });
    checker.happiness.set(1, 2);
    checker.happiness.set(3, 0);
    caps.push({ kind: 'lit', data: new Uint8Array(3) });
    await scheduler.runOnce(opts());
    expect(scheduler.status().map((s) => s.state)).toEqual(['unrecoverable', 'healthy', 'offline']);
    expect(checker.repairs).toEqual([]);
    caps.splice(0, 1);
    await clock.advance(MINUTE);
    await scheduler.runOnce(opts());
    expect(scheduler.status().map((s) => s.storageIndex)).toEqual([keyOf(2), keyOf(3)]);
  });

  it('run() sleeps on the clock between passes, wakes on poke(), stops on abort', async () => {
    const { clock, checker, scheduler, caps } = setup(1, { checkIntervalMs: 10 * MINUTE });
    const controller = new AbortController();
    const running = scheduler.run({ signal: controller.signal });
    await clock.advance(0);
    expect(checker.checks).toHaveLength(1);
    await clock.advance(10 * MINUTE);
    expect(checker.checks).toHaveLength(2);
    caps.push(capOf(9));
    scheduler.poke();
    await clock.advance(0);
    expect(checker.checks.map((c) => c.i)).toEqual([1, 1, 9]);
    controller.abort();
    await running;
    expect(clock.pendingTimers).toBe(0);
  });
});

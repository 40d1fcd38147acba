/**
 * Automatic repair (what Tahoe leaves to a person's cron job, done by every tab for the caps it
 * holds): each file is checked every `checkIntervalMs`, at most so many checks a minute (a token
 * bucket), renewing its leases once a day; a file whose reachable happiness is below the
 * threshold is repaired within a traffic budget (a token bucket of bytes), one repair at a time,
 * most degraded first. A repair that cannot restore happiness is retried with a growing backoff.
 * Time comes from the Clock only: runOnce() does what is due; run() loops on clock.sleep.
 * @module
 */
import { base32Encode } from '../bytes.js';
import type { Cap, ChkReadCap, ChkVerifyCap } from '../cap/types.js';
import type { Clock } from '../grid/clock.js';
import * as L from '../limits.js';
import type { CheckResult } from './check-result.js';
import type { FileChecker } from './checker.js';
import { needsRepair } from './plan.js';
import type { FileHealth, FileState, RepairEvent, SchedulerPass } from './scheduler-types.js';
import { fileTarget } from './target.js';
import { TokenBucket } from './token-bucket.js';

export interface RepairSchedulerComponents {
  readonly clock: Clock;
  readonly checker: Pick<FileChecker, 'check' | 'repair' | 'happy'>;
}

export interface RepairSchedulerInit {
  /** The caps this tab holds (its files list), read at every pass; kinds other than CHK are skipped. */
  caps(): Iterable<Cap>;
  /** Repair when reachable happiness is below this. @default the checker's happy */
  threshold?: number;
  /** @default REPAIR_CHECK_INTERVAL_MS */
  checkIntervalMs?: number;
  /** @default REPAIR_CHECKS_PER_MINUTE */
  checksPerMinute?: number;
  /** @default REPAIR_CHECK_BURST */
  checkBurst?: number;
  /** @default REPAIR_BYTES_PER_SECOND */
  repairBytesPerSecond?: number;
  /** @default REPAIR_BURST_BYTES */
  repairBurstBytes?: number;
  /** @default REPAIR_RETRY_MIN_MS */
  retryMinMs?: number;
  /** @default REPAIR_RETRY_MAX_MS */
  retryMaxMs?: number;
  /** @default LEASE_RENEW_INTERVAL_MS */
  leaseRenewIntervalMs?: number;
  onEvent?(event: RepairEvent): void;
}

interface Entry {
  readonly key: string;
  cap: ChkReadCap | ChkVerifyCap;
  state: FileState;
  result?: CheckResult;
  checkedAt?: number;
  dueAt: number;
  leasedAt?: number;
  repairNotBefore?: number;
  backoffMs: number;
  error?: string;
}

/** Shortest sleep of run(): a pass that found nothing to do cannot spin. */
const MIN_SLEEP_MS = 1000;

export class RepairScheduler {
  readonly threshold: number;
  private readonly entries = new Map<string, Entry>();
  private readonly checks: TokenBucket;
  private readonly traffic: TokenBucket;
  private readonly o: Required<Omit<RepairSchedulerInit, 'caps' | 'onEvent' | 'threshold'>>;
  private pass: Promise<SchedulerPass> | undefined;
  private wake: AbortController | undefined;

  constructor(
    private readonly components: RepairSchedulerComponents,
    private readonly init: RepairSchedulerInit,
  ) {
    this.threshold = init.threshold ?? components.checker.happy;
    this.o = {
      checkIntervalMs: init.checkIntervalMs ?? L.REPAIR_CHECK_INTERVAL_MS,
      checksPerMinute: init.checksPerMinute ?? L.REPAIR_CHECKS_PER_MINUTE,
      checkBurst: init.checkBurst ?? L.REPAIR_CHECK_BURST,
      repairBytesPerSecond: init.repairBytesPerSecond ?? L.REPAIR_BYTES_PER_SECOND,
      repairBurstBytes: init.repairBurstBytes ?? L.REPAIR_BURST_BYTES,
      retryMinMs: init.retryMinMs ?? L.REPAIR_RETRY_MIN_MS,
      retryMaxMs: init.retryMaxMs ?? L.REPAIR_RETRY_MAX_MS,
      leaseRenewIntervalMs: init.leaseRenewIntervalMs ?? L.LEASE_RENEW_INTERVAL_MS,
    };
    for (const [name, v] of Object.entries(this.o)) {
      if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`"${name}" must be a positive number, got ${v}`);
    }
    if (!Number.isSafeInteger(this.threshold) || this.threshold < 1 || this.threshold > L.MAX_SHARES) {
      throw new RangeError(`"threshold" must be a whole number from 1 to ${L.MAX_SHARES}, got ${this.threshold}`);
    }
    const now = components.clock.now();
    this.checks = new TokenBucket(this.o.checksPerMinute / 60_000, this.o.checkBurst, now);
    this.traffic = new TokenBucket(this.o.repairBytesPerSecond / 1000, this.o.repairBurstBytes, now);
  }

  /** Every CHK file held, with its health (for health bars). */
  status(): FileHealth[] {
    return [...this.entries.values()].map((e) => ({
      storageIndex: e.key,
      state: e.state,
      nextCheckAt: e.dueAt,
      ...(e.result === undefined ? {} : { result: e.result }),
      ...(e.checkedAt === undefined ? {} : { checkedAt: e.checkedAt }),
      ...(e.repairNotBefore === undefined ? {} : { repairNotBefore: e.repairNotBefore }),
      ...(e.error === undefined ? {} : { error: e.error }),
    }));
  }

  /** Wakes run() now (call it when the caps list changed). */
  poke(): void {
    this.wake?.abort();
  }

  /** Does the checks and repairs due now, within the budgets; one pass at a time. */
  runOnce(opts: { signal: AbortSignal }): Promise<SchedulerPass> {
    this.pass ??= this.doPass(opts.signal).finally(() => (this.pass = undefined));
    return this.pass;
  }

  /** Passes until `signal` aborts (then resolves), sleeping on the clock in between. */
  async run(opts: { signal: AbortSignal }): Promise<void> {
    const { signal } = opts;
    while (!signal.aborted) {
      let nextInMs = MIN_SLEEP_MS;
      try {
        nextInMs = Math.max(MIN_SLEEP_MS, (await this.runOnce(opts)).nextInMs);
      } catch {
        if (signal.aborted) return;
      }
      const wake = new AbortController();
      this.wake = wake;
      const onAbort = (): void => wake.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      await this.components.clock.sleep(nextInMs, { signal: wake.signal }).catch(() => undefined);
      signal.removeEventListener('abort', onAbort);
      this.wake = undefined;
    }
  }

  private async doPass(signal: AbortSignal): Promise<SchedulerPass> {
    const { clock } = this.components;
    this.sync(clock.now());
    let checks = 0;
    let repairs = 0;
    for (;;) {
      signal.throwIfAborted();
      const now = clock.now();
      const repair = this.nextRepair(now);
      if (repair !== undefined && this.traffic.available(now) >= 0) {
        await this.repair(repair, signal);
        repairs++;
        continue;
      }
      const due = this.nextCheck(now);
      if (due !== undefined && this.checks.take(now)) {
        await this.check(due, signal);
        checks++;
        continue;
      }
      return { checks, repairs, nextInMs: this.nextInMs(clock.now()) };
    }
  }

  /** Adds files new in the caps list (due at once) and forgets files no longer in it. */
  private sync(now: number): void {
    const seen = new Set<string>();
    for (const cap of this.init.caps()) {
      if (cap.kind !== 'chk' && cap.kind !== 'chk-verifier') continue;
      let key: string;
      try {
        key = base32Encode(fileTarget(cap).storageIndex);
      } catch {
        continue; // a malformed cap is the files list's problem, not a file to check
      }
      seen.add(key);
      const entry = this.entries.get(key);
      if (entry === undefined) this.entries.set(key, { key, cap, state: 'unchecked', dueAt: now, backoffMs: this.o.retryMinMs });
      else if (cap.kind === 'chk') entry.cap = cap; // the read cap and the verify cap name one file
    }
    for (const key of [...this.entries.keys()]) if (!seen.has(key)) this.entries.delete(key);
  }

  private nextCheck(now: number): Entry | undefined {
    let best: Entry | undefined;
    for (const e of this.entries.values()) if (e.dueAt <= now && (best === undefined || e.dueAt < best.dueAt)) best = e;
    return best;
  }

  /** The degraded file most in need (lowest happiness) whose backoff has passed. */
  private nextRepair(now: number): Entry | undefined {
    let best: Entry | undefined;
    for (const e of this.entries.values()) {
      if (e.state !== 'degraded' || (e.repairNotBefore ?? 0) > now) continue;
      if (best === undefined || e.result!.happiness < best.result!.happiness) best = e;
    }
    return best;
  }

  private nextInMs(now: number): number {
    const waits = [this.o.checkIntervalMs];
    for (const e of this.entries.values()) {
      if (e.dueAt > now) waits.push(e.dueAt - now);
      if (e.state === 'degraded' && (e.repairNotBefore ?? 0) > now) waits.push(e.repairNotBefore! - now);
    }
    // Work due now but held back by a budget: when the budget allows it.
    if (this.nextCheck(now) !== undefined) waits.push(this.checks.waitMs(now));
    if (this.nextRepair(now) !== undefined) waits.push(this.traffic.waitMs(now, 0));
    return Math.min(...waits);
  }

  private async check(e: Entry, signal: AbortSignal): Promise<void> {
    const { clock, checker } = this.components;
    const now = clock.now();
    e.dueAt = now + this.o.checkIntervalMs;
    const addLease = e.leasedAt === undefined || now - e.leasedAt >= this.o.leaseRenewIntervalMs;
    try {
      const result = await checker.check(e.cap, { signal, addLease, corrupt: e.result?.corrupt ?? [] });
      if (addLease && result.leasesRenewed > 0) e.leasedAt = now;
      this.record(e, result, clock.now());
      this.emit({ type: 'checked', storageIndex: e.key, result });
    } catch (err) {
      signal.throwIfAborted();
      e.state = 'error';
      e.error = err instanceof Error ? err.message : String(err);
      this.emit({ type: 'check-failed', storageIndex: e.key, error: asError(err) });
    }
  }

  private async repair(e: Entry, signal: AbortSignal): Promise<void> {
    const { clock, checker } = this.components;
    e.state = 'repairing';
    this.emit({ type: 'repair-started', storageIndex: e.key, before: e.result! });
    try {
      const result = await checker.repair(e.cap, { signal, corrupt: e.result!.corrupt });
      this.traffic.spend(clock.now(), result.bytesRead + result.bytesWritten);
      e.leasedAt = clock.now(); // the repair's census renewed our leases
      this.record(e, result.after, clock.now());
      this.emit({ type: 'repaired', storageIndex: e.key, result });
    } catch (err) {
      signal.throwIfAborted();
      e.state = err instanceof Error && err.name === 'NotEnoughSharesError' ? 'unrecoverable' : 'error';
      e.error = err instanceof Error ? err.message : String(err);
      this.backOff(e, clock.now());
      this.emit({ type: 'repair-failed', storageIndex: e.key, error: asError(err) });
    }
  }

  /** The file's state from a check result; a repair still needed after one waits out a backoff. */
  private record(e: Entry, result: CheckResult, now: number): void {
    const wasRepairing = e.state === 'repairing';
    e.result = result;
    e.checkedAt = now;
    delete e.error;
    if (result.serversAnswered === 0) e.state = 'offline';
    else if (!result.recoverable) e.state = 'unrecoverable';
    else if (needsRepair(result, this.threshold)) e.state = 'degraded';
    else e.state = 'healthy';
    if (e.state === 'healthy') {
      delete e.repairNotBefore;
      e.backoffMs = this.o.retryMinMs;
    } else if (wasRepairing) {
      this.backOff(e, now);
    }
  }

  private backOff(e: Entry, now: number): void {
    e.repairNotBefore = now + e.backoffMs;
    e.backoffMs = Math.min(this.o.retryMaxMs, e.backoffMs * 2);
  }

  private emit(event: RepairEvent): void {
    try {
      this.init.onEvent?.(event);
    } catch {
      // A failing listener must not stop repairs.
    }
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

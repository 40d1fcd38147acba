/**
 * A file's health and the repair activity as the person's tabs share them (plain, cloneable
 * objects with wall-clock times, since each tab's monotonic clock starts at its own load), the
 * words health bars show, and the test build's switch for a quicker repair schedule.
 * @module
 */
import { needsRepair, type CheckResult, type FileHealth, type FileState, type RepairEvent } from '../core/repair/index.js';
import { testSetting } from './test-settings.js';

export interface KnownHealth {
  /** Base32 storage index. */
  readonly storageIndex: string;
  readonly state: FileState;
  readonly result?: CheckResult;
  /** Wall-clock milliseconds (Date.now()) of the check. */
  readonly checkedAtMs?: number;
  readonly nextCheckAtMs?: number;
  readonly error?: string;
}

export interface RepairActivity {
  readonly type: RepairEvent['type'];
  readonly storageIndex: string;
  /** Wall-clock milliseconds. */
  readonly at: number;
  /** What happened, in a person's words. */
  readonly words: string;
}

/** The state a check result gives (as the RepairScheduler decides it). */
export function stateOfCheck(result: CheckResult, threshold: number): FileState {
  if (result.serversAnswered === 0) return 'offline';
  if (!result.recoverable) return 'unrecoverable';
  return needsRepair(result, threshold) ? 'degraded' : 'healthy';
}

/** A scheduler FileHealth with its clock times turned into wall-clock times (`offset` = Date.now() − clock.now()). */
export function knownHealthOf(h: FileHealth, offset: number): KnownHealth {
  return {
    storageIndex: h.storageIndex,
    state: h.state,
    ...(h.result === undefined ? {} : { result: h.result }),
    ...(h.checkedAt === undefined ? {} : { checkedAtMs: Math.round(h.checkedAt + offset) }),
    nextCheckAtMs: Math.round(h.nextCheckAt + offset),
    ...(h.error === undefined ? {} : { error: h.error }),
  };
}

/** The scheduler's event as a line of activity. */
export function activityOf(event: RepairEvent, at: number): RepairActivity {
  const base = { type: event.type, storageIndex: event.storageIndex, at };
  switch (event.type) {
    case 'checked':
      return { ...base, words: `checked: ${event.result.distinctShares} of ${event.result.n} shares on ${event.result.happiness} peers` };
    case 'check-failed':
      return { ...base, words: `check failed: ${event.error.message}` };
    case 'repair-started':
      return { ...base, words: `repairing: ${event.before.missing.length} shares missing, ${event.before.happiness} peers of ${event.before.happy} wanted` };
    case 'repaired':
      return {
        ...base,
        words:
          event.result.sharesWritten === 0
            ? `repair wrote nothing${event.result.note === undefined ? '' : `: ${event.result.note}`}`
            : `repaired: ${event.result.sharesWritten} new shares, now on ${event.result.after.happiness} peers`,
      };
    case 'repair-failed':
      return { ...base, words: `repair failed: ${event.error.message}` };
  }
}

/** What the bar says of a state. */
export function stateWords(state: FileState): string {
  switch (state) {
    case 'unchecked':
      return 'not checked yet';
    case 'healthy':
      return 'healthy';
    case 'degraded':
      return 'needs repair';
    case 'repairing':
      return 'repairing';
    case 'unrecoverable':
      return 'too few shares reachable';
    case 'offline':
      return 'no peer answered';
    case 'error':
      return 'check failed';
  }
}

/** "12 s ago", "3 min ago", "2 h ago" (for "last checked"). */
export function agoWords(thenMs: number, nowMs: number): string {
  const s = Math.max(0, Math.round((nowMs - thenMs) / 1000));
  if (s < 60) return `${s} s ago`;
  const min = Math.round(s / 60);
  if (min < 90) return `${min} min ago`;
  const h = Math.round(min / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} days ago`;
}

/** Bytes as a person reads them: 1.5 MB, 320 kB (powers of 1000, like the node panel). */
export function bytesWords(n: number): string {
  if (n < 1000) return `${n} bytes`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = -1;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** What a verify will read: every share, about N/k × the file size. */
export function verifyCostWords(size: number, k: number, n: number): string {
  return `Verify reads every share: about ${(n / k).toFixed(1)} × the file's size, ${bytesWords(Math.ceil((size * n) / k))} of transfer.`;
}

/** localStorage key the test build reads for a quicker repair schedule (JSON, see repairTestSettings). */
export const REPAIR_TEST_KEY = 'bric-repair-test';

/**
 * In the test build only (Vite mode 'test'), a browser test may set localStorage
 * `bric-repair-test` to `{"checkIntervalMs": 2000, "retryMinMs": 2000}` before the page loads, so
 * automatic repair runs in seconds rather than every 10 minutes. Production builds ignore it.
 */
export function repairTestSettings(): { checkIntervalMs?: number; retryMinMs?: number; retryMaxMs?: number } {
  let raw: unknown;
  try {
    raw = JSON.parse(testSetting(REPAIR_TEST_KEY) ?? 'null');
  } catch {
    return {};
  }
  if (typeof raw !== 'object' || raw === null) return {};
  const out: { checkIntervalMs?: number; retryMinMs?: number; retryMaxMs?: number } = {};
  for (const name of ['checkIntervalMs', 'retryMinMs', 'retryMaxMs'] as const) {
    const v = (raw as Record<string, unknown>)[name];
    if (typeof v === 'number' && v > 0 && Number.isFinite(v)) out[name] = v;
  }
  return out;
}

/**
 * What the repair scheduler tells the app: per-file health for health bars, and events as
 * checks and repairs happen. Plain objects, ready for reactive state and JSON.
 * @module
 */
import type { CheckResult } from './check-result.js';
import type { RepairResult } from './repair.js';

/**
 * unchecked: not looked at yet; healthy: happiness at or above the threshold; degraded: below it,
 * a repair due; repairing: a repair runs now; unrecoverable: fewer than k good shares reachable
 * (tabs may come back, so it is still checked); offline: no server answered the last check (this
 * tab is alone or disconnected: nothing is known); error: the last check or repair failed.
 */
export type FileState = 'unchecked' | 'healthy' | 'degraded' | 'repairing' | 'unrecoverable' | 'offline' | 'error';

export interface FileHealth {
  /** The file's storage index, base32. */
  readonly storageIndex: string;
  readonly state: FileState;
  /** The latest check (or the health after the latest repair). */
  readonly result?: CheckResult;
  /** Clock time of the latest check, and of the next one. */
  readonly checkedAt?: number;
  readonly nextCheckAt: number;
  /** No repair is tried before this clock time (after one that could not restore happiness). */
  readonly repairNotBefore?: number;
  /** Why the latest check or repair failed. */
  readonly error?: string;
}

export type RepairEvent =
  | { readonly type: 'checked'; readonly storageIndex: string; readonly result: CheckResult }
  | { readonly type: 'check-failed'; readonly storageIndex: string; readonly error: Error }
  | { readonly type: 'repair-started'; readonly storageIndex: string; readonly before: CheckResult }
  | { readonly type: 'repaired'; readonly storageIndex: string; readonly result: RepairResult }
  | { readonly type: 'repair-failed'; readonly storageIndex: string; readonly error: Error };

/** What one pass did, and when the next is worth running. */
export interface SchedulerPass {
  readonly checks: number;
  readonly repairs: number;
  /** Milliseconds until more work is due (a check, or budget for a pending repair). */
  readonly nextInMs: number;
}

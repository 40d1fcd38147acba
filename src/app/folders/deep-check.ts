/**
 * Deep check of a directory tree (Tahoe's `tahoe deep-check`): walks the tree (walk.ts), checks
 * every immutable file with the FileChecker (listShares only: good shares, happiness, missing),
 * and for every directory counts the servers holding its shares (a mutable directory's slot
 * shares through the servermap, a snapshot's as a CHK file). Reports each entry and a summary.
 * @module
 */
import { toReadOnlyCap } from '../../core/cap/dir.js';
import { formatCap } from '../../core/cap/parse.js';
import type { ChkReadCap, SskReadCap, SskWriteCap } from '../../core/cap/types.js';
import type { DirectoryClient, ReadableDirCap } from '../../core/dirnode/directory.js';
import { serversOfHappiness } from '../../core/grid/happiness.js';
import type { ServerMap } from '../../core/mutable/servermap.js';
import type { CheckResult } from '../../core/repair/check-result.js';
import { needsRepair } from '../../core/repair/plan.js';
import { stateOfCheck } from '../health-model.js';
import { describeError } from '../words.js';
import { walkTree } from './walk.js';

/** Files (and directories) checked at once: each check asks up to GRID_QUERY_CONCURRENCY servers itself. */
export const DEEP_CHECK_CONCURRENCY = 2;

/** What one check found: the states a health bar shows. 'offline': no server answered. */
export type EntryHealth = 'healthy' | 'needs-repair' | 'unrecoverable' | 'offline' | 'error';

/** The share counts of a directory's own file (mutable slot or immutable snapshot). */
export interface DirShares {
  readonly k: number;
  readonly n: number;
  /** Distinct share numbers of the newest readable version found. */
  readonly distinctShares: number;
  /** Distinct servers holding them (servers-of-happiness). */
  readonly happiness: number;
  /** Servers that answered the query. */
  readonly serversAnswered: number;
}

export type DeepCheckEntry =
  | { readonly kind: 'file'; readonly path: readonly string[]; readonly cap: ChkReadCap; readonly state: EntryHealth; readonly result?: CheckResult; readonly error?: string }
  /** A LIT file: its bytes are in its cap, nothing on the grid to check. */
  | { readonly kind: 'lit'; readonly path: readonly string[] }
  | { readonly kind: 'dir'; readonly path: readonly string[]; readonly mutable: boolean; readonly state: EntryHealth | 'lit'; readonly shares?: DirShares; readonly error?: string }
  | { readonly kind: 'skipped'; readonly path: readonly string[]; readonly why: string };

export interface DeepCheckSummary {
  /** CHK files checked. */
  files: number;
  healthy: number;
  needsRepair: number;
  unrecoverable: number;
  /** Files no server answered for, or whose check failed. */
  unknown: number;
  /** LIT files (nothing to check). */
  lit: number;
  directories: number;
  directoriesHealthy: number;
  directoriesNeedRepair: number;
  directoriesUnrecoverable: number;
  skipped: number;
}

export interface DeepCheckReport {
  readonly entries: DeepCheckEntry[];
  readonly summary: DeepCheckSummary;
}

/** What the deep check runs on (the app builds them from its NodeServices: deep-check-parts.ts). */
export interface DeepCheckComponents {
  readonly dirs: DirectoryClient;
  readonly checker: { readonly happy: number; check(cap: ChkReadCap, opts: { signal: AbortSignal }): Promise<CheckResult> };
  /** The servermap of a mutable file (MutableFileClient.servermap). */
  servermap(cap: SskWriteCap | SskReadCap, opts: { signal: AbortSignal }): Promise<ServerMap>;
}

export interface DeepCheckOptions {
  signal: AbortSignal;
  /** @default DEEP_CHECK_CONCURRENCY */
  concurrency?: number;
  /** Each entry as soon as it is known (in completion order). */
  onEntry?(entry: DeepCheckEntry): void;
}

export function emptySummary(): DeepCheckSummary {
  return { files: 0, healthy: 0, needsRepair: 0, unrecoverable: 0, unknown: 0, lit: 0, directories: 0, directoriesHealthy: 0, directoriesNeedRepair: 0, directoriesUnrecoverable: 0, skipped: 0 };
}

/** Checks `top` and everything under it. Rejects only when `signal` aborts or the top cannot be listed. */
export async function deepCheck(c: DeepCheckComponents, top: ReadableDirCap, opts: DeepCheckOptions): Promise<DeepCheckReport> {
  const limit = opts.concurrency ?? DEEP_CHECK_CONCURRENCY;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`"concurrency" must be a whole number of at least 1, got ${limit}`);
  const { signal } = opts;
  const entries: DeepCheckEntry[] = [];
  const summary = emptySummary();
  const record = (entry: DeepCheckEntry): void => {
    entries.push(entry);
    count(summary, entry);
    opts.onEntry?.(entry);
  };
  const running = new Set<Promise<void>>();
  const spawn = async (work: () => Promise<DeepCheckEntry>): Promise<void> => {
    while (running.size >= limit) await Promise.race(running);
    signal.throwIfAborted();
    const p: Promise<void> = work().then(record, () => undefined).finally(() => running.delete(p));
    running.add(p);
  };
  const unlisted = new Map<string, unknown>();
  const dirs = lenientDirs(c.dirs, top, (cap, error) => unlisted.set(folderKey(cap), error));
  try {
    for await (const item of walkTree(dirs, top, { signal })) {
      if (item.kind === 'skipped') record({ kind: 'skipped', path: item.path, why: item.why });
      else if (item.kind === 'file') {
        const cap = item.cap;
        if (cap.kind === 'lit') record({ kind: 'lit', path: item.path });
        else await spawn(() => checkFile(c, item.path, cap, signal));
      } else {
        const why = unlisted.get(folderKey(item.cap));
        await spawn(async () => {
          const entry = await checkDir(c, item.path, item.cap, signal);
          // Its shares may be fine while its entries do not verify: either way its files went unchecked.
          if (why === undefined || entry.kind !== 'dir') return entry;
          const state = entry.state === 'healthy' || entry.state === 'lit' ? 'error' : entry.state;
          return { ...entry, state, error: describeError(why, 'This folder could not be listed, so what is in it was not checked') };
        });
      }
    }
  } finally {
    // Never leave a check running past the call (they end quickly once `signal` aborts).
    await Promise.all(running);
  }
  signal.throwIfAborted();
  return { entries, summary };
}

async function checkFile(c: DeepCheckComponents, path: readonly string[], cap: ChkReadCap, signal: AbortSignal): Promise<DeepCheckEntry> {
  try {
    const result = await c.checker.check(cap, { signal });
    return { kind: 'file', path, cap, state: healthOfFile(result, c.checker.happy), result };
  } catch (error) {
    signal.throwIfAborted();
    return { kind: 'file', path, cap, state: 'error', error: describeError(error, 'The check failed') };
  }
}

/** The file's state as the automatic repair sees it (health-model.ts stateOfCheck). */
export function healthOfFile(result: CheckResult, happy: number): EntryHealth {
  const state = stateOfCheck(result, happy);
  return state === 'degraded' ? 'needs-repair' : state === 'healthy' || state === 'unrecoverable' || state === 'offline' ? state : 'error';
}

async function checkDir(c: DeepCheckComponents, path: readonly string[], cap: ReadableDirCap, signal: AbortSignal): Promise<DeepCheckEntry> {
  const mutable = cap.kind === 'dir' || cap.kind === 'dir-ro';
  try {
    if (cap.kind === 'dir-lit') return { kind: 'dir', path, mutable, state: 'lit' };
    if (cap.kind === 'dir-chk') {
      const r = await c.checker.check(cap.file, { signal });
      const shares = { k: r.k, n: r.n, distinctShares: r.distinctShares, happiness: r.happiness, serversAnswered: r.serversAnswered };
      return { kind: 'dir', path, mutable, state: healthOfFile(r, c.checker.happy), shares };
    }
    const map = await c.servermap(cap.file, { signal });
    return { kind: 'dir', path, mutable, ...sharesOfSlot(map, c.checker.happy) };
  } catch (error) {
    signal.throwIfAborted();
    return { kind: 'dir', path, mutable, state: 'error', error: describeError(error, 'The check failed') };
  }
}

/** A mutable directory's health: the shares of its newest readable version, and the servers holding them. */
export function sharesOfSlot(map: ServerMap, happy: number): { state: EntryHealth; shares?: DirShares } {
  if (map.servers.length === 0) return { state: 'offline' };
  const best = map.bestRecoverable();
  if (best === undefined) return { state: 'unrecoverable' };
  const holders = new Map<number, Set<string>>();
  for (const s of map.sharesOf(best.id)) {
    const set = holders.get(s.shareNum);
    if (set === undefined) holders.set(s.shareNum, new Set([s.holder.key]));
    else set.add(s.holder.key);
  }
  const { k, n } = best.header;
  const shares: DirShares = { k, n, distinctShares: holders.size, happiness: serversOfHappiness(holders), serversAnswered: map.servers.length };
  const short = needsRepair({ recoverable: true, happiness: shares.happiness, n }, happy);
  return { state: short ? 'needs-repair' : 'healthy', shares };
}

function count(s: DeepCheckSummary, e: DeepCheckEntry): void {
  switch (e.kind) {
    case 'skipped':
      s.skipped++;
      return;
    case 'lit':
      s.lit++;
      return;
    case 'file':
      s.files++;
      if (e.state === 'healthy') s.healthy++;
      else if (e.state === 'needs-repair') s.needsRepair++;
      else if (e.state === 'unrecoverable') s.unrecoverable++;
      else s.unknown++;
      return;
    case 'dir':
      s.directories++;
      if (e.state === 'healthy' || e.state === 'lit') s.directoriesHealthy++;
      else if (e.state === 'needs-repair') s.directoriesNeedRepair++;
      else if (e.state === 'unrecoverable') s.directoriesUnrecoverable++;
  }
}

/** The summary in a person's words: "12 files: 11 healthy, 1 needs repair; 3 folders healthy". */
export function summaryWords(s: DeepCheckSummary): string {
  const files = s.files + s.lit;
  const parts: string[] = [];
  if (s.healthy + s.lit > 0) parts.push(`${s.healthy + s.lit} healthy`);
  if (s.needsRepair > 0) parts.push(`${s.needsRepair} ${s.needsRepair === 1 ? 'needs' : 'need'} repair`);
  if (s.unrecoverable > 0) parts.push(`${s.unrecoverable} unrecoverable`);
  if (s.unknown > 0) parts.push(`${s.unknown} not checked (no answer)`);
  const head = `${files} ${files === 1 ? 'file' : 'files'}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
  const dirsBad = s.directoriesNeedRepair + s.directoriesUnrecoverable;
  const dirs = s.directories === 0 ? '' : dirsBad === 0 ? `; ${s.directories} ${s.directories === 1 ? 'folder' : 'folders'} healthy` : `; ${dirsBad} of ${s.directories} folders ${s.directoriesUnrecoverable > 0 ? 'unreadable or short of shares' : 'short of shares'}`;
  return head + dirs + (s.skipped > 0 ? `; ${s.skipped} skipped` : '');
}

/**
 * The directory client a walk lists through: a folder under `top` that cannot be listed is
 * reported to `onFailure` and walked as empty, so one unreadable folder does not end the walk.
 */
export function lenientDirs(dirs: DirectoryClient, top: ReadableDirCap, onFailure: (cap: ReadableDirCap, error: unknown) => void): DirectoryClient {
  const lenient = Object.create(dirs) as DirectoryClient;
  lenient.list = async (cap, opts) => {
    try {
      return await dirs.list(cap, opts);
    } catch (error) {
      if (cap === top || opts.signal.aborted) throw error;
      onFailure(cap, error);
      return [];
    }
  };
  return lenient;
}

/** A key for a folder's report, the same for its write and read caps. */
export function folderKey(cap: ReadableDirCap): string {
  return formatCap(toReadOnlyCap(cap));
}

/**
 * Finding a file's shares (Tahoe's immutable/downloader/finder.py): ask servers in permuted-ring
 * order which shares they hold, a bounded number at a time, and hand the decoder ShareReaders,
 * fastest responders first, one per share number; a share that turns out bad or whose server
 * fails is replaced by another copy or another share.
 * @module
 */
import type { ShareReader, ShareSource } from '../immutable/source.js';
import type { StorageApi } from '../storage/api.js';
import { nodeIdKey, serverName, type ServerDescriptor, type StorageBroker } from './broker.js';
import { raceAbort, withDeadline, type Clock } from './clock.js';
import { permuteServers } from './ring.js';

export interface ShareFinderInit {
  readonly storageIndex: Uint8Array;
  /** Shares needed: the finder keeps asking servers until it knows this many distinct ones. */
  readonly k: number;
  /** listShares requests in flight at once. */
  readonly concurrency: number;
  /** Time one server has to answer one request. */
  readonly timeoutMs: number;
}

/** What the finder saw, for status and tests. */
export interface FinderStats {
  /** Servers asked so far, answered or not. */
  asked: number;
  /** Servers that answered listShares. */
  answered: number;
  /** Servers that failed, timed out or could not be reached. */
  failed: number;
  /** Corruption reports sent to holders. */
  corruptReports: number;
}

interface Holder {
  readonly server: ServerDescriptor;
  readonly key: string;
  readonly name: string;
  readonly api: StorageApi;
  readonly shares: number[];
}

export class ShareFinder implements ShareSource {
  readonly stats: FinderStats;
  private readonly ring: ServerDescriptor[];
  private cursor = 0;
  private inFlight = 0;
  /** Servers that answered, fastest first. */
  private readonly holders: Holder[] = [];
  private readonly failedServers = new Set<string>();
  /** `${serverKey}/${shareNum}` of copies found bad or unreadable. */
  private readonly badCopies = new Set<string>();
  /** Share numbers handed out and not given back (by a failure or a corruption report). */
  private readonly active = new Map<number, string>();
  /** next() calls waiting for a query to answer. */
  private waiters: (() => void)[] = [];

  constructor(
    private readonly broker: StorageBroker,
    private readonly clock: Clock,
    private readonly init: ShareFinderInit,
    /** The download's signal: every query stops with it. */
    private readonly signal: AbortSignal,
    /** Counters to fill in (the caller's object, so it can watch them), else a new one. */
    stats?: FinderStats,
  ) {
    this.stats = Object.assign(stats ?? ({} as FinderStats), { asked: 0, answered: 0, failed: 0, corruptReports: 0 });
    this.ring = permuteServers(init.storageIndex, broker.servers());
  }

  async next(opts: { signal: AbortSignal }): Promise<ShareReader | null> {
    for (;;) {
      opts.signal.throwIfAborted();
      const found = this.pick();
      if (found !== undefined) return this.reader(found.holder, found.shareNum);
      this.pump(true);
      if (this.inFlight === 0) return null;
      await raceAbort(new Promise<void>((resolve) => this.waiters.push(resolve)), opts.signal);
    }
  }

  /** The next copy to use: a share number not in use, on the fastest server, unused servers first. */
  private pick(): { holder: Holder; shareNum: number } | undefined {
    const busy = new Set(this.active.values());
    let fallback: { holder: Holder; shareNum: number } | undefined;
    for (const holder of this.holders) {
      if (this.failedServers.has(holder.key)) continue;
      for (const shareNum of holder.shares) {
        if (this.active.has(shareNum) || this.badCopies.has(`${holder.key}/${shareNum}`)) continue;
        if (!busy.has(holder.key)) return { holder, shareNum };
        fallback ??= { holder, shareNum };
      }
    }
    return fallback;
  }

  /**
   * Starts queries, in ring order, up to the concurrency bound: always while fewer than k
   * distinct shares are known, and further when the decoder is waiting for one.
   */
  private pump(waiting: boolean): void {
    while (this.inFlight < this.init.concurrency && this.cursor < this.ring.length) {
      if (!waiting && this.knownShares() >= this.init.k) break;
      void this.query(this.ring[this.cursor++]!);
    }
  }

  private knownShares(): number {
    const shares = new Set<number>();
    for (const h of this.holders) if (!this.failedServers.has(h.key)) for (const s of h.shares) shares.add(s);
    return shares.size;
  }

  private async query(server: ServerDescriptor): Promise<void> {
    this.inFlight++;
    this.stats.asked++;
    const name = serverName(server);
    try {
      const { api, shares } = await withDeadline(this.clock, this.init.timeoutMs, this.signal, `peer ${name}`, async (signal) => {
        const api = await this.broker.connect(server.nodeId, { signal });
        return { api, shares: await api.listShares(this.init.storageIndex, { signal }) };
      });
      this.stats.answered++;
      const valid = [...new Set(shares)].filter((s) => Number.isSafeInteger(s) && s >= 0 && s < 256);
      if (valid.length > 0) this.holders.push({ server, key: nodeIdKey(server.nodeId), name, api, shares: valid });
    } catch {
      this.stats.failed++;
    } finally {
      this.inFlight--;
      if (!this.signal.aborted) this.pump(this.waiters.length > 0);
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    }
  }

  private reader(holder: Holder, shareNum: number): ShareReader {
    const copy = `${holder.key}/${shareNum}`;
    this.active.set(shareNum, holder.key);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.badCopies.add(copy);
      if (this.active.get(shareNum) === holder.key) this.active.delete(shareNum);
    };
    const { storageIndex, timeoutMs } = this.init;
    return {
      shareNum,
      read: async (offset, length, opts) => {
        try {
          return await withDeadline(this.clock, timeoutMs, opts.signal, `peer ${holder.name}`, (signal) =>
            holder.api.readShare(storageIndex, shareNum, offset, length, { signal }),
          );
        } catch (error) {
          if (!opts.signal.aborted) {
            // The server failed or went silent: none of its copies is worth trying again.
            this.failedServers.add(holder.key);
            release();
          }
          throw error;
        }
      },
      reportCorrupt: (reason) => {
        release();
        this.stats.corruptReports++;
        void withDeadline(this.clock, timeoutMs, new AbortController().signal, `peer ${holder.name}`, (signal) =>
          holder.api.adviseCorruptShare(storageIndex, shareNum, reason, { signal }),
        ).catch(() => undefined);
      },
    };
  }
}

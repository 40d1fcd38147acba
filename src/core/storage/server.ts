/**
 * StorageServer: a node's server role over a ShareStore (Tahoe's storage/server.py StorageServer
 * with its BucketWriters): capacity checked before any byte flows, exact accounting, Tahoe's
 * write rules, leases from an injected wall clock, corruption reports recorded and counted.
 * @module
 */
import { base32Encode, bytesToHex } from '../bytes.js';
import { LEASE_DURATION_MS, MAX_CORRUPT_MARKS_PER_SHARE, MAX_SHARE_BYTES, DEFAULT_CAPACITY_UNKNOWN_QUOTA_BYTES, STALLED_UPLOAD_MS, STORAGE_PROTOCOL_VERSION } from '../limits.js';
import { KeyedMutex } from './_mutex.js';
import * as v from './_validate.js';
import { BucketWriters } from './bucket-writer.js';
import type { AllocateResult, StorageApi, StorageOpts, StorageVersion } from './api.js';
import { availableBytes } from './capacity.js';
import { NodeCapacity } from './node-capacity.js';
import { CapacityExceededError, shareLabel, ShareNotFoundError, StorageQuotaError } from './errors.js';
import { collectExpiredShares, renewLeases } from './lease.js';
import type { ShareStore, WallClock } from './share-store.js';

export interface StorageServerComponents {
  store: ShareStore;
  /** Wall-clock time for lease expiry (leases outlive the page, so not a monotonic clock). */
  clock: WallClock;
  /** Bytes held elsewhere on this node under the same capacity (its slots): counted as used. Default: none. */
  otherUsage?: { usedBytes(opts: StorageOpts): Promise<number> };
  /** The node's capacity when other servers store under it too (a node's slots); default: this server's own, from init.capacityBytes. */
  capacity?: NodeCapacity;
}

export interface StorageServerInit {
  /** This node's id (required: the node identity's). */
  nodeId: string;
  /** The most bytes this node holds (shares and otherUsage together); default DEFAULT_CAPACITY_UNKNOWN_QUOTA_BYTES. */
  capacityBytes?: number;
  /** How long a lease lasts from its last renewal; default LEASE_DURATION_MS (31 days, Tahoe's). */
  leaseDurationMs?: number;
}

/** Counters a node shows its person (and tests read). */
export interface StorageServerStats {
  /** Corruption reports received (every one, also for shares no longer here). */
  corruptReports: number;
  /** Shares refused because they would pass the capacity. */
  capacityRefusals: number;
  /** Pending shares freed because their uploader stopped writing (STALLED_UPLOAD_MS). */
  stalledUploads: number;
  /** Changes the browser refused (over its quota for the site). */
  quotaRefusals: number;
  /** Shares deleted because every lease had run out. */
  expiredShares: number;
}

/** Internal cleanup that must finish even when the caller has gone. */
const NEVER = new AbortController().signal;

export class StorageServer implements StorageApi {
  readonly nodeId: string;
  readonly #store: ShareStore;
  readonly #clock: WallClock;
  readonly #other: StorageServerComponents['otherUsage'];
  readonly #leaseDurationMs: number;
  readonly #lock = new KeyedMutex();
  /** Shares allocated through this server and not yet closed or aborted. */
  readonly #writers: BucketWriters;
  readonly #stats: StorageServerStats = { corruptReports: 0, capacityRefusals: 0, quotaRefusals: 0, expiredShares: 0, stalledUploads: 0 };
  readonly #capacity: NodeCapacity;
  #started: Promise<void> | undefined;

  constructor(components: StorageServerComponents, init: StorageServerInit) {
    if (typeof init.nodeId !== 'string' || init.nodeId.length === 0) throw new TypeError('"nodeId" expected a non-empty string');
    this.nodeId = init.nodeId;
    this.#store = components.store;
    this.#writers = new BucketWriters(components.store);
    this.#clock = components.clock;
    this.#other = components.otherUsage;
    this.#capacity = components.capacity ?? new NodeCapacity(init.capacityBytes ?? DEFAULT_CAPACITY_UNKNOWN_QUOTA_BYTES);
    this.#leaseDurationMs = init.leaseDurationMs ?? LEASE_DURATION_MS;
  }

  get capacityBytes(): number {
    return this.#capacity.bytes;
  }

  /** Changes the capacity at once. Lowering it under what is stored deletes nothing; it only refuses new shares. */
  setCapacity(bytes: number): void {
    this.#capacity.set(bytes);
  }

  stats(): StorageServerStats {
    return { ...this.#stats };
  }

  async getVersion(opts: StorageOpts): Promise<StorageVersion> {
    await this.#start(opts);
    const used = await this.#usedBytes(opts);
    const available = availableBytes(this.#capacity.bytes, used);
    return {
      nodeId: this.nodeId,
      maxShareBytes: Math.min(MAX_SHARE_BYTES, available),
      availableBytes: available,
      capacityBytes: this.#capacity.bytes,
      usedBytes: used,
      protocolVersion: STORAGE_PROTOCOL_VERSION,
    };
  }

  /** Everything this node holds under its capacity: its shares (held or reserved) and otherUsage. */
  async #usedBytes(opts: StorageOpts): Promise<number> {
    return (await this.#store.usedBytes(opts)) + ((await this.#other?.usedBytes(opts)) ?? 0);
  }

  async allocateBuckets(
    storageIndex: Uint8Array,
    renewSecret: Uint8Array,
    cancelSecret: Uint8Array,
    shareNums: number[],
    allocatedSize: number,
    opts: StorageOpts,
  ): Promise<AllocateResult> {
    v.assertStorageIndex(storageIndex);
    v.assertLeaseSecret(renewSecret, 'renewSecret');
    v.assertLeaseSecret(cancelSecret, 'cancelSecret');
    v.assertShareNums(shareNums);
    v.assertAllocatedSize(allocatedSize);
    await this.#start(opts);
    // One allocation at a time across the node (slot writes included): the capacity check and the
    // reservation must not interleave with another's, or two uploads could both take the last free bytes.
    return this.#capacity.exclusive(async () => {
      await this.#reclaimStalled();
      return this.#lock.run(bytesToHex(storageIndex), async () => {
        opts.signal.throwIfAborted();
        const existing = await this.#store.list(storageIndex, opts);
        const expiresAt = this.#clock.now() + this.#leaseDurationMs;
        // As Tahoe: asking to allocate renews (or adds) our lease on every share already held;
        // a share that has no room for another lease is still held (by its other leases).
        await renewLeases(this.#store, existing, { renewSecret, cancelSecret, expiresAt }, true, opts);
        const byNum = new Map(existing.map((s) => [s.shareNum, s.state]));
        const alreadyHave: number[] = [];
        const allocated: number[] = [];
        let refusedForCapacity = 0;
        let refusedByBrowser: StorageQuotaError | undefined;
        let free = 0;
        try {
          for (const shareNum of [...shareNums].sort((a, b) => a - b)) {
            const state = byNum.get(shareNum);
            if (state === 'closed') alreadyHave.push(shareNum);
            if (state !== undefined) continue; // pending: someone else is uploading it (Tahoe leaves it out)
            free = availableBytes(this.#capacity.bytes, await this.#usedBytes(opts));
            if (allocatedSize > free) {
              refusedForCapacity++;
              continue;
            }
            try {
              const lease = { renewSecret, cancelSecret, expiresAt };
              await this.#store.createPending(storageIndex, shareNum, allocatedSize, lease, opts);
            } catch (err) {
              if (!(err instanceof StorageQuotaError)) throw err;
              refusedByBrowser = err;
              continue;
            }
            allocated.push(shareNum);
            this.#writers.add(storageIndex, shareNum, allocatedSize, this.#clock.now());
          }
        } catch (err) {
          // Cancelled or failed part-way: free what this call reserved, so no allocation leaks.
          for (const shareNum of allocated) await this.#drop(storageIndex, shareNum);
          throw err;
        }
        this.#stats.capacityRefusals += refusedForCapacity;
        if (refusedByBrowser !== undefined) this.#stats.quotaRefusals++;
        if (allocated.length === 0 && alreadyHave.length === 0) {
          if (refusedForCapacity > 0) throw CapacityExceededError.forSizes(free, allocatedSize);
          if (refusedByBrowser !== undefined) throw refusedByBrowser;
        }
        return { alreadyHave, allocated };
      });
    });
  }

  async writeShare(storageIndex: Uint8Array, shareNum: number, offset: number, data: Uint8Array, opts: StorageOpts): Promise<void> {
    v.assertStorageIndex(storageIndex);
    v.assertShareNum(shareNum);
    v.assertOffset(offset);
    v.assertWriteData(data);
    await this.#start(opts);
    await this.#lock.run(bytesToHex(storageIndex), async () => {
      opts.signal.throwIfAborted();
      await this.#counted(this.#writers.write(storageIndex, shareNum, offset, data, this.#clock.now(), opts));
    });
  }

  async closeShare(storageIndex: Uint8Array, shareNum: number, opts: StorageOpts): Promise<void> {
    v.assertStorageIndex(storageIndex);
    v.assertShareNum(shareNum);
    await this.#start(opts);
    await this.#lock.run(bytesToHex(storageIndex), async () => {
      opts.signal.throwIfAborted();
      await this.#writers.assertPending(storageIndex, shareNum, opts);
      await this.#counted(this.#store.close(storageIndex, shareNum, opts));
      this.#writers.delete(storageIndex, shareNum);
    });
  }

  async abortShare(storageIndex: Uint8Array, shareNum: number, opts: StorageOpts): Promise<void> {
    v.assertStorageIndex(storageIndex);
    v.assertShareNum(shareNum);
    await this.#start(opts);
    await this.#lock.run(bytesToHex(storageIndex), async () => {
      opts.signal.throwIfAborted();
      await this.#writers.assertPending(storageIndex, shareNum, opts);
      await this.#drop(storageIndex, shareNum);
    });
  }

  async listShares(storageIndex: Uint8Array, opts: StorageOpts): Promise<number[]> {
    v.assertStorageIndex(storageIndex);
    await this.#start(opts);
    const shares = await this.#store.list(storageIndex, opts);
    return shares.filter((s) => s.state === 'closed').map((s) => s.shareNum);
  }

  async readShare(storageIndex: Uint8Array, shareNum: number, offset: number, length: number, opts: StorageOpts): Promise<Uint8Array> {
    v.assertStorageIndex(storageIndex);
    v.assertShareNum(shareNum);
    v.assertOffset(offset);
    v.assertReadLength(length);
    await this.#start(opts);
    // Every pending share in the store has a writer here (stale ones were discarded at start).
    if (this.#writers.has(storageIndex, shareNum)) {
      throw new ShareNotFoundError(`${shareLabel(storageIndex, shareNum)} is still being uploaded`);
    }
    return this.#store.read(storageIndex, shareNum, offset, length, opts);
  }

  async addLease(storageIndex: Uint8Array, renewSecret: Uint8Array, cancelSecret: Uint8Array, opts: StorageOpts): Promise<void> {
    v.assertStorageIndex(storageIndex);
    v.assertLeaseSecret(renewSecret, 'renewSecret');
    v.assertLeaseSecret(cancelSecret, 'cancelSecret');
    await this.#start(opts);
    await this.#lock.run(bytesToHex(storageIndex), async () => {
      opts.signal.throwIfAborted();
      const closed = (await this.#store.list(storageIndex, opts)).filter((s) => s.state === 'closed');
      if (closed.length === 0) throw new ShareNotFoundError(`no shares of storage index ${base32Encode(storageIndex)} here`);
      const expiresAt = this.#clock.now() + this.#leaseDurationMs;
      await renewLeases(this.#store, closed, { renewSecret, cancelSecret, expiresAt }, false, opts);
    });
  }

  async adviseCorruptShare(storageIndex: Uint8Array, shareNum: number, reason: string, opts: StorageOpts): Promise<void> {
    v.assertStorageIndex(storageIndex);
    v.assertShareNum(shareNum);
    v.assertReason(reason);
    await this.#start(opts);
    this.#stats.corruptReports++;
    await this.#lock.run(bytesToHex(storageIndex), async () => {
      const share = await this.#store.get(storageIndex, shareNum, opts);
      // As Tahoe, a report about a share not (or no longer) here is counted, not an error.
      if (share?.state !== 'closed') return;
      const mark = { reason, at: this.#clock.now() };
      await this.#store.markCorrupt(storageIndex, shareNum, mark, MAX_CORRUPT_MARKS_PER_SHARE, opts);
    });
  }

  /** Deletes closed shares whose every lease has run out (Tahoe's lease expirer, as one pass). */
  async collectExpired(opts: StorageOpts): Promise<{ shares: number; bytes: number }> {
    await this.#start(opts);
    const freed = await collectExpiredShares(this.#store, this.#lock, this.#clock.now(), opts);
    this.#stats.expiredShares += freed.shares;
    return freed;
  }

  /** Once per server: drop pending shares a previous page left (their uploaders are gone). */
  #start(opts: StorageOpts): Promise<void> {
    opts.signal.throwIfAborted();
    this.#started ??= this.#store.discardPending({ signal: NEVER }).then(
      () => undefined,
      (err: unknown) => {
        this.#started = undefined; // let the next call try again
        throw err;
      },
    );
    return this.#started;
  }

  /** Counts the browser's refusals as they pass. */
  async #counted(op: Promise<void>): Promise<void> {
    try {
      await op;
    } catch (err) {
      if (err instanceof StorageQuotaError) this.#stats.quotaRefusals++;
      throw err;
    }
  }

  /** Aborts a pending share whatever the caller's signal says (cleanup must not be cancelled). */
  /**
   * Frees the allocations of uploaders that went quiet (STALLED_UPLOAD_MS with no write): a peer
   * that allocates and then never writes or closes, while staying connected, must not hold the
   * node's space for ever. Runs in the capacity turn, before an allocation counts what is free.
   */
  async #reclaimStalled(): Promise<void> {
    for (const { storageIndex, shareNum } of this.#writers.idleSince(this.#clock.now() - STALLED_UPLOAD_MS)) {
      await this.#lock.run(bytesToHex(storageIndex), async () => {
        if (!this.#writers.has(storageIndex, shareNum)) return; // closed or aborted meanwhile
        await this.#drop(storageIndex, shareNum);
        this.#stats.stalledUploads++;
      });
    }
  }

  async #drop(storageIndex: Uint8Array, shareNum: number): Promise<void> {
    this.#writers.delete(storageIndex, shareNum);
    await this.#store.abort(storageIndex, shareNum, { signal: NEVER });
  }
}

/**
 * MutableSlotServer: a node's mutable slots over a SlotStore (Tahoe's storage/server.py
 * slot_readv and slot_testv_and_readv_and_writev, storage/mutable.py). Writes are test-and-set
 * under a per-slot lock, guarded by the write enabler recorded on the first write, counted
 * against the node's capacity before anything changes; leases and expiry as immutable shares.
 * @module
 */
import { base32Encode, bytesToHex, equalBytes, exactCopy } from '../bytes.js';
import { DEFAULT_CAPACITY_UNKNOWN_QUOTA_BYTES, LEASE_DURATION_MS, MAX_LEASES_PER_SHARE, MAX_SLOT_REQUEST_BYTES } from '../limits.js';
import { KeyedMutex } from './_mutex.js';
import * as v from './_slot-validate.js';
import { assertStorageIndex, assertLeaseSecret, assertReason } from './_validate.js';
import type { StorageOpts } from './api.js';
import { availableBytes } from './capacity.js';
import { NodeCapacity } from './node-capacity.js';
import { CapacityExceededError, StorageQuotaError, TooManyLeasesError } from './errors.js';
import { leasesExpired, renewOrAddLease } from './lease.js';
import type { MutableSlotApi, ReadVector, ShareTestAndWrite, SlotReadData, SlotSecrets, TestAndWriteResult } from './mutable-api.js';
import { BadWriteEnablerError, SlotNotFoundError, SlotRequestTooLargeError } from './mutable-errors.js';
import type { WallClock } from './share-store.js';
import { slotBytes, type SlotRecord, type SlotShare, type SlotStore } from './slot-store.js';

export interface MutableSlotServerComponents {
  store: SlotStore;
  /** Wall-clock time for lease expiry. */
  clock: WallClock;
  /**
   * Bytes held elsewhere on this node under the same capacity (its immutable shares); slots
   * may use only what is left. Default: none.
   */
  otherUsage?: { usedBytes(opts: StorageOpts): Promise<number> };
  /** The node's capacity, shared with its StorageServer; default: this server's own, from init.capacityBytes. */
  capacity?: NodeCapacity;
}

export interface MutableSlotServerInit {
  /** This node's id (for messages; the write enablers it is given are bound to it). */
  nodeId: string;
  /** The most bytes this node holds, slots and shares together. @default DEFAULT_CAPACITY_UNKNOWN_QUOTA_BYTES */
  capacityBytes?: number;
  /** @default LEASE_DURATION_MS (31 days) */
  leaseDurationMs?: number;
}

export interface MutableSlotServerStats {
  /** Test-and-set calls whose writes were applied. */
  writes: number;
  /** Test-and-set calls refused because a test vector did not match (another writer came first). */
  testFailures: number;
  /** Writes refused for a wrong write enabler. */
  badWriteEnablers: number;
  capacityRefusals: number;
  quotaRefusals: number;
  corruptReports: number;
  expiredSlots: number;
}

/** Internal cleanup that must finish even when the caller has gone. */
const NEVER = new AbortController().signal;
const EMPTY = new Uint8Array(0);

export class MutableSlotServer implements MutableSlotApi {
  readonly nodeId: string;
  readonly #store: SlotStore;
  readonly #clock: WallClock;
  readonly #other: MutableSlotServerComponents['otherUsage'];
  readonly #leaseDurationMs: number;
  readonly #lock = new KeyedMutex();
  readonly #stats: MutableSlotServerStats = { writes: 0, testFailures: 0, badWriteEnablers: 0, capacityRefusals: 0, quotaRefusals: 0, corruptReports: 0, expiredSlots: 0 };
  readonly #capacity: NodeCapacity;

  constructor(components: MutableSlotServerComponents, init: MutableSlotServerInit) {
    if (typeof init.nodeId !== 'string' || init.nodeId.length === 0) throw new TypeError('"nodeId" expected a non-empty string');
    this.nodeId = init.nodeId;
    this.#store = components.store;
    this.#clock = components.clock;
    this.#other = components.otherUsage;
    this.#capacity = components.capacity ?? new NodeCapacity(init.capacityBytes ?? DEFAULT_CAPACITY_UNKNOWN_QUOTA_BYTES);
    this.#leaseDurationMs = init.leaseDurationMs ?? LEASE_DURATION_MS;
  }

  get capacityBytes(): number {
    return this.#capacity.bytes;
  }

  /** Changes the capacity at once; lowering it deletes nothing, it only refuses growth. */
  setCapacity(bytes: number): void {
    this.#capacity.set(bytes);
  }

  stats(): MutableSlotServerStats {
    return { ...this.#stats };
  }

  /** Bytes of slot shares this node holds. */
  usedBytes(opts: StorageOpts): Promise<number> {
    return this.#store.usedBytes(opts);
  }

  async slotReadv(storageIndex: Uint8Array, shareNums: number[], readv: ReadVector[], opts: StorageOpts): Promise<SlotReadData> {
    assertStorageIndex(storageIndex);
    v.assertShareNums(shareNums);
    v.assertReadv(readv);
    opts.signal.throwIfAborted();
    const slot = await this.#store.get(storageIndex, opts);
    if (slot === undefined) return new Map();
    const wanted = shareNums.length === 0 ? undefined : new Set(shareNums);
    return readShares(slot.shares.filter((s) => wanted?.has(s.shareNum) ?? true), readv);
  }

  async slotTestvAndReadvAndWritev(
    storageIndex: Uint8Array,
    secrets: SlotSecrets,
    writes: Map<number, ShareTestAndWrite>,
    readv: ReadVector[],
    opts: StorageOpts,
  ): Promise<TestAndWriteResult> {
    assertStorageIndex(storageIndex);
    v.assertSecrets(secrets);
    v.assertWrites(writes);
    v.assertReadv(readv);
    return this.#lock.run(bytesToHex(storageIndex), async () => {
      opts.signal.throwIfAborted();
      const slot = await this.#store.get(storageIndex, opts);
      if (slot !== undefined && !equalBytes(slot.writeEnabler, secrets.writeEnabler)) {
        this.#stats.badWriteEnablers++;
        throw new BadWriteEnablerError(
          `the write enabler does not match the one recorded for slot ${base32Encode(storageIndex)} on node ${this.nodeId}: only the file's writers can change it`,
        );
      }
      const before = slot?.shares ?? [];
      const read = readShares(before, readv);
      const byNum = new Map(before.map((s) => [s.shareNum, s.data]));
      for (const [shareNum, w] of writes) {
        const data = byNum.get(shareNum) ?? EMPTY;
        if (!w.test.every((t) => equalBytes(data.subarray(t.offset, t.offset + t.length), t.specimen))) {
          this.#stats.testFailures++;
          return { written: false, read };
        }
      }
      const after = applyWrites(byNum, writes);
      const growth = slotBytes(after) - slotBytes(before);
      const commit = async (): Promise<void> => {
        opts.signal.throwIfAborted();
        if (after.length === 0) {
          if (slot !== undefined) await this.#store.delete(storageIndex, opts);
          return;
        }
        const expiresAt = this.#clock.now() + this.#leaseDurationMs;
        let leases = slot?.leases ?? [];
        try {
          leases = renewOrAddLease(leases, secrets.renewSecret, secrets.cancelSecret, expiresAt, MAX_LEASES_PER_SHARE);
        } catch (err) {
          if (!(err instanceof TooManyLeasesError)) throw err; // the slot stays held by its other leases
        }
        const record: SlotRecord = { storageIndex: exactCopy(storageIndex), writeEnabler: slot?.writeEnabler ?? exactCopy(secrets.writeEnabler), leases, shares: after };
        await this.#counted(this.#store.put(record, opts));
      };
      if (growth <= 0) await commit();
      else {
        // Growth is checked and stored in the node's one turn, as the StorageServer allocates.
        await this.#capacity.exclusive(async () => {
          const used = (await this.#store.usedBytes(opts)) + ((await this.#other?.usedBytes(opts)) ?? 0);
          const free = availableBytes(this.#capacity.bytes, used);
          if (growth > free) {
            this.#stats.capacityRefusals++;
            throw CapacityExceededError.forSizes(free, growth);
          }
          await commit();
        });
      }
      this.#stats.writes++;
      return { written: true, read };
    });
  }

  async addSlotLease(storageIndex: Uint8Array, renewSecret: Uint8Array, cancelSecret: Uint8Array, opts: StorageOpts): Promise<void> {
    assertStorageIndex(storageIndex);
    assertLeaseSecret(renewSecret, 'renewSecret');
    assertLeaseSecret(cancelSecret, 'cancelSecret');
    await this.#lock.run(bytesToHex(storageIndex), async () => {
      opts.signal.throwIfAborted();
      const slot = await this.#store.get(storageIndex, opts);
      if (slot === undefined) throw new SlotNotFoundError(`no slot of storage index ${base32Encode(storageIndex)} here`);
      const expiresAt = this.#clock.now() + this.#leaseDurationMs;
      const leases = renewOrAddLease(slot.leases, renewSecret, cancelSecret, expiresAt, MAX_LEASES_PER_SHARE);
      await this.#counted(this.#store.setLeases(storageIndex, leases, opts));
    });
  }

  async adviseCorruptSlotShare(storageIndex: Uint8Array, shareNum: number, reason: string, opts: StorageOpts): Promise<void> {
    assertStorageIndex(storageIndex);
    v.assertShareNum(shareNum);
    assertReason(reason);
    opts.signal.throwIfAborted();
    // Counted only: the next write by the file's writer replaces the share anyway.
    this.#stats.corruptReports++;
  }

  /** Deletes slots whose every lease has run out (Tahoe's lease expirer, one pass). */
  async collectExpired(opts: StorageOpts): Promise<{ slots: number; bytes: number }> {
    let slots = 0;
    let bytes = 0;
    const now = this.#clock.now();
    for (const candidate of await this.#store.listAll(opts)) {
      if (!leasesExpired(candidate.leases, now)) continue;
      await this.#lock.run(bytesToHex(candidate.storageIndex), async () => {
        const slot = await this.#store.get(candidate.storageIndex, opts); // renewed since the listing?
        if (slot === undefined || !leasesExpired(slot.leases, now)) return;
        await this.#store.delete(candidate.storageIndex, { signal: NEVER });
        slots++;
        bytes += slotBytes(slot.shares);
      });
    }
    this.#stats.expiredSlots += slots;
    return { slots, bytes };
  }

  async #counted(op: Promise<void>): Promise<void> {
    try {
      await op;
    } catch (err) {
      if (err instanceof StorageQuotaError) this.#stats.quotaRefusals++;
      throw err;
    }
  }
}

/** The read vectors applied to shares, bounded so the answer fits one rpc message. */
function readShares(shares: readonly SlotShare[], readv: readonly ReadVector[]): SlotReadData {
  const out: SlotReadData = new Map();
  let total = 0;
  for (const s of shares) {
    const parts = readv.map((r) => s.data.slice(r.offset, r.offset + r.length));
    for (const p of parts) total += 4 + p.length; // as mutable-wire.ts frames each part
    if (total > MAX_SLOT_REQUEST_BYTES) {
      throw new SlotRequestTooLargeError(`the read would return more than ${MAX_SLOT_REQUEST_BYTES} bytes: ask for fewer shares or shorter ranges`);
    }
    out.set(s.shareNum, parts);
  }
  return out;
}

/** The shares after the writes (Tahoe's order: grow to newLength, write, then shrink to it); 0 deletes. */
function applyWrites(current: ReadonlyMap<number, Uint8Array>, writes: ReadonlyMap<number, ShareTestAndWrite>): SlotShare[] {
  const next = new Map(current);
  for (const [shareNum, w] of writes) {
    const old = current.get(shareNum);
    if (old === undefined && w.write.length === 0 && !(w.newLength !== null && w.newLength > 0)) continue; // nothing to create
    let length = old?.length ?? 0;
    if (w.newLength !== null) length = Math.max(length, w.newLength);
    for (const wv of w.write) length = Math.max(length, wv.offset + wv.data.length);
    let data = new Uint8Array(length);
    if (old !== undefined) data.set(old.subarray(0, length));
    for (const wv of w.write) data.set(wv.data, wv.offset);
    if (w.newLength !== null && w.newLength < (old?.length ?? 0)) data = data.slice(0, w.newLength); // shrinking: after the writes
    if (w.newLength === 0) next.delete(shareNum);
    else next.set(shareNum, data);
  }
  return [...next].sort(([a], [b]) => a - b).map(([shareNum, data]) => ({ shareNum, data }));
}

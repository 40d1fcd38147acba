/**
 * The SlotStore port: what a storage node persists of mutable slots (Tahoe's storage/mutable.py
 * MutableShareFile: write enabler, leases, shares), one record per storage index. Implemented in
 * memory (tests) and in IndexedDB; both pass test/contracts/slot-store.contract.ts. The store
 * keeps bytes and records; policy (write enablers, tests, capacity, leases) is MutableSlotServer's.
 * Mutable shares are small (a whole SDMF file / k), so a slot is read and replaced whole.
 * @module
 */
import type { Lease, StoreOpts } from './share-store.js';

export interface SlotShare {
  shareNum: number;
  data: Uint8Array;
}

export interface SlotRecord {
  storageIndex: Uint8Array;
  /** Recorded from the first write; every later write must present it. */
  writeEnabler: Uint8Array;
  leases: Lease[];
  /** At least one share, ascending share numbers (a slot without shares is deleted). */
  shares: SlotShare[];
}

/** A slot without its bytes (for lease expiry and accounting). */
export interface SlotSummary {
  storageIndex: Uint8Array;
  leases: Lease[];
  shareNums: number[];
  /** Σ share lengths: what the slot counts against capacity. */
  bytes: number;
}

/**
 * Every method checks `opts.signal` before it starts and either completes or changes nothing.
 * Callers (MutableSlotServer, under its per-slot lock) validate; returned objects are the
 * caller's to keep, and stored ones are copies of what was given.
 */
export interface SlotStore {
  /** Σ share bytes over every slot; changes only when a change has committed. */
  usedBytes(opts: StoreOpts): Promise<number>;
  /** The whole slot, or undefined. */
  get(storageIndex: Uint8Array, opts: StoreOpts): Promise<SlotRecord | undefined>;
  /**
   * Creates or replaces a slot whole (write enabler, leases, shares): shares not in `slot` are
   * gone afterwards. @throws RangeError for a slot without shares; StorageQuotaError if the
   * browser refused (then nothing changed).
   */
  put(slot: SlotRecord, opts: StoreOpts): Promise<void>;
  /** Replaces a slot's leases. @throws SlotNotFoundError */
  setLeases(storageIndex: Uint8Array, leases: Lease[], opts: StoreOpts): Promise<void>;
  /** Deletes a slot and its shares. @throws SlotNotFoundError */
  delete(storageIndex: Uint8Array, opts: StoreOpts): Promise<void>;
  /** Every slot, without bytes, in no particular order. */
  listAll(opts: StoreOpts): Promise<SlotSummary[]>;
}

/** Bytes a slot counts against capacity: its share data (as immutable shares count theirs). */
export function slotBytes(shares: readonly SlotShare[]): number {
  let total = 0;
  for (const s of shares) total += s.data.length;
  return total;
}

/**
 * SlotStore in memory: for tests and the in-memory grid. Same behaviour as the IndexedDB store
 * (both pass test/contracts/slot-store.contract.ts), plus a fault hook so tests can make the
 * "browser" refuse a change the way IndexedDB refuses one over quota.
 * @module
 */
import { base32Encode, bytesToHex, exactCopy } from '../../core/bytes.js';
import { SlotNotFoundError } from '../../core/storage/mutable-errors.js';
import type { Lease, StoreOpts } from '../../core/storage/share-store.js';
import { slotBytes, type SlotRecord, type SlotStore, type SlotSummary } from '../../core/storage/slot-store.js';

export type MemorySlotStoreOp = 'put' | 'setLeases' | 'delete';

export interface MemorySlotStoreInit {
  /** Called before each change; whatever it throws is thrown by the operation, and nothing changes. */
  fault?: (op: MemorySlotStoreOp, storageIndex: Uint8Array) => void;
}

const copyLease = (l: Lease): Lease => ({ renewSecret: exactCopy(l.renewSecret), cancelSecret: exactCopy(l.cancelSecret), expiresAt: l.expiresAt });

function copySlot(s: SlotRecord): SlotRecord {
  return {
    storageIndex: exactCopy(s.storageIndex),
    writeEnabler: exactCopy(s.writeEnabler),
    leases: s.leases.map(copyLease),
    shares: s.shares.map((sh) => ({ shareNum: sh.shareNum, data: exactCopy(sh.data) })),
  };
}

export class MemorySlotStore implements SlotStore {
  readonly #slots = new Map<string, SlotRecord>();
  readonly #fault: MemorySlotStoreInit['fault'];
  #used = 0;

  constructor(init: MemorySlotStoreInit = {}) {
    this.#fault = init.fault;
  }

  async usedBytes(opts: StoreOpts): Promise<number> {
    opts.signal.throwIfAborted();
    return this.#used;
  }

  async get(storageIndex: Uint8Array, opts: StoreOpts): Promise<SlotRecord | undefined> {
    opts.signal.throwIfAborted();
    const slot = this.#slots.get(bytesToHex(storageIndex));
    return slot === undefined ? undefined : copySlot(slot);
  }

  async put(slot: SlotRecord, opts: StoreOpts): Promise<void> {
    opts.signal.throwIfAborted();
    if (slot.shares.length === 0) throw new RangeError('a slot without shares is deleted, not stored');
    const key = bytesToHex(slot.storageIndex);
    this.#fault?.('put', slot.storageIndex);
    const copy = copySlot(slot);
    copy.shares.sort((a, b) => a.shareNum - b.shareNum);
    const old = this.#slots.get(key);
    this.#slots.set(key, copy);
    this.#used += slotBytes(copy.shares) - (old === undefined ? 0 : slotBytes(old.shares));
  }

  async setLeases(storageIndex: Uint8Array, leases: Lease[], opts: StoreOpts): Promise<void> {
    opts.signal.throwIfAborted();
    const slot = this.#existing(storageIndex);
    this.#fault?.('setLeases', storageIndex);
    slot.leases = leases.map(copyLease);
  }

  async delete(storageIndex: Uint8Array, opts: StoreOpts): Promise<void> {
    opts.signal.throwIfAborted();
    const slot = this.#existing(storageIndex);
    this.#fault?.('delete', storageIndex);
    this.#slots.delete(bytesToHex(storageIndex));
    this.#used -= slotBytes(slot.shares);
  }

  async listAll(opts: StoreOpts): Promise<SlotSummary[]> {
    opts.signal.throwIfAborted();
    return [...this.#slots.values()].map((s) => ({
      storageIndex: exactCopy(s.storageIndex),
      leases: s.leases.map(copyLease),
      shareNums: s.shares.map((sh) => sh.shareNum),
      bytes: slotBytes(s.shares),
    }));
  }

  #existing(storageIndex: Uint8Array): SlotRecord {
    const slot = this.#slots.get(bytesToHex(storageIndex));
    if (slot === undefined) throw new SlotNotFoundError(`no slot of storage index ${base32Encode(storageIndex)} here`);
    return slot;
  }
}

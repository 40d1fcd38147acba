/**
 * MutableSlotApi: what a storage node answers about mutable slots, local or remote (Tahoe's
 * RIStorageServer.slot_readv and slot_testv_and_readv_and_writev, plus leases and corruption
 * reports for slots). A slot holds the shares one node keeps of one mutable file; a write is
 * applied only if every test vector matches the current contents, all of it or none of it.
 * MutableSlotServer implements it; mutableClient (mutable-wire.ts) does too.
 * @module
 */
import type { StorageOpts } from './api.js';

/** "The bytes [offset, offset + length) of the share equal `specimen`" (Tahoe's 'eq'; the only operator). */
export interface TestVector {
  offset: number;
  length: number;
  /**
   * Reads past the end are cut short and a missing share reads as empty, so
   * { offset: 0, length: 1, specimen: empty } asserts the share does not exist yet.
   */
  specimen: Uint8Array;
}

/** Bytes to write at an offset (a share grows as needed; a gap reads as zeros). */
export interface WriteVector {
  offset: number;
  data: Uint8Array;
}

export interface ReadVector {
  offset: number;
  length: number;
}

/** What to do to one share: the tests that must all pass, then the writes, then the new length. */
export interface ShareTestAndWrite {
  test: TestVector[];
  write: WriteVector[];
  /**
   * null: the length follows the writes. Otherwise the share's length afterwards (Tahoe: growing
   * applies before the writes, shrinking after them); 0 deletes the share.
   */
  newLength: number | null;
}

/** Tahoe's secrets tuple: the write enabler authorises changes, the lease secrets renew or cancel. */
export interface SlotSecrets {
  writeEnabler: Uint8Array;
  renewSecret: Uint8Array;
  cancelSecret: Uint8Array;
}

/** Share number → one Uint8Array per read vector, in the order asked. */
export type SlotReadData = Map<number, Uint8Array[]>;

export interface TestAndWriteResult {
  /** True if every test passed and the writes were applied; false if none was. */
  written: boolean;
  /** The read vectors applied to every share of the slot before any write (what the tests saw). */
  read: SlotReadData;
}

export interface MutableSlotApi {
  /** Reads `readv` from the listed shares of a slot (an empty list: every share). No slot: an empty map. */
  slotReadv(storageIndex: Uint8Array, shareNums: number[], readv: ReadVector[], opts: StorageOpts): Promise<SlotReadData>;
  /**
   * Tahoe's slot_testv_and_readv_and_writev. A slot that exists demands its write enabler
   * (BadWriteEnablerError otherwise); a new slot records the one given. On success the lease
   * with `renewSecret` is renewed or added. Growth past the node's capacity is refused whole
   * (CapacityExceededError) before anything changes.
   */
  slotTestvAndReadvAndWritev(
    storageIndex: Uint8Array,
    secrets: SlotSecrets,
    writes: Map<number, ShareTestAndWrite>,
    readv: ReadVector[],
    opts: StorageOpts,
  ): Promise<TestAndWriteResult>;
  /** Renews (same renew secret) or adds a lease on a slot. @throws SlotNotFoundError */
  addSlotLease(storageIndex: Uint8Array, renewSecret: Uint8Array, cancelSecret: Uint8Array, opts: StorageOpts): Promise<void>;
  /** Records that a client found a slot's share corrupt (counted; the share stays). */
  adviseCorruptSlotShare(storageIndex: Uint8Array, shareNum: number, reason: string, opts: StorageOpts): Promise<void>;
}

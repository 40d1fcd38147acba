/**
 * SlotStore in IndexedDB (the port is core/storage/slot-store.ts): one record per slot (write
 * enabler, leases, share sizes) and one record per share's bytes, keyed by node so one database
 * holds many nodes. Every change is one transaction; usedBytes moves only after it committed, so
 * a refusal (QuotaExceededError → StorageQuotaError) leaves the accounting as it was.
 * Its two object stores are in GridDB since migration 2 (SlotDBStores below).
 * @module
 */
import type { DBSchema, IDBPDatabase } from 'idb';
import { base32Encode, bytesToHex, exactCopy, hexToBytes } from '../../core/bytes.js';
import { SlotNotFoundError } from '../../core/storage/mutable-errors.js';
import type { Lease, StoreOpts } from '../../core/storage/share-store.js';
import type { SlotRecord, SlotStore, SlotSummary } from '../../core/storage/slot-store.js';
import { commit, copyLease } from './_records.js';
import { checkRecord, type GridDB, type LeaseRecord } from './schema.js';

/** A slot's record. Key: [nodeId, storage index hex]. */
export interface SlotMetaRecord {
  v: 1;
  writeEnabler: Uint8Array;
  leases: LeaseRecord[];
  /** [share number, bytes] of each share, ascending. */
  shares: [number, number][];
}

/** One share's bytes. Key: [nodeId, storage index hex, share number]. */
export interface SlotShareRecord {
  v: 1;
  data: Uint8Array;
}

/** The object stores this adapter uses in GridDB (schema.ts adds them in migration 2). */
export interface SlotDBStores extends DBSchema {
  slots: { key: [string, string]; value: SlotMetaRecord };
  slotShares: { key: [string, string, number]; value: SlotShareRecord };
}

const slotRange = (nodeId: string): IDBKeyRange => IDBKeyRange.bound([nodeId], [nodeId, []]);
const sharesOf = (nodeId: string, siHex: string): IDBKeyRange => IDBKeyRange.bound([nodeId, siHex, 0], [nodeId, siHex, Infinity]);
const sumBytes = (rec: SlotMetaRecord): number => rec.shares.reduce((n, [, size]) => n + size, 0);

export class IdbSlotStore implements SlotStore {
  readonly #db: IDBPDatabase<GridDB>;
  readonly #node: string;
  #used = 0;

  /** Opens the slot store of one node, counting what it holds. */
  static async open(db: IDBPDatabase<GridDB>, init: { nodeId: string }, opts: StoreOpts): Promise<IdbSlotStore> {
    opts.signal.throwIfAborted();
    if (typeof init.nodeId !== 'string' || init.nodeId.length === 0) throw new TypeError('"nodeId" expected a non-empty string');
    const store = new IdbSlotStore(db, init.nodeId);
    for (const rec of await db.getAll('slots', slotRange(init.nodeId))) store.#used += sumBytes(checkRecord(rec, 'slot'));
    return store;
  }

  private constructor(db: IDBPDatabase<GridDB>, nodeId: string) {
    this.#db = db;
    this.#node = nodeId;
  }

  async usedBytes(opts: StoreOpts): Promise<number> {
    opts.signal.throwIfAborted();
    return this.#used;
  }

  async get(storageIndex: Uint8Array, opts: StoreOpts): Promise<SlotRecord | undefined> {
    opts.signal.throwIfAborted();
    const siHex = bytesToHex(storageIndex);
    const tx = this.#db.transaction(['slots', 'slotShares']);
    const [rec, keys, values] = await Promise.all([
      tx.objectStore('slots').get([this.#node, siHex]),
      tx.objectStore('slotShares').getAllKeys(sharesOf(this.#node, siHex)),
      tx.objectStore('slotShares').getAll(sharesOf(this.#node, siHex)),
    ]);
    if (rec === undefined) return undefined;
    checkRecord(rec, 'slot');
    const data = new Map(keys.map((k, i) => [k[2], checkRecord(values[i]!, 'slot share').data]));
    return {
      storageIndex: exactCopy(storageIndex),
      writeEnabler: exactCopy(rec.writeEnabler),
      leases: rec.leases.map(copyLease),
      shares: rec.shares.map(([shareNum, size]) => {
        const bytes = data.get(shareNum);
        if (bytes === undefined || bytes.length !== size) throw new SlotNotFoundError(`share ${shareNum} of slot ${base32Encode(storageIndex)} is missing from the database`);
        return { shareNum, data: bytes };
      }),
    };
  }

  async put(slot: SlotRecord, opts: StoreOpts): Promise<void> {
    opts.signal.throwIfAborted();
    if (slot.shares.length === 0) throw new RangeError('a slot without shares is deleted, not stored');
    const siHex = bytesToHex(slot.storageIndex);
    const shares = [...slot.shares].sort((a, b) => a.shareNum - b.shareNum);
    const rec: SlotMetaRecord = {
      v: 1,
      writeEnabler: exactCopy(slot.writeEnabler),
      leases: slot.leases.map(copyLease),
      shares: shares.map((s) => [s.shareNum, s.data.length]),
    };
    const tx = this.#db.transaction(['slots', 'slotShares'], 'readwrite');
    const slots = tx.objectStore('slots');
    const data = tx.objectStore('slotShares');
    const old = await slots.get([this.#node, siHex]);
    const requests: Array<Promise<unknown>> = [data.delete(sharesOf(this.#node, siHex))];
    for (const s of shares) requests.push(data.put({ v: 1, data: exactCopy(s.data) }, [this.#node, siHex, s.shareNum]));
    requests.push(slots.put(rec, [this.#node, siHex]));
    await commit(requests, tx);
    this.#used += sumBytes(rec) - (old === undefined ? 0 : sumBytes(old));
  }

  async setLeases(storageIndex: Uint8Array, leases: Lease[], opts: StoreOpts): Promise<void> {
    opts.signal.throwIfAborted();
    const key: [string, string] = [this.#node, bytesToHex(storageIndex)];
    const tx = this.#db.transaction('slots', 'readwrite');
    const rec = await tx.store.get(key);
    if (rec === undefined) throw new SlotNotFoundError(`no slot of storage index ${base32Encode(storageIndex)} here`);
    await commit([tx.store.put({ ...checkRecord(rec, 'slot'), leases: leases.map(copyLease) }, key)], tx);
  }

  async delete(storageIndex: Uint8Array, opts: StoreOpts): Promise<void> {
    opts.signal.throwIfAborted();
    const siHex = bytesToHex(storageIndex);
    const tx = this.#db.transaction(['slots', 'slotShares'], 'readwrite');
    const rec = await tx.objectStore('slots').get([this.#node, siHex]);
    if (rec === undefined) throw new SlotNotFoundError(`no slot of storage index ${base32Encode(storageIndex)} here`);
    await commit([tx.objectStore('slotShares').delete(sharesOf(this.#node, siHex)), tx.objectStore('slots').delete([this.#node, siHex])], tx);
    this.#used -= sumBytes(checkRecord(rec, 'slot'));
  }

  async listAll(opts: StoreOpts): Promise<SlotSummary[]> {
    opts.signal.throwIfAborted();
    const tx = this.#db.transaction('slots');
    const [keys, recs] = await Promise.all([tx.store.getAllKeys(slotRange(this.#node)), tx.store.getAll(slotRange(this.#node))]);
    return recs.map((rec, i) => {
      checkRecord(rec, 'slot');
      return { storageIndex: hexToBytes(keys[i]![1]), leases: rec.leases.map(copyLease), shareNums: rec.shares.map(([n]) => n), bytes: sumBytes(rec) };
    });
  }
}

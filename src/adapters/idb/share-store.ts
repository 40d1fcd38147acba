/**
 * ShareStore in IndexedDB (the port is core/storage/share-store.ts; schema in schema.ts). A share
 * is one record plus its bytes in records of up to 1 MiB; writes of a pending share are buffered
 * and written several records per transaction (_pending-share.ts). Every change is one
 * transaction, and usedBytes moves only after it committed, so a refusal (QuotaExceededError →
 * StorageQuotaError) leaves the accounting as it was.
 * @module
 */
import type { IDBPDatabase } from 'idb';
import { bytesToHex } from '../../core/bytes.js';
import { KeyedMutex } from '../../core/storage/_mutex.js';
import { countedBytes } from '../../core/storage/capacity.js';
import {
  ShareAlreadyClosedError,
  ShareExistsError,
  shareLabel,
  ShareNotAllocatedError,
  ShareNotFoundError,
  WriteOutOfBoundsError,
} from '../../core/storage/errors.js';
import type { CorruptMark, Lease, ShareInfo, ShareStore, StoreOpts } from '../../core/storage/share-store.js';
import { PendingShare } from './_pending-share.js';
import { assemble, commit, copyLease, dataKey, dataRange, dataSpan, nodeRange, readRecords, type ShareKey, shareInfo, storageIndexRange } from './_records.js';
import { checkRecord, type GridDB, type ShareRecord } from './schema.js';

/** Bytes per data record: 1 MiB values write fastest (NOTES.md). */
export const IDB_SHARE_RECORD_BYTES = 1024 * 1024;

export interface IdbShareStoreInit {
  /** The node whose shares these are (keys start with it; one database holds many nodes). */
  nodeId: string;
  /** Bytes per data record of new shares. @default IDB_SHARE_RECORD_BYTES */
  recordBytes?: number;
  /** Buffered bytes of one pending share that make the next write flush first. @default 8 MiB */
  flushBytes?: number;
  /** Buffered bytes over all pending shares above which all are flushed. @default 64 MiB */
  maxBufferedBytes?: number;
}

export class IdbShareStore implements ShareStore {
  readonly #db: IDBPDatabase<GridDB>;
  readonly #node: string;
  readonly #recordBytes: number;
  readonly #flushBytes: number;
  readonly #maxBuffered: number;
  readonly #lock = new KeyedMutex();
  readonly #pending = new Map<string, PendingShare>();
  #used = 0;
  /** What each share record adds to #used, by "siHex/shareNum": so a record found missing can be taken out. */
  readonly #counted = new Map<string, number>();

  /** Opens the store of one node, counting what it holds. */
  static async open(db: IDBPDatabase<GridDB>, init: IdbShareStoreInit, opts: StoreOpts): Promise<IdbShareStore> {
    opts.signal.throwIfAborted();
    const store = new IdbShareStore(db, init);
    const [keys, recs] = await Promise.all([db.getAllKeys('shares', nodeRange(init.nodeId)), db.getAll('shares', nodeRange(init.nodeId))]);
    recs.forEach((rec, j) => store.#count(`${keys[j]![1]}/${keys[j]![2]}`, countedBytes(checkRecord(rec, 'share'))));
    return store;
  }

  private constructor(db: IDBPDatabase<GridDB>, init: IdbShareStoreInit) {
    if (typeof init.nodeId !== 'string' || init.nodeId.length === 0) throw new TypeError('"nodeId" expected a non-empty string');
    this.#db = db;
    this.#node = init.nodeId;
    this.#recordBytes = init.recordBytes ?? IDB_SHARE_RECORD_BYTES;
    this.#flushBytes = init.flushBytes ?? 8 * 1024 * 1024;
    this.#maxBuffered = init.maxBufferedBytes ?? 64 * 1024 * 1024;
  }

  async usedBytes(opts: StoreOpts): Promise<number> {
    opts.signal.throwIfAborted();
    return this.#used;
  }

  async createPending(si: Uint8Array, shareNum: number, allocatedSize: number, lease: Lease, opts: StoreOpts): Promise<void> {
    opts.signal.throwIfAborted();
    const siHex = bytesToHex(si);
    await this.#lock.run(`${siHex}/${shareNum}`, async () => {
      const key = this.#key(siHex, shareNum);
      const tx = this.#db.transaction('shares', 'readwrite');
      if ((await tx.store.get(key)) !== undefined) throw new ShareExistsError(`${shareLabel(si, shareNum)} already exists`);
      const rec: ShareRecord = { v: 1, state: 'pending', allocatedSize, size: 0, chunkBytes: this.#recordBytes, leases: [copyLease(lease)], corrupt: [] };
      await commit([tx.store.put(rec, key)], tx);
      this.#count(`${siHex}/${shareNum}`, allocatedSize);
      this.#pending.set(`${siHex}/${shareNum}`, new PendingShare(siHex, shareNum, allocatedSize, this.#recordBytes, null));
    });
  }

  async write(si: Uint8Array, shareNum: number, offset: number, data: Uint8Array, opts: StoreOpts): Promise<void> {
    opts.signal.throwIfAborted();
    const siHex = bytesToHex(si);
    await this.#lock.run(`${siHex}/${shareNum}`, async () => {
      const p = await this.#pendingFor(si, siHex, shareNum);
      const end = offset + data.length;
      if (end > p.allocatedSize) {
        throw new WriteOutOfBoundsError(
          `a write of ${data.length} bytes at offset ${offset} ends at ${end}, past the ${p.allocatedSize} bytes allocated for ${shareLabel(si, shareNum)}`,
        );
      }
      if (data.length === 0) return;
      // Everything that can fail happens before the bytes are applied: a write applies whole or not at all.
      if (p.dirtyBytes > 0 && p.dirtyBytes + data.length > this.#flushBytes) await this.#flush(p);
      const load = p.toLoad(offset, end);
      if (load.length > 0) {
        const stored = await readRecords(this.#db, [this.#node, siHex, shareNum], load[0]!, load.at(-1)!);
        for (const i of load) p.adopt(i, stored.get(i));
      }
      p.apply(offset, data);
    });
    let buffered = 0;
    for (const p of this.#pending.values()) buffered += p.dirtyBytes;
    if (buffered > this.#maxBuffered) await this.#flushAll();
  }

  async close(si: Uint8Array, shareNum: number, opts: StoreOpts): Promise<void> {
    opts.signal.throwIfAborted();
    const siHex = bytesToHex(si);
    await this.#lock.run(`${siHex}/${shareNum}`, async () => {
      const p = await this.#pendingFor(si, siHex, shareNum);
      const key = this.#key(siHex, shareNum);
      const records = p.dirtyRecords(true);
      const tx = this.#db.transaction(['shares', 'shareData'], 'readwrite');
      const shares = tx.objectStore('shares');
      const rec = await shares.get(key);
      if (rec === undefined) throw new ShareNotAllocatedError(`${shareLabel(si, shareNum)} was not allocated here`);
      const data = tx.objectStore('shareData');
      const requests: Array<Promise<unknown>> = records.map(([i, bytes]) => data.put({ v: 1, data: bytes }, dataKey(key, i)));
      requests.push(shares.put({ ...checkRecord(rec, 'share'), state: 'closed', size: p.size }, key));
      await commit(requests, tx);
      p.dead = true;
      this.#pending.delete(`${siHex}/${shareNum}`);
      this.#count(`${siHex}/${shareNum}`, p.size);
    });
  }

  async abort(si: Uint8Array, shareNum: number, opts: StoreOpts): Promise<void> {
    opts.signal.throwIfAborted();
    const siHex = bytesToHex(si);
    await this.#lock.run(`${siHex}/${shareNum}`, async () => {
      const p = await this.#pendingFor(si, siHex, shareNum);
      await this.#remove(siHex, shareNum);
      p.dead = true;
      this.#pending.delete(`${siHex}/${shareNum}`);
      this.#count(`${siHex}/${shareNum}`, undefined);
    });
  }

  async read(si: Uint8Array, shareNum: number, offset: number, length: number, opts: StoreOpts): Promise<Uint8Array> {
    opts.signal.throwIfAborted();
    const siHex = bytesToHex(si);
    const k = `${siHex}/${shareNum}`;
    if (!this.#pending.has(k)) {
      const tx = this.#db.transaction(['shares', 'shareData']);
      const rec = await tx.objectStore('shares').get(this.#key(siHex, shareNum));
      if (rec === undefined) {
        // Its record deleted behind the node's back (IndexedDB cleared or edited): stop counting it.
        this.#count(k, undefined);
        throw new ShareNotFoundError(`no ${shareLabel(si, shareNum)} here`);
      }
      if (checkRecord(rec, 'share').state === 'closed') {
        const [start, end] = [Math.min(offset, rec.size), Math.min(offset + length, rec.size)];
        if (end <= start) return new Uint8Array(0);
        const [first, last] = [Math.floor(start / rec.chunkBytes), Math.floor((end - 1) / rec.chunkBytes)];
        const store = tx.objectStore('shareData');
        const range = dataSpan(this.#node, siHex, shareNum, first, last);
        const [keys, values] = await Promise.all([store.getAllKeys(range), store.getAll(range)]);
        const stored = new Map(keys.map((key, j) => [key[3], checkRecord(values[j]!, 'share data').data]));
        return assemble(start, end, rec.chunkBytes, (i) => stored.get(i));
      }
    }
    // A pending share: its newest bytes may be in memory, so read under its lock.
    const bytes = await this.#lock.run(k, async () => {
      let p: PendingShare;
      try {
        p = await this.#pendingFor(si, siHex, shareNum);
      } catch (err) {
        if (err instanceof ShareAlreadyClosedError) return undefined; // closed meanwhile: read it as such
        if (err instanceof ShareNotAllocatedError) throw new ShareNotFoundError(`no ${shareLabel(si, shareNum)} here`);
        throw err;
      }
      const [start, end] = [Math.min(offset, p.size), Math.min(offset + length, p.size)];
      const need = p.records(start, end).filter((i) => p.cached(i) === undefined && p.mayBeStored(i));
      const stored = need.length > 0 ? await readRecords(this.#db, [this.#node, siHex, shareNum], need[0]!, need.at(-1)!) : new Map<number, Uint8Array>();
      return assemble(start, end, p.chunkBytes, (i) => p.cached(i) ?? stored.get(i));
    });
    return bytes ?? this.read(si, shareNum, offset, length, opts);
  }

  async get(si: Uint8Array, shareNum: number, opts: StoreOpts): Promise<ShareInfo | undefined> {
    opts.signal.throwIfAborted();
    const siHex = bytesToHex(si);
    const rec = await this.#db.get('shares', this.#key(siHex, shareNum));
    return rec === undefined ? undefined : shareInfo(siHex, shareNum, rec, this.#pending.get(`${siHex}/${shareNum}`)?.size);
  }

  async list(si: Uint8Array, opts: StoreOpts): Promise<ShareInfo[]> {
    opts.signal.throwIfAborted();
    return this.#infos(storageIndexRange(this.#node, bytesToHex(si)));
  }

  async listAll(opts: StoreOpts): Promise<ShareInfo[]> {
    opts.signal.throwIfAborted();
    return this.#infos(nodeRange(this.#node));
  }

  async delete(si: Uint8Array, shareNum: number, opts: StoreOpts): Promise<void> {
    opts.signal.throwIfAborted();
    const siHex = bytesToHex(si);
    await this.#lock.run(`${siHex}/${shareNum}`, async () => {
      const rec = await this.#db.get('shares', this.#key(siHex, shareNum));
      if (rec === undefined) throw new ShareNotFoundError(`no ${shareLabel(si, shareNum)} here`);
      await this.#remove(siHex, shareNum);
      const p = this.#pending.get(`${siHex}/${shareNum}`);
      if (p !== undefined) p.dead = true;
      this.#pending.delete(`${siHex}/${shareNum}`);
      checkRecord(rec, 'share');
      this.#count(`${siHex}/${shareNum}`, undefined);
    });
  }

  async setLeases(si: Uint8Array, shareNum: number, leases: Lease[], opts: StoreOpts): Promise<void> {
    await this.#update(si, shareNum, opts, (rec) => ({ ...rec, leases: leases.map(copyLease) }));
  }

  async markCorrupt(si: Uint8Array, shareNum: number, mark: CorruptMark, keep: number, opts: StoreOpts): Promise<void> {
    await this.#update(si, shareNum, opts, (rec) => ({ ...rec, corrupt: [...rec.corrupt, { reason: mark.reason, at: mark.at }].slice(-keep) }));
  }

  async discardPending(opts: StoreOpts): Promise<number> {
    opts.signal.throwIfAborted();
    for (const p of this.#pending.values()) p.dead = true; // no flush may write for them from now on
    this.#pending.clear();
    const tx = this.#db.transaction(['shares', 'shareData'], 'readwrite');
    const shares = tx.objectStore('shares');
    const [keys, recs] = await Promise.all([shares.getAllKeys(nodeRange(this.#node)), shares.getAll(nodeRange(this.#node))]);
    const requests: Array<Promise<unknown>> = [];
    const freed: string[] = [];
    recs.forEach((rec, j) => {
      if (checkRecord(rec, 'share').state !== 'pending') return;
      const [, siHex, shareNum] = keys[j]!;
      requests.push(tx.objectStore('shareData').delete(dataRange(this.#node, siHex, shareNum)), shares.delete(keys[j]!));
      freed.push(`${siHex}/${shareNum}`);
    });
    await commit(requests, tx);
    for (const k of freed) this.#count(k, undefined);
    return requests.length / 2;
  }

  /** Sets what the share "siHex/shareNum" adds to the used bytes (undefined: nothing, it is gone). */
  #count(share: string, bytes: number | undefined): void {
    this.#used -= this.#counted.get(share) ?? 0;
    if (bytes === undefined) this.#counted.delete(share);
    else {
      this.#counted.set(share, bytes);
      this.#used += bytes;
    }
  }

  #key(siHex: string, shareNum: number): ShareKey {
    return [this.#node, siHex, shareNum];
  }

  /** The pending share's buffer (made on first use after a reload), or why it cannot change. */
  async #pendingFor(si: Uint8Array, siHex: string, shareNum: number): Promise<PendingShare> {
    const p = this.#pending.get(`${siHex}/${shareNum}`);
    if (p !== undefined) return p;
    const rec = await this.#db.get('shares', this.#key(siHex, shareNum));
    if (rec === undefined) throw new ShareNotAllocatedError(`${shareLabel(si, shareNum)} was not allocated here`);
    if (checkRecord(rec, 'share').state === 'closed') throw new ShareAlreadyClosedError(`${shareLabel(si, shareNum)} is closed and cannot change`);
    const resumed = new PendingShare(siHex, shareNum, rec.allocatedSize, rec.chunkBytes, { size: rec.size });
    this.#pending.set(`${siHex}/${shareNum}`, resumed);
    return resumed;
  }

  /** Writes a pending share's buffered records in one transaction (with its size, for a reload). */
  async #flush(p: PendingShare): Promise<void> {
    if (p.dead) return;
    const records = p.dirtyRecords(false);
    if (records.length === 0) return;
    const key = this.#key(p.siHex, p.shareNum);
    const tx = this.#db.transaction(['shares', 'shareData'], 'readwrite', { durability: 'relaxed' });
    const rec = await tx.objectStore('shares').get(key);
    if (rec === undefined) return; // deleted meanwhile: nothing to keep
    const data = tx.objectStore('shareData');
    const requests: Array<Promise<unknown>> = records.map(([i, bytes]) => data.put({ v: 1, data: bytes }, dataKey(key, i)));
    requests.push(tx.objectStore('shares').put({ ...rec, size: p.size }, key));
    await commit(requests, tx);
    p.flushed(records.map(([i]) => i));
  }

  /** Flushes every pending share (memory pressure); a failure stays buffered for close to report. */
  async #flushAll(): Promise<void> {
    for (const [k, p] of [...this.#pending]) {
      if (p.dirtyBytes > 0) await this.#lock.run(k, () => this.#flush(p)).catch(() => undefined);
    }
  }

  async #remove(siHex: string, shareNum: number): Promise<void> {
    const tx = this.#db.transaction(['shares', 'shareData'], 'readwrite');
    await commit([tx.objectStore('shareData').delete(dataRange(this.#node, siHex, shareNum)), tx.objectStore('shares').delete(this.#key(siHex, shareNum))], tx);
  }

  async #update(si: Uint8Array, shareNum: number, opts: StoreOpts, change: (rec: ShareRecord) => ShareRecord): Promise<void> {
    opts.signal.throwIfAborted();
    const siHex = bytesToHex(si);
    await this.#lock.run(`${siHex}/${shareNum}`, async () => {
      const key = this.#key(siHex, shareNum);
      const tx = this.#db.transaction('shares', 'readwrite');
      const rec = await tx.store.get(key);
      if (rec === undefined) throw new ShareNotFoundError(`no ${shareLabel(si, shareNum)} here`);
      await commit([tx.store.put(change(checkRecord(rec, 'share')), key)], tx);
    });
  }

  async #infos(range: IDBKeyRange): Promise<ShareInfo[]> {
    const tx = this.#db.transaction('shares');
    const [keys, recs] = await Promise.all([tx.store.getAllKeys(range), tx.store.getAll(range)]);
    return recs.map((rec, j) => shareInfo(keys[j]![1], keys[j]![2], rec, this.#pending.get(`${keys[j]![1]}/${keys[j]![2]}`)?.size));
  }

}

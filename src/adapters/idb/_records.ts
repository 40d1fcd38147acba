/**
 * Records of the IndexedDB share store: keys, key ranges, commits, reading and assembling. Share records are keyed
 * [nodeId, storage index hex, share number], their data [nodeId, storage index hex, share number,
 * record index], so one node's shares, one storage index and one share are each a key range.
 * @module
 */
import type { IDBPDatabase } from 'idb';
import { exactCopy, hexToBytes } from '../../core/bytes.js';
import { StorageQuotaError } from '../../core/storage/errors.js';
import type { Lease, ShareInfo } from '../../core/storage/share-store.js';
import { checkRecord, type GridDB, type ShareRecord } from './schema.js';

export type ShareKey = [string, string, number];
export type DataKey = [string, string, number, number];

/** The key of one data record of a share. */
export function dataKey(share: ShareKey, index: number): DataKey {
  return [share[0], share[1], share[2], index];
}

/** All data records of one share. */
export function dataRange(nodeId: string, siHex: string, shareNum: number): IDBKeyRange {
  return IDBKeyRange.bound([nodeId, siHex, shareNum, 0], [nodeId, siHex, shareNum, Infinity]);
}

/** Data records first..last (inclusive) of one share. */
export function dataSpan(nodeId: string, siHex: string, shareNum: number, first: number, last: number): IDBKeyRange {
  return IDBKeyRange.bound([nodeId, siHex, shareNum, first], [nodeId, siHex, shareNum, last]);
}

/** All share records of one storage index. */
export function storageIndexRange(nodeId: string, siHex: string): IDBKeyRange {
  return IDBKeyRange.bound([nodeId, siHex, 0], [nodeId, siHex, Infinity]);
}

/** All share records of one node (arrays sort after strings and numbers, so [nodeId, []] is past them all). */
export function nodeRange(nodeId: string): IDBKeyRange {
  return IDBKeyRange.bound([nodeId], [nodeId, []]);
}

/**
 * Awaits every request of a write transaction and its commit (idb: `Promise.all([...puts,
 * tx.done])`, so no rejection is left unhandled). The browser's QuotaExceededError, from a request
 * or from the commit, becomes StorageQuotaError; the transaction is then rolled back whole.
 */
export async function commit(requests: Array<Promise<unknown>>, tx: { done: Promise<void>; error: DOMException | null }): Promise<void> {
  try {
    await Promise.all([...requests, tx.done]);
  } catch (err) {
    if (isQuotaError(err) || isQuotaError(txError(tx))) {
      throw new StorageQuotaError('the browser refused to store more for this site: its storage quota is full', { cause: err });
    }
    throw err;
  }
}

/** Older engines throw when `error` is read before the transaction finished. */
function txError(tx: { error: DOMException | null }): unknown {
  try {
    return tx.error;
  } catch {
    return null;
  }
}

function isQuotaError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'QuotaExceededError';
}

/** Data records first..last of one share that exist, by record index (one read-only transaction). */
export async function readRecords(db: IDBPDatabase<GridDB>, share: ShareKey, first: number, last: number): Promise<Map<number, Uint8Array>> {
  const tx = db.transaction('shareData');
  const range = dataSpan(share[0], share[1], share[2], first, last);
  const [keys, values] = await Promise.all([tx.store.getAllKeys(range), tx.store.getAll(range)]);
  return new Map(keys.map((key, j) => [key[3], checkRecord(values[j]!, 'share data').data]));
}

/** Bytes [start, end) of a share from its records (missing ones are zeros). */
export function assemble(start: number, end: number, chunkBytes: number, recordAt: (i: number) => Uint8Array | undefined): Uint8Array {
  const out = new Uint8Array(Math.max(0, end - start));
  if (end <= start) return out;
  for (let i = Math.floor(start / chunkBytes); i <= Math.floor((end - 1) / chunkBytes); i++) {
    const bytes = recordAt(i);
    if (bytes === undefined) continue;
    const from = i * chunkBytes;
    const [s, e] = [Math.max(start, from), Math.min(end, from + bytes.length)];
    if (e > s) out.set(bytes.subarray(s - from, e - from), s - start);
  }
  return out;
}

export function copyLease(l: Lease): Lease {
  return { renewSecret: exactCopy(l.renewSecret), cancelSecret: exactCopy(l.cancelSecret), expiresAt: l.expiresAt };
}

/** A share record as core's ShareInfo; `bufferedSize` is the in-memory size of a pending share. */
export function shareInfo(siHex: string, shareNum: number, rec: ShareRecord, bufferedSize: number | undefined): ShareInfo {
  checkRecord(rec, 'share');
  return {
    storageIndex: hexToBytes(siHex),
    shareNum,
    state: rec.state,
    allocatedSize: rec.allocatedSize,
    size: bufferedSize ?? rec.size,
    leases: rec.leases.map(copyLease),
    corrupt: rec.corrupt.map((m) => ({ reason: m.reason, at: m.at })),
  };
}

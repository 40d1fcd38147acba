/**
 * The durability database ('bric-durability', apart from GridDB so its schema stays untouched):
 * the caps this person keeps alive in each grid (the repair list, which survives reloads) and
 * the uploads still under way (resumable upload: the File itself, stored by Chromium's IndexedDB).
 * Every record carries `v`, its format version. One connection per tab, opened on first use.
 * @module
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

export const DURABILITY_DB_NAME = 'bric-durability';
const DURABILITY_DB_VERSION = 1;

/** One file this person keeps alive in one grid. Key: `${room} ${storageIndex}`. */
export interface KeptCapRecord {
  v: 1;
  room: string;
  /** Base32, as the RepairScheduler names files. */
  storageIndex: string;
  /** The readcap text (a verify cap would do for repair; the read cap lets the files list restore). */
  cap: string;
  addedAt: number;
}

/** An upload not finished yet. Key: its id. */
export interface PendingUploadRecord {
  v: 1;
  id: string;
  room: string;
  /** The chosen file (a Blob in IndexedDB: Chromium keeps its bytes). */
  file: File;
  name: string;
  size: number;
  startedAt: number;
  /** Base32 storage index, once known (convergent keys make it the same on every attempt). */
  storageIndex?: string;
  /** Share numbers confirmed closed on some server, so far. */
  closedShares: number[];
  /** Attempts started (the first one included). */
  attempts: number;
  /**
   * The encoding of the first attempt: later ones must use it too, since k, N and the segment
   * size go into the convergent key (other settings would name another file).
   */
  encoding?: { k: number; happy: number; n: number; segmentSize: number };
}

interface DurabilityDB extends DBSchema {
  caps: { key: string; value: KeptCapRecord; indexes: { room: string } };
  uploads: { key: string; value: PendingUploadRecord; indexes: { room: string } };
}

export type DurabilityDatabase = IDBPDatabase<DurabilityDB>;

let opening: Promise<DurabilityDatabase> | undefined;

/** This tab's connection to the durability database. */
export function openDurabilityDB(): Promise<DurabilityDatabase> {
  opening ??= openDB<DurabilityDB>(DURABILITY_DB_NAME, DURABILITY_DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) {
        db.createObjectStore('caps').createIndex('room', 'room');
        db.createObjectStore('uploads', { keyPath: 'id' }).createIndex('room', 'room');
      }
    },
    blocking() {
      // A newer bric wants to upgrade: let it (this tab reopens on its next use).
      void opening?.then((db) => db.close());
      opening = undefined;
    },
    terminated() {
      opening = undefined;
    },
  }).catch((error: unknown) => {
    opening = undefined;
    throw error;
  });
  return opening;
}

const capKey = (room: string, storageIndex: string): string => `${room} ${storageIndex}`;

/** The caps kept alive in `room`. */
export async function loadKeptCaps(room: string): Promise<KeptCapRecord[]> {
  const db = await openDurabilityDB();
  return (await db.getAllFromIndex('caps', 'room', room)).filter((r) => r.v === 1);
}

export async function putKeptCap(record: Omit<KeptCapRecord, 'v'>): Promise<void> {
  const db = await openDurabilityDB();
  await db.put('caps', { v: 1, ...record }, capKey(record.room, record.storageIndex));
}

export async function deleteKeptCap(room: string, storageIndex: string): Promise<void> {
  const db = await openDurabilityDB();
  await db.delete('caps', capKey(room, storageIndex));
}

export async function loadPendingUploads(room: string): Promise<PendingUploadRecord[]> {
  const db = await openDurabilityDB();
  return (await db.getAllFromIndex('uploads', 'room', room)).filter((r) => r.v === 1);
}

export async function putPendingUpload(record: PendingUploadRecord): Promise<void> {
  const db = await openDurabilityDB();
  await db.put('uploads', record);
}

export async function deletePendingUpload(id: string): Promise<void> {
  const db = await openDurabilityDB();
  await db.delete('uploads', id);
}

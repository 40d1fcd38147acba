/**
 * The one IndexedDB database of bric (house style 19): the GridDB schema, its versioned
 * migrations in one `upgrade`, and the blocked/blocking/terminated handlers. Every record carries
 * `v`, its own format version (tahoe immutable_schema.py), checked when read.
 * @module
 */
import { deleteDB, openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { CorruptMark } from '../../core/storage/share-store.js';
import type { SlotDBStores } from './slot-store.js';
import { IdbRecordError } from './errors.js';

export const GRID_DB_NAME = 'bric';
/** Bump with a new entry in MIGRATIONS; never edit a released migration. */
export const GRID_DB_VERSION = 2;

/** A node identity (node-identity.ts): one per storage node this browser runs. */
export interface NodeIdentityRecord {
  v: 1;
  nodeId: string;
  /** Seed of the node's keypair (32 random bytes). */
  seed: Uint8Array;
  /** Milliseconds since the Unix epoch. */
  createdAt: number;
}

/** A stored lease: as Lease in core (kept separate so the stored shape is pinned here). */
export interface LeaseRecord {
  renewSecret: Uint8Array;
  cancelSecret: Uint8Array;
  expiresAt: number;
}

/** One share's record; its bytes are in `shareData`. Key: [nodeId, storage index hex, share number]. */
export interface ShareRecord {
  v: 1;
  state: 'pending' | 'closed';
  allocatedSize: number;
  /** Furthest byte written (closed: the share's length; pending: as of the last write to IDB). */
  size: number;
  /** Bytes per data record of this share (records are [i·chunkBytes, (i+1)·chunkBytes)). */
  chunkBytes: number;
  leases: LeaseRecord[];
  corrupt: CorruptMark[];
}

/** Up to chunkBytes of a share. Key: [nodeId, storage index hex, share number, record index]. */
export interface ShareDataRecord {
  v: 1;
  data: Uint8Array;
}

/** A small setting (capacity, convergence secret, …) of the app, by name. */
export interface SettingRecord {
  v: 1;
  value: unknown;
}

/** Version 2 added the mutable slots (slots, slotShares: see slot-store.ts for their records). */
export interface GridDB extends DBSchema, SlotDBStores {
  identities: { key: string; value: NodeIdentityRecord };
  shares: { key: [string, string, number]; value: ShareRecord };
  shareData: { key: [string, string, number, number]; value: ShareDataRecord };
  settings: { key: string; value: SettingRecord };
}

type UpgradeTx = IDBPTransaction<GridDB, StoreNames<GridDB>[], 'versionchange'>;

/** MIGRATIONS[i] upgrades a database from version i to i + 1, inside the versionchange transaction. */
const MIGRATIONS: ReadonlyArray<(db: IDBPDatabase<GridDB>, tx: UpgradeTx) => void> = [
  (db) => {
    db.createObjectStore('identities');
    db.createObjectStore('shares');
    db.createObjectStore('shareData');
    db.createObjectStore('settings');
  },
  (db) => {
    db.createObjectStore('slots');
    db.createObjectStore('slotShares');
  },
];

export interface OpenGridDbOptions {
  /** Database name; tests use their own. @default GRID_DB_NAME */
  name?: string;
  /** Another tab keeps an older version open, so this one waits (tell the person to close it). */
  onBlocked?: () => void;
  /**
   * A newer version wants to open in another tab. The connection is closed first (so the other
   * tab can proceed); this tab should then tell its person to reload. @default close only
   */
  onBlocking?: () => void;
  /** The browser closed the connection abnormally (storage cleared, disk gone). */
  onTerminated?: () => void;
}

/** Opens (creating or migrating) the grid's database. */
export async function openGridDB(options: OpenGridDbOptions = {}): Promise<IDBPDatabase<GridDB>> {
  if (MIGRATIONS.length !== GRID_DB_VERSION) throw new Error('GRID_DB_VERSION and MIGRATIONS disagree');
  const db: IDBPDatabase<GridDB> = await openDB<GridDB>(options.name ?? GRID_DB_NAME, GRID_DB_VERSION, {
    upgrade(database, oldVersion, _newVersion, tx) {
      for (let version = oldVersion; version < GRID_DB_VERSION; version++) MIGRATIONS[version]!(database, tx);
    },
    blocked() {
      options.onBlocked?.();
    },
    blocking() {
      db.close();
      options.onBlocking?.();
    },
    terminated() {
      options.onTerminated?.();
    },
  });
  return db;
}

/** Deletes a grid database (tests; "forget this browser's node" later). */
export async function deleteGridDB(name: string = GRID_DB_NAME): Promise<void> {
  await deleteDB(name);
}

/** Asserts a record read back is one this code understands (a newer bric may have written it). */
export function checkRecord<T extends { v: number }>(record: T, what: string): T {
  if (record.v !== 1) throw new IdbRecordError(`a stored ${what} has format version ${String(record.v)}; this bric reads version 1`);
  return record;
}

/**
 * The person's files list in IndexedDB (app/library.ts LibraryStore): a database of its own,
 * `bric-library`, apart from GridDB, so the list has its own schema version and survives a
 * change of the share stores. One store `files` (auto-increment id) with an index by grid.
 * @module
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { LibraryRecord, LibraryStore } from '../../app/library.js';

export const LIBRARY_DB_NAME = 'bric-library';
const LIBRARY_DB_VERSION = 1;

interface LibraryDB extends DBSchema {
  files: { key: number; value: LibraryRecord; indexes: { byGrid: string } };
}

export class IdbLibraryStore implements LibraryStore {
  private constructor(private readonly db: IDBPDatabase<LibraryDB>) {}

  static async open(name = LIBRARY_DB_NAME): Promise<IdbLibraryStore> {
    let store: IdbLibraryStore | undefined;
    const db = await openDB<LibraryDB>(name, LIBRARY_DB_VERSION, {
      upgrade(database, oldVersion) {
        if (oldVersion < 1) database.createObjectStore('files', { keyPath: 'id', autoIncrement: true }).createIndex('byGrid', 'grid');
      },
      // A newer bric in another tab wants to upgrade: let it (this tab's list reloads with the page).
      blocking() {
        store?.db.close();
      },
    });
    store = new IdbLibraryStore(db);
    return store;
  }

  async list(grid: string): Promise<LibraryRecord[]> {
    const records = await this.db.getAllFromIndex('files', 'byGrid', grid);
    return records.filter((r) => r.v === 1).sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
  }

  async add(records: readonly LibraryRecord[]): Promise<LibraryRecord[]> {
    const tx = this.db.transaction('files', 'readwrite');
    const keys = await Promise.all(records.map((r) => {
      const { id: _id, ...rest } = r;
      return tx.store.add(rest as LibraryRecord);
    }));
    await tx.done;
    return records.map((r, i) => ({ ...r, id: keys[i] }));
  }

  async remove(id: number): Promise<void> {
    await this.db.delete('files', id);
  }

  close(): void {
    this.db.close();
  }
}

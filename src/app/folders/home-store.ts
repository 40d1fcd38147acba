/**
 * Where this browser keeps the person's home folder cap, per grid: its own IndexedDB database
 * ('bric-home', apart from GridDB so that schema stays untouched), one record per grid keyed by
 * the grid's room id (a hash of its secret, so two grids that share a name stay apart). The cap
 * is a directory write cap: whoever holds it owns the folder, so it never leaves this device
 * unless the person exports it.
 * @module
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { roomIdOf, type GridRef } from '../links.js';

export const HOME_DB_NAME = 'bric-home';

interface HomeRecord {
  /** Record version. */
  v: 1;
  gridId: string;
  /** The home folder's write cap (URI:BRIC-DIR1:…). */
  cap: string;
  /** When it was made or adopted here, ms since the epoch. */
  savedAt: number;
}

interface HomeDB extends DBSchema {
  homes: { key: string; value: HomeRecord };
}

export class HomeStore {
  readonly #db: IDBPDatabase<HomeDB>;

  private constructor(db: IDBPDatabase<HomeDB>) {
    this.#db = db;
  }

  static async open(): Promise<HomeStore> {
    const db = await openDB<HomeDB>(HOME_DB_NAME, 1, {
      upgrade(d) {
        d.createObjectStore('homes');
      },
      blocking() {
        db.close(); // a newer version in another tab: let it upgrade
      },
    });
    return new HomeStore(db);
  }

  /** The home cap's text for `grid`, if this browser has one. */
  async get(grid: GridRef): Promise<string | undefined> {
    return (await this.#db.get('homes', roomIdOf(grid)))?.cap;
  }

  async put(grid: GridRef, cap: string): Promise<void> {
    await this.#db.put('homes', { v: 1, gridId: grid.id, cap, savedAt: Date.now() }, roomIdOf(grid));
  }

  close(): void {
    this.#db.close();
  }
}

/** The Web Lock that makes one tab at a time create a home for a grid (two tabs, one home). */
export function homeLockName(grid: GridRef): string {
  return `bric-home:${roomIdOf(grid)}`;
}

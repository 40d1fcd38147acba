/**
 * The write buffer of one pending share in the IndexedDB store. Writes land in whole-record
 * buffers (chunkBytes each) in memory and go to IndexedDB in batches of several records per
 * transaction (NOTES.md: 1 MiB values in multi-MiB transactions write 2–3× faster than one small
 * put each). A pending share never survives a reload (Tahoe empties incoming/), so buffering
 * acknowledged writes until the next flush or close loses nothing a client could read.
 * @module
 */

export class PendingShare {
  /** Furthest byte written so far, buffered or not. */
  size: number;
  /** Set once the share is closed, aborted or discarded: nothing may be flushed for it after. */
  dead = false;
  readonly #cache = new Map<number, Uint8Array>();
  readonly #dirty = new Set<number>();
  #dirtyBytes = 0;
  /** Records that may be in IndexedDB: flushed this session, or every one after a reload. */
  readonly #persisted: Set<number> | 'all';

  constructor(
    readonly siHex: string,
    readonly shareNum: number,
    readonly allocatedSize: number,
    readonly chunkBytes: number,
    /** A pending share found in IndexedDB (written by an earlier page), rather than created now. */
    resumed: { size: number } | null,
  ) {
    this.size = resumed?.size ?? 0;
    this.#persisted = resumed === null ? new Set() : 'all';
  }

  /** Bytes of whole records waiting to be written to IndexedDB. */
  get dirtyBytes(): number {
    return this.#dirtyBytes;
  }

  recordLength(index: number): number {
    return Math.min(this.chunkBytes, this.allocatedSize - index * this.chunkBytes);
  }

  /** Record indexes touched by bytes [start, end) (none when empty). */
  records(start: number, end: number): number[] {
    const out: number[] = [];
    if (end <= start) return out;
    for (let i = Math.floor(start / this.chunkBytes); i <= Math.floor((end - 1) / this.chunkBytes); i++) out.push(i);
    return out;
  }

  /**
   * Records a write to [start, end) must read from IndexedDB first: touched, not in memory, maybe
   * stored, and not covered whole by the write (a covered record is simply replaced).
   */
  toLoad(start: number, end: number): number[] {
    return this.records(start, end).filter((i) => {
      if (this.#cache.has(i) || !this.mayBeStored(i)) return false;
      const from = i * this.chunkBytes;
      return !(start <= from && end >= from + this.recordLength(i));
    });
  }

  mayBeStored(index: number): boolean {
    return this.#persisted === 'all' || this.#persisted.has(index);
  }

  /** Takes a record read from IndexedDB (or its absence) as the record's current content. */
  adopt(index: number, stored: Uint8Array | undefined): void {
    const buffer = new Uint8Array(this.recordLength(index));
    if (stored !== undefined) buffer.set(stored.subarray(0, buffer.length));
    this.#cache.set(index, buffer);
  }

  /** The record's bytes in memory, if any (they are newer than what IndexedDB holds). */
  cached(index: number): Uint8Array | undefined {
    return this.#cache.get(index);
  }

  /** Copies a write into the record buffers (synchronously: a write applies whole). */
  apply(offset: number, data: Uint8Array): void {
    const end = offset + data.length;
    for (const i of this.records(offset, end)) {
      let buffer = this.#cache.get(i);
      if (buffer === undefined) {
        buffer = new Uint8Array(this.recordLength(i)); // not stored, or about to be covered whole
        this.#cache.set(i, buffer);
      }
      const from = i * this.chunkBytes;
      const s = Math.max(offset, from);
      const e = Math.min(end, from + buffer.length);
      buffer.set(data.subarray(s - offset, e - offset), s - from);
      if (!this.#dirty.has(i)) {
        this.#dirty.add(i);
        this.#dirtyBytes += buffer.length;
      }
    }
    this.size = Math.max(this.size, end);
  }

  /**
   * The records to write now, as [index, bytes]. When closing, the last record is cut at the
   * share's size, so no zeros past the end are stored. The bytes are cloned by IndexedDB's put.
   */
  dirtyRecords(closing: boolean): Array<[number, Uint8Array]> {
    return [...this.#dirty].sort((a, b) => a - b).map((i): [number, Uint8Array] => {
      const buffer = this.#cache.get(i)!;
      const keep = closing ? Math.min(buffer.length, Math.max(0, this.size - i * this.chunkBytes)) : buffer.length;
      // A view would store its whole ArrayBuffer (NOTES.md): cut with a copy.
      return [i, keep === buffer.length ? buffer : buffer.slice(0, keep)];
    });
  }

  /**
   * After those records committed: they are stored, and no longer dirty. Memory keeps only the
   * record holding the furthest byte (a sequential writer continues it next).
   */
  flushed(indexes: readonly number[]): void {
    for (const i of indexes) {
      if (this.#persisted !== 'all') this.#persisted.add(i);
      if (this.#dirty.delete(i)) this.#dirtyBytes -= this.recordLength(i);
    }
    const tail = this.size > 0 ? Math.floor((this.size - 1) / this.chunkBytes) : -1;
    for (const i of [...this.#cache.keys()]) if (i !== tail && !this.#dirty.has(i)) this.#cache.delete(i);
  }
}

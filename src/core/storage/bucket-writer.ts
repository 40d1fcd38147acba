/**
 * The pending shares of a node and Tahoe's rules for writing them (storage/immutable.py
 * BucketWriter): writes stay inside the allocation, and bytes already written may be written
 * again only with the same bytes (a retry), never changed (ConflictingWriteError).
 * @module
 */
import { bytesToHex, equalBytes } from '../bytes.js';
import { MAX_WRITE_RANGES_PER_SHARE } from '../limits.js';
import { WrittenRanges } from './_ranges.js';
import {
  ConflictingWriteError,
  ShareAlreadyClosedError,
  shareLabel,
  ShareNotAllocatedError,
  TooManyWriteRangesError,
  WriteOutOfBoundsError,
} from './errors.js';
import type { ShareStore, StoreOpts } from './share-store.js';

interface BucketWriter {
  readonly storageIndex: Uint8Array;
  readonly shareNum: number;
  allocatedSize: number;
  written: WrittenRanges;
  /** When the uploader last allocated or wrote it (the server's clock). */
  touchedAt: number;
}

const key = (storageIndex: Uint8Array, shareNum: number): string => `${bytesToHex(storageIndex)}/${shareNum}`;

export class BucketWriters {
  readonly #store: ShareStore;
  readonly #writers = new Map<string, BucketWriter>();

  constructor(store: ShareStore) {
    this.#store = store;
  }

  add(storageIndex: Uint8Array, shareNum: number, allocatedSize: number, now: number): void {
    this.#writers.set(key(storageIndex, shareNum), { storageIndex: storageIndex.slice(), shareNum, allocatedSize, written: new WrittenRanges(), touchedAt: now });
  }

  /** The pending shares nobody allocated or wrote since `before`: an uploader that went quiet. */
  idleSince(before: number): { storageIndex: Uint8Array; shareNum: number }[] {
    return [...this.#writers.values()].filter((w) => w.touchedAt < before).map(({ storageIndex, shareNum }) => ({ storageIndex, shareNum }));
  }

  has(storageIndex: Uint8Array, shareNum: number): boolean {
    return this.#writers.has(key(storageIndex, shareNum));
  }

  delete(storageIndex: Uint8Array, shareNum: number): void {
    this.#writers.delete(key(storageIndex, shareNum));
  }

  /** Resolves if the share is pending here, else rejects with why it cannot be changed. */
  async assertPending(storageIndex: Uint8Array, shareNum: number, opts: StoreOpts): Promise<BucketWriter> {
    const writer = this.#writers.get(key(storageIndex, shareNum));
    if (writer !== undefined) return writer;
    const share = await this.#store.get(storageIndex, shareNum, opts);
    if (share?.state === 'closed') {
      throw new ShareAlreadyClosedError(`${shareLabel(storageIndex, shareNum)} is closed and cannot change`);
    }
    throw new ShareNotAllocatedError(`${shareLabel(storageIndex, shareNum)} was not allocated here (or was aborted)`);
  }

  /** Checks the write against the share's allocation and what was written, then stores it. */
  async write(storageIndex: Uint8Array, shareNum: number, offset: number, data: Uint8Array, now: number, opts: StoreOpts): Promise<void> {
    const writer = await this.assertPending(storageIndex, shareNum, opts);
    writer.touchedAt = now;
    const end = offset + data.length;
    if (end > writer.allocatedSize) {
      throw new WriteOutOfBoundsError(
        `a write of ${data.length} bytes at offset ${offset} ends at byte ${end}, past the ${writer.allocatedSize} bytes allocated for ${shareLabel(storageIndex, shareNum)}`,
      );
    }
    for (const [s, e] of writer.written.overlapping(offset, end)) {
      const old = await this.#store.read(storageIndex, shareNum, s, e - s, opts);
      if (!equalBytes(old, data.subarray(s - offset, e - offset))) {
        throw new ConflictingWriteError(
          `bytes ${s}–${e} of ${shareLabel(storageIndex, shareNum)} were already written with different data`,
        );
      }
    }
    if (writer.written.countAfterAdding(offset, end) > MAX_WRITE_RANGES_PER_SHARE) {
      throw new TooManyWriteRangesError(
        `${shareLabel(storageIndex, shareNum)} was written in more than ${MAX_WRITE_RANGES_PER_SHARE} separate pieces`,
      );
    }
    await this.#store.write(storageIndex, shareNum, offset, data, opts);
    writer.written.add(offset, end);
  }
}

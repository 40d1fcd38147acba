/**
 * ShareStore in memory: for tests, the in-memory grid and the offline demo. Same behaviour as the
 * IndexedDB store (both pass test/contracts/share-store.contract.ts), plus a fault hook so tests
 * can make the "browser" refuse a change the way IndexedDB refuses one over quota.
 * @module
 */
import { bytesToHex, exactCopy } from '../../core/bytes.js';
import { countedBytes } from '../../core/storage/capacity.js';
import {
  shareLabel,
  ShareAlreadyClosedError,
  ShareExistsError,
  ShareNotAllocatedError,
  ShareNotFoundError,
  WriteOutOfBoundsError,
} from '../../core/storage/errors.js';
import type { CorruptMark, Lease, ShareInfo, ShareStore, StoreOpts } from '../../core/storage/share-store.js';

/** The changes a fault hook sees, before anything is changed. */
export type MemoryStoreOp = 'createPending' | 'write' | 'close' | 'abort' | 'delete' | 'setLeases' | 'markCorrupt';

export interface MemoryShareStoreInit {
  /**
   * Called before each change is applied; whatever it throws (e.g. a StorageQuotaError) is
   * thrown by the operation, and nothing is changed. Default: none.
   */
  fault?: (op: MemoryStoreOp, storageIndex: Uint8Array, shareNum: number) => void;
}

interface MemoryShare {
  storageIndex: Uint8Array;
  shareNum: number;
  state: 'pending' | 'closed';
  allocatedSize: number;
  size: number;
  /** Grows on demand up to allocatedSize (a big allocation costs nothing until written). */
  data: Uint8Array;
  leases: Lease[];
  corrupt: CorruptMark[];
}

const key = (storageIndex: Uint8Array, shareNum: number): string => `${bytesToHex(storageIndex)}/${shareNum}`;

const copyLease = (l: Lease): Lease => ({
  renewSecret: exactCopy(l.renewSecret),
  cancelSecret: exactCopy(l.cancelSecret),
  expiresAt: l.expiresAt,
});

export class MemoryShareStore implements ShareStore {
  readonly #shares = new Map<string, MemoryShare>();
  readonly #fault: MemoryShareStoreInit['fault'];
  #used = 0;

  constructor(init: MemoryShareStoreInit = {}) {
    this.#fault = init.fault;
  }

  async usedBytes(opts: StoreOpts): Promise<number> {
    opts.signal.throwIfAborted();
    return this.#used;
  }

  async createPending(storageIndex: Uint8Array, shareNum: number, allocatedSize: number, lease: Lease, opts: StoreOpts): Promise<void> {
    opts.signal.throwIfAborted();
    const k = key(storageIndex, shareNum);
    if (this.#shares.has(k)) throw new ShareExistsError(`${shareLabel(storageIndex, shareNum)} already exists`);
    this.#fault?.('createPending', storageIndex, shareNum);
    this.#shares.set(k, {
      storageIndex: exactCopy(storageIndex),
      shareNum,
      state: 'pending',
      allocatedSize,
      size: 0,
      data: new Uint8Array(0),
      leases: [copyLease(lease)],
      corrupt: [],
    });
    this.#used += allocatedSize;
  }

  async write(storageIndex: Uint8Array, shareNum: number, offset: number, data: Uint8Array, opts: StoreOpts): Promise<void> {
    opts.signal.throwIfAborted();
    const share = this.#pending(storageIndex, shareNum);
    const end = offset + data.length;
    if (end > share.allocatedSize) {
      throw new WriteOutOfBoundsError(
        `a write of ${data.length} bytes at offset ${offset} ends at ${end}, past the ${share.allocatedSize} bytes allocated for share ${shareNum}`,
      );
    }
    this.#fault?.('write', storageIndex, shareNum);
    if (end > share.data.length) {
      const grown = new Uint8Array(Math.min(share.allocatedSize, Math.max(end, 2 * share.data.length)));
      grown.set(share.data);
      share.data = grown;
    }
    share.data.set(data, offset);
    share.size = Math.max(share.size, end);
  }

  async close(storageIndex: Uint8Array, shareNum: number, opts: StoreOpts): Promise<void> {
    opts.signal.throwIfAborted();
    const share = this.#pending(storageIndex, shareNum);
    this.#fault?.('close', storageIndex, shareNum);
    share.data = share.data.slice(0, share.size);
    share.state = 'closed';
    this.#used += share.size - share.allocatedSize;
  }

  async abort(storageIndex: Uint8Array, shareNum: number, opts: StoreOpts): Promise<void> {
    opts.signal.throwIfAborted();
    const share = this.#pending(storageIndex, shareNum);
    this.#fault?.('abort', storageIndex, shareNum);
    this.#shares.delete(key(storageIndex, shareNum));
    this.#used -= share.allocatedSize;
  }

  async read(storageIndex: Uint8Array, shareNum: number, offset: number, length: number, opts: StoreOpts): Promise<Uint8Array> {
    opts.signal.throwIfAborted();
    const share = this.#existing(storageIndex, shareNum);
    const start = Math.min(offset, share.size);
    const end = Math.min(offset + length, share.size);
    const out = new Uint8Array(end - start);
    // Bytes past what the buffer grew to were never written: they stay zero in `out`.
    out.set(share.data.subarray(start, Math.min(end, share.data.length)));
    return out;
  }

  async get(storageIndex: Uint8Array, shareNum: number, opts: StoreOpts): Promise<ShareInfo | undefined> {
    opts.signal.throwIfAborted();
    const share = this.#shares.get(key(storageIndex, shareNum));
    return share === undefined ? undefined : info(share);
  }

  async list(storageIndex: Uint8Array, opts: StoreOpts): Promise<ShareInfo[]> {
    opts.signal.throwIfAborted();
    const prefix = `${bytesToHex(storageIndex)}/`;
    const out: ShareInfo[] = [];
    for (const [k, share] of this.#shares) if (k.startsWith(prefix)) out.push(info(share));
    return out.sort((a, b) => a.shareNum - b.shareNum);
  }

  async listAll(opts: StoreOpts): Promise<ShareInfo[]> {
    opts.signal.throwIfAborted();
    return [...this.#shares.values()].map(info);
  }

  async delete(storageIndex: Uint8Array, shareNum: number, opts: StoreOpts): Promise<void> {
    opts.signal.throwIfAborted();
    const share = this.#existing(storageIndex, shareNum);
    this.#fault?.('delete', storageIndex, shareNum);
    this.#shares.delete(key(storageIndex, shareNum));
    this.#used -= countedBytes(share);
  }

  async setLeases(storageIndex: Uint8Array, shareNum: number, leases: Lease[], opts: StoreOpts): Promise<void> {
    opts.signal.throwIfAborted();
    const share = this.#existing(storageIndex, shareNum);
    this.#fault?.('setLeases', storageIndex, shareNum);
    share.leases = leases.map(copyLease);
  }

  async markCorrupt(storageIndex: Uint8Array, shareNum: number, mark: CorruptMark, keep: number, opts: StoreOpts): Promise<void> {
    opts.signal.throwIfAborted();
    const share = this.#existing(storageIndex, shareNum);
    this.#fault?.('markCorrupt', storageIndex, shareNum);
    share.corrupt = [...share.corrupt, { ...mark }].slice(-keep);
  }

  async discardPending(opts: StoreOpts): Promise<number> {
    opts.signal.throwIfAborted();
    let dropped = 0;
    for (const [k, share] of this.#shares) {
      if (share.state !== 'pending') continue;
      this.#shares.delete(k);
      this.#used -= share.allocatedSize;
      dropped++;
    }
    return dropped;
  }

  #existing(storageIndex: Uint8Array, shareNum: number): MemoryShare {
    const share = this.#shares.get(key(storageIndex, shareNum));
    if (share === undefined) throw new ShareNotFoundError(`no ${shareLabel(storageIndex, shareNum)} here`);
    return share;
  }

  #pending(storageIndex: Uint8Array, shareNum: number): MemoryShare {
    const share = this.#shares.get(key(storageIndex, shareNum));
    if (share === undefined) {
      throw new ShareNotAllocatedError(`${shareLabel(storageIndex, shareNum)} was not allocated here`);
    }
    if (share.state === 'closed') {
      throw new ShareAlreadyClosedError(`${shareLabel(storageIndex, shareNum)} is closed and cannot change`);
    }
    return share;
  }
}

function info(share: MemoryShare): ShareInfo {
  return {
    storageIndex: exactCopy(share.storageIndex),
    shareNum: share.shareNum,
    state: share.state,
    allocatedSize: share.allocatedSize,
    size: share.size,
    leases: share.leases.map(copyLease),
    corrupt: share.corrupt.map((m) => ({ ...m })),
  };
}

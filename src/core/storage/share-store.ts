/**
 * The ShareStore port: what a storage node persists (Tahoe's storage/immutable.py ShareFile and
 * its incoming/ directory, as records instead of files). Implemented by the memory store (tests,
 * offline demo) and the IndexedDB store; both pass test/contracts/share-store.contract.ts.
 * The store keeps bytes and records; policy (capacity, conflicts, leases) is StorageServer's.
 * @module
 */

export interface StoreOpts {
  signal: AbortSignal;
}

/** One lease (Tahoe's LeaseInfo without the owner number): secrets and when it runs out. */
export interface Lease {
  renewSecret: Uint8Array;
  cancelSecret: Uint8Array;
  /** Milliseconds since the Unix epoch (a WallClock's now() + LEASE_DURATION_MS). */
  expiresAt: number;
}

/** A client's report that a share failed verification (Tahoe's advise_corrupt_share). */
export interface CorruptMark {
  reason: string;
  /** Milliseconds since the Unix epoch. */
  at: number;
}

export type ShareState = 'pending' | 'closed';

export interface ShareInfo {
  storageIndex: Uint8Array;
  shareNum: number;
  /** pending: allocated and being written (never readable by clients); closed: immutable. */
  state: ShareState;
  allocatedSize: number;
  /** End of the furthest byte written (for a closed share: its length). */
  size: number;
  leases: Lease[];
  corrupt: CorruptMark[];
}

/** Wall-clock time for leases: they must outlive a page load, so not a monotonic clock. */
export interface WallClock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/**
 * Every method checks `opts.signal` before it starts and either completes or changes nothing.
 * Share numbers are integers 0..255, storage indexes 16 bytes; callers (StorageServer) validate
 * arguments, the store trusts them but still refuses states that would corrupt it (the named
 * errors below). Returned arrays and bytes are the caller's to keep.
 */
export interface ShareStore {
  /**
   * Exactly the bytes held or reserved (see countedBytes in capacity.ts): Σ allocatedSize over
   * pending shares + Σ size over closed shares. Changes only when a change has committed.
   */
  usedBytes(opts: StoreOpts): Promise<number>;

  /**
   * Creates a pending share reserving `allocatedSize` bytes, with its first lease.
   * @throws ShareExistsError if the share exists in any state; StorageQuotaError if the browser
   *   refused (then nothing was created and usedBytes is unchanged).
   */
  createPending(storageIndex: Uint8Array, shareNum: number, allocatedSize: number, lease: Lease, opts: StoreOpts): Promise<void>;

  /**
   * Writes bytes into a pending share at `offset`; later writes of the same bytes win. A write
   * either applies whole or not at all. The store may buffer writes of a pending share and
   * persist them by the time close resolves (a pending share never survives a restart anyway).
   * @throws ShareNotAllocatedError, ShareAlreadyClosedError, WriteOutOfBoundsError (past the
   *   allocation), StorageQuotaError.
   */
  write(storageIndex: Uint8Array, shareNum: number, offset: number, data: Uint8Array, opts: StoreOpts): Promise<void>;

  /**
   * Makes a pending share closed (readable, immutable); its size is the furthest byte written
   * and usedBytes drops from the allocation to that size.
   * @throws ShareNotAllocatedError, ShareAlreadyClosedError, StorageQuotaError (share stays pending).
   */
  close(storageIndex: Uint8Array, shareNum: number, opts: StoreOpts): Promise<void>;

  /**
   * Drops a pending share and its bytes, freeing its allocation.
   * @throws ShareNotAllocatedError, ShareAlreadyClosedError.
   */
  abort(storageIndex: Uint8Array, shareNum: number, opts: StoreOpts): Promise<void>;

  /**
   * Bytes [offset, offset + length) of a share, cut at its size (so fewer, or none past the
   * end); bytes never written read as zeros. Works on pending shares too (the server compares
   * rewrites with them) but clients are only ever given closed ones.
   * @throws ShareNotFoundError.
   */
  read(storageIndex: Uint8Array, shareNum: number, offset: number, length: number, opts: StoreOpts): Promise<Uint8Array>;

  /** One share's record, or undefined. */
  get(storageIndex: Uint8Array, shareNum: number, opts: StoreOpts): Promise<ShareInfo | undefined>;

  /** Every share (pending and closed) of one storage index, by ascending share number. */
  list(storageIndex: Uint8Array, opts: StoreOpts): Promise<ShareInfo[]>;

  /** Every share this store holds (for lease expiry), in no particular order. */
  listAll(opts: StoreOpts): Promise<ShareInfo[]>;

  /** Deletes a share in any state with its bytes; usedBytes drops by what it counted. @throws ShareNotFoundError. */
  delete(storageIndex: Uint8Array, shareNum: number, opts: StoreOpts): Promise<void>;

  /** Replaces a share's leases (the server computes renewals). @throws ShareNotFoundError. */
  setLeases(storageIndex: Uint8Array, shareNum: number, leases: Lease[], opts: StoreOpts): Promise<void>;

  /**
   * Appends a corruption report, keeping only the latest `keep`.
   * @throws ShareNotFoundError.
   */
  markCorrupt(storageIndex: Uint8Array, shareNum: number, mark: CorruptMark, keep: number, opts: StoreOpts): Promise<void>;

  /**
   * Deletes every pending share (Tahoe empties incoming/ at startup: their uploaders' connections
   * died with the previous page). Returns how many were dropped.
   */
  discardPending(opts: StoreOpts): Promise<number>;
}

/**
 * StorageApi: what one storage node answers, local or remote (Tahoe's RIStorageServer and
 * RIBucketWriter/Reader for immutable shares, flattened into one interface keyed by storage
 * index and share number). StorageServer implements it; storageClient (wire.ts) does too.
 * @module
 */

export interface StorageOpts {
  signal: AbortSignal;
}

/** Tahoe's get_version, reduced to what placement needs. */
export interface StorageVersion {
  /** The node's id (random, kept in the node's identity; stable across reloads of its tab). */
  nodeId: string;
  /**
   * Largest share this node would take now: min(the protocol's MAX_SHARE_BYTES, availableBytes),
   * Tahoe's "maximum-immutable-share-size" (which is its remaining space).
   */
  maxShareBytes: number;
  /** capacityBytes − usedBytes, never below 0. */
  availableBytes: number;
  /** The maximum its person set. */
  capacityBytes: number;
  /** Bytes of share data held or reserved: closed shares by size, pending ones by allocation. */
  usedBytes: number;
  /** The storage protocol's version (STORAGE_PROTOCOL_VERSION). */
  protocolVersion: number;
}

/** Tahoe's allocate_buckets answer. Requested shares in neither list were refused. */
export interface AllocateResult {
  /** Shares this node already holds (closed); their leases were renewed or added. */
  alreadyHave: number[];
  /** Shares now allocated and waiting for writes, then closeShare (or abortShare). */
  allocated: number[];
}

export interface StorageApi {
  getVersion(opts: StorageOpts): Promise<StorageVersion>;
  /**
   * Reserves `allocatedSize` bytes for each share that fits, before any byte flows. Shares
   * held already are reported (and leased), shares being uploaded by someone else are left out,
   * shares that do not fit are left out; if nothing at all could be given for lack of space the
   * call rejects with CapacityExceededError saying how much is free.
   */
  allocateBuckets(
    storageIndex: Uint8Array,
    renewSecret: Uint8Array,
    cancelSecret: Uint8Array,
    shareNums: number[],
    allocatedSize: number,
    opts: StorageOpts,
  ): Promise<AllocateResult>;
  /** Writes into an allocated, not yet closed share; rewriting bytes is allowed only with the same bytes. */
  writeShare(storageIndex: Uint8Array, shareNum: number, offset: number, data: Uint8Array, opts: StorageOpts): Promise<void>;
  /** Makes the share readable; its size becomes the end of the furthest byte written. */
  closeShare(storageIndex: Uint8Array, shareNum: number, opts: StorageOpts): Promise<void>;
  /** Drops a pending share and frees its allocation. */
  abortShare(storageIndex: Uint8Array, shareNum: number, opts: StorageOpts): Promise<void>;
  /** Closed shares of the storage index, ascending. */
  listShares(storageIndex: Uint8Array, opts: StorageOpts): Promise<number[]>;
  /** Bytes [offset, offset + length) of a closed share, fewer if the share ends sooner (as Tahoe). */
  readShare(storageIndex: Uint8Array, shareNum: number, offset: number, length: number, opts: StorageOpts): Promise<Uint8Array>;
  /** Renews (same renew secret) or adds a lease on every closed share of the storage index. */
  addLease(storageIndex: Uint8Array, renewSecret: Uint8Array, cancelSecret: Uint8Array, opts: StorageOpts): Promise<void>;
  /** Records that a client found this share corrupt; the node keeps the share and counts the report. */
  adviseCorruptShare(storageIndex: Uint8Array, shareNum: number, reason: string, opts: StorageOpts): Promise<void>;
}

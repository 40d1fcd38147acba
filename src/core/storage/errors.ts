/**
 * Errors of a storage node (Tahoe's storage/server.py and immutable.py refusals). The server and
 * every ShareStore raise these; over the wire they travel as RemoteError and the storage client
 * turns them back into the same classes (wire.ts), so callers can branch on `err.name` either way.
 * @module
 */
import { base32Encode } from '../bytes.js';
import { BricError } from '../errors.js';

/** How messages name a share: Tahoe writes storage indexes in base32. */
export function shareLabel(storageIndex: Uint8Array, shareNum: number): string {
  return `share ${shareNum} of storage index ${base32Encode(storageIndex)}`;
}

/** No requested share fits in what this node has left (checked before any byte flows). */
export class CapacityExceededError extends BricError {
  override name = 'CapacityExceededError';
  /** Known when raised locally; undefined when rebuilt from a remote message. */
  availableBytes?: number;
  neededBytes?: number;

  static forSizes(availableBytes: number, neededBytes: number): CapacityExceededError {
    const err = new CapacityExceededError(
      `this node has ${availableBytes} bytes free, the share needs ${neededBytes} bytes`,
    );
    err.availableBytes = availableBytes;
    err.neededBytes = neededBytes;
    return err;
  }
}

/** The browser refused to store more data for this site (IndexedDB's QuotaExceededError). */
export class StorageQuotaError extends BricError {
  override name = 'StorageQuotaError';
}

/** A write, close or abort named a share that was never allocated here (or was already freed). */
export class ShareNotAllocatedError extends BricError {
  override name = 'ShareNotAllocatedError';
}

/** A write, close or abort named a share that is already closed: closed shares are immutable. */
export class ShareAlreadyClosedError extends BricError {
  override name = 'ShareAlreadyClosedError';
}

/** A read, lease or corruption report named a share this node does not hold (closed). */
export class ShareNotFoundError extends BricError {
  override name = 'ShareNotFoundError';
}

/** A share was to be created where one (pending or closed) already exists. */
export class ShareExistsError extends BricError {
  override name = 'ShareExistsError';
}

/** A write reaches past the size allocated for the share. */
export class WriteOutOfBoundsError extends BricError {
  override name = 'WriteOutOfBoundsError';
}

/** A write overlaps bytes already written with different bytes (Tahoe's ConflictingWriteError). */
export class ConflictingWriteError extends BricError {
  override name = 'ConflictingWriteError';
}

/** A pending share was written in too many separate pieces to track which bytes are set. */
export class TooManyWriteRangesError extends BricError {
  override name = 'TooManyWriteRangesError';
}

/** A share already carries as many leases as a node keeps. */
export class TooManyLeasesError extends BricError {
  override name = 'TooManyLeasesError';
}

/** A storage request or response payload is malformed (bad data from a peer: count and drop). */
export class StorageWireError extends BricError {
  override name = 'StorageWireError';
}

/** A size written by a person ("500M", "1.5G") that cannot be read as a number of bytes. */
export class SizeFormatError extends BricError {
  override name = 'SizeFormatError';
}

/** Every storage error class by name, so the wire client can restore them from RemoteError. */
export const STORAGE_ERRORS = {
  CapacityExceededError,
  StorageQuotaError,
  ShareNotAllocatedError,
  ShareAlreadyClosedError,
  ShareNotFoundError,
  ShareExistsError,
  WriteOutOfBoundsError,
  ConflictingWriteError,
  TooManyWriteRangesError,
  TooManyLeasesError,
  StorageWireError,
} as const;

/**
 * Argument checks at the storage boundary (house style 7: validate once, name the argument).
 * StorageServer runs them on every call, local or from the wire; stores trust what passes.
 * @module
 */
import { assertBytes, utf8ToBytes } from '../bytes.js';
import {
  MAX_CORRUPT_REASON_BYTES,
  MAX_SHARE_BYTES,
  MAX_SHARE_READ_BYTES,
  MAX_SHARE_WRITE_BYTES,
  MAX_SHARES,
  MAX_SHARES_PER_REQUEST,
} from '../limits.js';

/** Storage indexes are 16 bytes (Tahoe's). */
export const STORAGE_INDEX_BYTES = 16;
/** Lease renew and cancel secrets are 32 bytes (tagged hashes). */
export const LEASE_SECRET_BYTES = 32;

export function assertStorageIndex(value: unknown): asserts value is Uint8Array {
  assertBytes(value, 'storageIndex', STORAGE_INDEX_BYTES);
}

export function assertLeaseSecret(value: unknown, name: string): asserts value is Uint8Array {
  assertBytes(value, name, LEASE_SECRET_BYTES);
}

export function assertShareNum(value: unknown, name = 'shareNum'): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= MAX_SHARES) {
    throw new RangeError(`"${name}" must be an integer from 0 to ${MAX_SHARES - 1}, got ${String(value)}`);
  }
}

export function assertShareNums(value: unknown): asserts value is number[] {
  if (!Array.isArray(value)) throw new TypeError('"shareNums" expected an array');
  if (value.length > MAX_SHARES_PER_REQUEST) {
    throw new RangeError(`"shareNums" may name at most ${MAX_SHARES_PER_REQUEST} shares, got ${value.length}`);
  }
  const seen = new Set<number>();
  for (const n of value) {
    assertShareNum(n, 'shareNums[]');
    if (seen.has(n)) throw new RangeError(`"shareNums" names share ${n} twice`);
    seen.add(n);
  }
}

/** A whole number of bytes in [0, max]. */
export function assertByteCount(value: unknown, name: string, max: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new RangeError(`"${name}" must be a whole number of bytes from 0 to ${max}, got ${String(value)}`);
  }
}

export function assertAllocatedSize(value: unknown): asserts value is number {
  assertByteCount(value, 'allocatedSize', MAX_SHARE_BYTES);
}

export function assertOffset(value: unknown): asserts value is number {
  assertByteCount(value, 'offset', MAX_SHARE_BYTES);
}

export function assertWriteData(value: unknown): asserts value is Uint8Array {
  assertBytes(value, 'data');
  if (value.length > MAX_SHARE_WRITE_BYTES) {
    throw new RangeError(`"data" may be at most ${MAX_SHARE_WRITE_BYTES} bytes per write, got ${value.length}`);
  }
}

export function assertReadLength(value: unknown): asserts value is number {
  assertByteCount(value, 'length', MAX_SHARE_READ_BYTES);
}

export function assertReason(value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new TypeError('"reason" expected a string');
  const bytes = utf8ToBytes(value).length;
  if (bytes > MAX_CORRUPT_REASON_BYTES) {
    throw new RangeError(`"reason" may be at most ${MAX_CORRUPT_REASON_BYTES} bytes of UTF-8, got ${bytes}`);
  }
}

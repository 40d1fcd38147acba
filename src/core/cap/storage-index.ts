/**
 * Read key → storage index (Tahoe's storage_index_hash): where a file's shares live. It is a
 * one-way tagged hash, so servers and verify caps learn the storage index, never the key.
 * @module
 */
import { assertBytes } from '../bytes.js';
import { TAG_STORAGE_INDEX } from '../hash/tags.js';
import { taggedHash } from '../hash/tagged.js';

/** Bytes of a read key (Tahoe's KEYLEN). */
export const KEY_BYTES = 16;
/** Bytes of a storage index (128 bits: hashing a 16-byte key gains nothing from more). */
export const STORAGE_INDEX_BYTES = 16;

/** taggedHash(TAG_STORAGE_INDEX, key, 16). */
export function deriveStorageIndex(key: Uint8Array): Uint8Array {
  assertBytes(key, 'key', KEY_BYTES);
  return taggedHash(TAG_STORAGE_INDEX, key, STORAGE_INDEX_BYTES);
}

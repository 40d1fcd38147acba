/**
 * The key chain of a mutable file (Tahoe's SSK, docs/specifications/mutable.rst "Keys"), with
 * ed25519 in place of RSA: write key (= the ed25519 signing key seed) → read key → storage index,
 * and verification key → fingerprint. Each arrow is one way, so a readcap cannot write and a
 * verifycap cannot read.
 * @module
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { assertBytes } from '../bytes.js';
import { TAG_SSK_PUBKEY_FINGERPRINT, TAG_SSK_READ_KEY, TAG_SSK_STORAGE_INDEX } from '../hash/tags.js';
import { taggedHash } from '../hash/tagged.js';
import { KEY_BYTES, STORAGE_INDEX_BYTES } from './storage-index.js';

/** Bytes of a write key: a whole ed25519 seed (RFC 8032 §5.1.5), not Tahoe's 16-byte AES key. */
export const WRITE_KEY_BYTES = 32;
/** Bytes of an ed25519 verification (public) key. */
export const VERIFYING_KEY_BYTES = 32;
/** Bytes of a verification key's fingerprint (a full SHA-256d, as Tahoe's). */
export const FINGERPRINT_BYTES = 32;

/** Read key = taggedHash(TAG_SSK_READ_KEY, write key), 16 bytes. */
export function deriveSskReadKey(writeKey: Uint8Array): Uint8Array {
  assertBytes(writeKey, 'writeKey', WRITE_KEY_BYTES);
  return taggedHash(TAG_SSK_READ_KEY, writeKey, KEY_BYTES);
}

/** Storage index = taggedHash(TAG_SSK_STORAGE_INDEX, read key), 16 bytes. */
export function deriveSskStorageIndex(readKey: Uint8Array): Uint8Array {
  assertBytes(readKey, 'readKey', KEY_BYTES);
  return taggedHash(TAG_SSK_STORAGE_INDEX, readKey, STORAGE_INDEX_BYTES);
}

/** The ed25519 verification key of a write key (one scalar multiplication). */
export function deriveSskVerifyingKey(writeKey: Uint8Array): Uint8Array {
  assertBytes(writeKey, 'writeKey', WRITE_KEY_BYTES);
  return ed25519.getPublicKey(writeKey);
}

/** Fingerprint = taggedHash(TAG_SSK_PUBKEY_FINGERPRINT, verification key), 32 bytes. */
export function sskFingerprint(verifyingKey: Uint8Array): Uint8Array {
  assertBytes(verifyingKey, 'verifyingKey', VERIFYING_KEY_BYTES);
  return taggedHash(TAG_SSK_PUBKEY_FINGERPRINT, verifyingKey);
}

/** Everything a write key gives, computed once. */
export interface SskKeys {
  readonly writeKey: Uint8Array;
  readonly readKey: Uint8Array;
  readonly storageIndex: Uint8Array;
  readonly verifyingKey: Uint8Array;
  readonly fingerprint: Uint8Array;
}

export function deriveSskKeys(writeKey: Uint8Array): SskKeys {
  const readKey = deriveSskReadKey(writeKey);
  const verifyingKey = deriveSskVerifyingKey(writeKey);
  return {
    writeKey: writeKey.slice(),
    readKey,
    storageIndex: deriveSskStorageIndex(readKey),
    verifyingKey,
    fingerprint: sskFingerprint(verifyingKey),
  };
}

/**
 * Secrets a mutable file's writer derives per server and per version (Tahoe's hashutil
 * ssk_write_enabler_hash and ssk_readkey_data_hash), and the ed25519 signature over a share
 * header (@noble/curves, RFC 8032 strict verification: one valid encoding per signature).
 * @module
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { assertBytes } from '../bytes.js';
import { KEY_BYTES } from '../cap/storage-index.js';
import { VERIFYING_KEY_BYTES, WRITE_KEY_BYTES } from '../cap/ssk-keys.js';
import { CIPHER_KEY_BYTES } from '../crypto/cipher.js';
import { TAG_SSK_DATA_KEY, TAG_SSK_WRITE_ENABLER, TAG_SSK_WRITE_ENABLER_MASTER } from '../hash/tags.js';
import { taggedHash, taggedPairHash } from '../hash/tagged.js';
import { SALT_BYTES, SIGNATURE_BYTES, signedMessage } from './layout.js';

/** Bytes of a write enabler (a full SHA-256d). */
export const WRITE_ENABLER_BYTES = 32;

/**
 * The secret that lets this writer change its slot on one server: taggedPairHash of the write
 * enabler master (from the write key) and the server's node id. The server stores it on the
 * first write and demands it on every later one; bound to the node id, it is useless elsewhere.
 */
export function deriveWriteEnabler(writeKey: Uint8Array, nodeId: Uint8Array): Uint8Array {
  assertBytes(writeKey, 'writeKey', WRITE_KEY_BYTES);
  assertBytes(nodeId, 'nodeId');
  if (nodeId.length === 0) throw new RangeError('"nodeId" must not be empty');
  const master = taggedHash(TAG_SSK_WRITE_ENABLER_MASTER, writeKey);
  return taggedPairHash(TAG_SSK_WRITE_ENABLER, master, nodeId);
}

/** The ChaCha20 key of one version: taggedPairHash(TAG_SSK_DATA_KEY, salt, read key), 32 bytes. */
export function deriveDataKey(readKey: Uint8Array, salt: Uint8Array): Uint8Array {
  assertBytes(readKey, 'readKey', KEY_BYTES);
  assertBytes(salt, 'salt', SALT_BYTES);
  return taggedPairHash(TAG_SSK_DATA_KEY, salt, readKey, CIPHER_KEY_BYTES);
}

/** Signs a share header with the write key (deterministic, RFC 8032). */
export function signHeader(headerBytes: Uint8Array, writeKey: Uint8Array): Uint8Array {
  assertBytes(writeKey, 'writeKey', WRITE_KEY_BYTES);
  return ed25519.sign(signedMessage(headerBytes), writeKey);
}

/** Whether `signature` is the verification key's signature over the header (strict RFC 8032, not ZIP 215). */
export function verifyHeaderSignature(headerBytes: Uint8Array, signature: Uint8Array, verifyingKey: Uint8Array): boolean {
  if (signature.length !== SIGNATURE_BYTES || verifyingKey.length !== VERIFYING_KEY_BYTES) return false;
  try {
    return ed25519.verify(signature, signedMessage(headerBytes), verifyingKey, { zip215: false });
  } catch {
    return false; // a verification key that is not a curve point
  }
}

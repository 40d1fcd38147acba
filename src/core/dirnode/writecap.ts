/**
 * Hiding child writecaps from read-only holders (Tahoe's dirnode encrypt_rwcap): the directory's
 * entries are readable by anyone with its read key, so a child's writecap is further encrypted
 * under keys only its write key gives. Per entry: salt = taggedPairHash(TAG_DIR_WRITECAP_SALT,
 * dir write key, cap text, 16) and ChaCha20 key = taggedPairHash(TAG_DIR_WRITECAP_KEY, dir write
 * key, salt); stored as salt ‖ ciphertext. Unhiding checks the salt and that the writecap's
 * read-only form is the entry's readcap, so a tampered or swapped writecap is refused.
 * @module
 */
import { bytesToUtf8, concatBytes, equalBytes, utf8ToBytes } from '../bytes.js';
import { isWriteCap, toReadOnlyCap } from '../cap/dir.js';
import { formatCap, parseCap } from '../cap/parse.js';
import type { Cap } from '../cap/types.js';
import { CIPHER_KEY_BYTES, cryptAt } from '../crypto/cipher.js';
import { TAG_DIR_WRITECAP_KEY, TAG_DIR_WRITECAP_SALT } from '../hash/tags.js';
import { taggedPairHash } from '../hash/tagged.js';
import { DirectoryFormatError } from './errors.js';

export const HIDDEN_SALT_BYTES = 16;

function entryKey(dirWriteKey: Uint8Array, salt: Uint8Array): Uint8Array {
  return taggedPairHash(TAG_DIR_WRITECAP_KEY, dirWriteKey, salt, CIPHER_KEY_BYTES);
}

/** salt ‖ ChaCha20(writecap text) for a directory whose write key is `dirWriteKey`. */
export function hideWritecap(dirWriteKey: Uint8Array, writecap: Cap): Uint8Array {
  if (!isWriteCap(writecap)) throw new TypeError('only write caps are hidden');
  const text = utf8ToBytes(formatCap(writecap));
  const salt = taggedPairHash(TAG_DIR_WRITECAP_SALT, dirWriteKey, text, HIDDEN_SALT_BYTES);
  const key = entryKey(dirWriteKey, salt);
  const out = concatBytes(salt, cryptAt(key, 0, text));
  key.fill(0);
  return out;
}

/**
 * The writecap hidden in an entry of `name` whose readcap is `readcap`.
 * @throws DirectoryFormatError when it does not decrypt to a writecap of that very readcap.
 */
export function unhideWritecap(dirWriteKey: Uint8Array, hidden: Uint8Array, readcap: Cap, name: string): Cap {
  const bad = (why: string): never => {
    throw new DirectoryFormatError(`the entry ${JSON.stringify(name)} has a hidden writecap that ${why}`);
  };
  if (hidden.length <= HIDDEN_SALT_BYTES) bad('is too short');
  const salt = hidden.subarray(0, HIDDEN_SALT_BYTES);
  const key = entryKey(dirWriteKey, salt);
  const text = cryptAt(key, 0, hidden.subarray(HIDDEN_SALT_BYTES));
  key.fill(0);
  if (!equalBytes(salt, taggedPairHash(TAG_DIR_WRITECAP_SALT, dirWriteKey, text, HIDDEN_SALT_BYTES))) bad('does not decrypt under this directory’s write key');
  let cap: Cap;
  try {
    cap = parseCap(bytesToUtf8(text));
  } catch (cause) {
    return bad(`is not a cap (${(cause as Error).message})`);
  }
  if (!isWriteCap(cap)) bad('is not a write cap');
  if (formatCap(toReadOnlyCap(cap)) !== formatCap(readcap)) bad('belongs to another file than the entry’s readcap');
  return cap;
}

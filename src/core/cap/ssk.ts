/**
 * Mutable file caps (Tahoe's URI:SSK:, URI:SSK-RO:, URI:SSK-Verifier:, versioned as ours):
 *   URI:BRIC-SSK1:<write-key>                          32-byte write key (the ed25519 seed)
 *   URI:BRIC-SSK1-RO:<read-key>:<fingerprint>          16-byte read key, 32-byte key fingerprint
 *   URI:BRIC-SSK1-Verifier:<storage-index>:<fingerprint>
 * Each is derived from the one before (ssk-keys.ts); none can be turned back into the one above.
 * @module
 */
import { assertBytes, base32Encode } from '../bytes.js';
import { readBase32, splitFields } from './_fields.js';
import { deriveSskReadKey, deriveSskStorageIndex, deriveSskVerifyingKey, FINGERPRINT_BYTES, sskFingerprint, WRITE_KEY_BYTES } from './ssk-keys.js';
import { KEY_BYTES, STORAGE_INDEX_BYTES } from './storage-index.js';
import type { CapCodec, SskReadCap, SskVerifyCap, SskWriteCap } from './types.js';

export const SSK_PREFIX = 'URI:BRIC-SSK1:';
export const SSK_RO_PREFIX = 'URI:BRIC-SSK1-RO:';
export const SSK_VERIFIER_PREFIX = 'URI:BRIC-SSK1-Verifier:';

export const sskWriteCapCodec: CapCodec<SskWriteCap> = {
  kind: 'ssk',
  prefix: SSK_PREFIX,
  parse(body, at) {
    const [key] = splitFields(body, at, 'a mutable write cap', ['write-key']);
    return { kind: 'ssk', writeKey: readBase32(key![0], key![1], 'the write key', WRITE_KEY_BYTES) };
  },
  format(cap) {
    assertBytes(cap.writeKey, 'writeKey', WRITE_KEY_BYTES);
    return SSK_PREFIX + base32Encode(cap.writeKey);
  },
};

export const sskReadCapCodec: CapCodec<SskReadCap> = {
  kind: 'ssk-ro',
  prefix: SSK_RO_PREFIX,
  parse(body, at) {
    const [key, fp] = splitFields(body, at, 'a mutable read cap', ['read-key', 'fingerprint']);
    return {
      kind: 'ssk-ro',
      readKey: readBase32(key![0], key![1], 'the read key', KEY_BYTES),
      fingerprint: readBase32(fp![0], fp![1], 'the fingerprint', FINGERPRINT_BYTES),
    };
  },
  format(cap) {
    assertBytes(cap.readKey, 'readKey', KEY_BYTES);
    assertBytes(cap.fingerprint, 'fingerprint', FINGERPRINT_BYTES);
    return `${SSK_RO_PREFIX}${base32Encode(cap.readKey)}:${base32Encode(cap.fingerprint)}`;
  },
};

export const sskVerifyCapCodec: CapCodec<SskVerifyCap> = {
  kind: 'ssk-verifier',
  prefix: SSK_VERIFIER_PREFIX,
  parse(body, at) {
    const [si, fp] = splitFields(body, at, 'a mutable verify cap', ['storage-index', 'fingerprint']);
    return {
      kind: 'ssk-verifier',
      storageIndex: readBase32(si![0], si![1], 'the storage index', STORAGE_INDEX_BYTES),
      fingerprint: readBase32(fp![0], fp![1], 'the fingerprint', FINGERPRINT_BYTES),
    };
  },
  format(cap) {
    assertBytes(cap.storageIndex, 'storageIndex', STORAGE_INDEX_BYTES);
    assertBytes(cap.fingerprint, 'fingerprint', FINGERPRINT_BYTES);
    return `${SSK_VERIFIER_PREFIX}${base32Encode(cap.storageIndex)}:${base32Encode(cap.fingerprint)}`;
  },
};

/** The read cap of a write cap (costs one ed25519 scalar multiplication, for the fingerprint). */
export function toSskReadCap(cap: SskWriteCap): SskReadCap {
  if (cap?.kind !== 'ssk') throw new TypeError('"cap" expected a mutable write cap');
  return { kind: 'ssk-ro', readKey: deriveSskReadKey(cap.writeKey), fingerprint: sskFingerprint(deriveSskVerifyingKey(cap.writeKey)) };
}

/** The verify cap of a write or read cap. */
export function toSskVerifyCap(cap: SskWriteCap | SskReadCap | SskVerifyCap): SskVerifyCap {
  const ro = cap?.kind === 'ssk' ? toSskReadCap(cap) : cap;
  if (ro?.kind === 'ssk-verifier') return { kind: 'ssk-verifier', storageIndex: ro.storageIndex.slice(), fingerprint: ro.fingerprint.slice() };
  if (ro?.kind !== 'ssk-ro') throw new TypeError('"cap" expected a mutable write, read or verify cap');
  assertBytes(ro.fingerprint, 'fingerprint', FINGERPRINT_BYTES);
  return { kind: 'ssk-verifier', storageIndex: deriveSskStorageIndex(ro.readKey), fingerprint: ro.fingerprint.slice() };
}

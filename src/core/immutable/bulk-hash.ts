/**
 * Tagged hashes of large inputs (blocks, crypttext segments) through an injected SHA-256: the
 * platform's WebCrypto digest is 10–20× faster than @noble/hashes in V8 (test/bench/pipeline.bench.ts)
 * but core cannot see the platform. Bytes are identical to hash/tagged.ts taggedHash.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '../bytes.js';
import { netstring } from '../hash/tagged.js';

/** SHA-256 of `data` (one call, whole input). WebCrypto's crypto.subtle.digest fits; so does noble. */
export type Sha256Digest = (data: Uint8Array) => Promise<Uint8Array>;

/** The pure-JS digest, for platforms without WebCrypto and for tests. */
export const nobleSha256: Sha256Digest = (data) => Promise.resolve(sha256(data));

const prefixes = new Map<string, Uint8Array>();

/** SHA256d(netstring(tag) ‖ data): Tahoe's tagged_hash, the inner pass through `digest`. */
export async function bulkTaggedHash(digest: Sha256Digest, tag: string, data: Uint8Array): Promise<Uint8Array> {
  let prefix = prefixes.get(tag);
  if (prefix === undefined) {
    prefix = netstring(utf8ToBytes(tag));
    prefixes.set(tag, prefix);
  }
  const framed = new Uint8Array(prefix.length + data.length);
  framed.set(prefix, 0);
  framed.set(data, prefix.length);
  const inner = await digest(framed);
  if (!(inner instanceof Uint8Array) || inner.length !== 32) throw new TypeError('the SHA-256 digest function returned something other than 32 bytes');
  return sha256(inner);
}

/**
 * The platform's SHA-256 (WebCrypto) as core's Sha256Digest port: native code, 10–20× faster than
 * @noble/hashes for blocks and segments (test/bench/pipeline.bench.ts), identical bytes. Available
 * in pages, workers and Node ≥ 20; falls back to noble where crypto.subtle is missing (http origins).
 * @module
 */
import { nobleSha256, type Sha256Digest } from '../../core/immutable/bulk-hash.js';

const subtle: SubtleCrypto | undefined = globalThis.crypto?.subtle;

export const webSha256: Sha256Digest = subtle
  ? async (data) => new Uint8Array(await subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>))
  : nobleSha256;

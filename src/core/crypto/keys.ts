/**
 * Read keys: convergent (Tahoe's convergence: a tagged hash of the person's secret, the encoding
 * parameters and the plaintext, so one person's identical uploads dedup and nobody else can
 * confirm a file) or random (one pass over the file). Tahoe's key size: 16 bytes.
 * @module
 */
import { assertBytes, utf8ToBytes } from '../bytes.js';
import { TAG_CONVERGENCE_KEY } from '../hash/tags.js';
import { createTaggedHasher, netstring } from '../hash/tagged.js';
import { READ_KEY_BYTES } from './cipher.js';

/** A convergence secret shorter than this would be guessable; longer than this is a mistake. */
export const MIN_CONVERGENCE_SECRET_BYTES = 16;
export const MAX_CONVERGENCE_SECRET_BYTES = 64;

export interface ConvergenceHasher {
  /** Absorbs the next plaintext bytes, in file order. */
  update(plaintext: Uint8Array): ConvergenceHasher;
  /** The 16-byte read key. */
  digest(): Uint8Array;
}

/**
 * Streaming convergent key, as Tahoe's convergence_hasher: the tag is followed by
 * netstring(secret) and netstring("k,N,segmentSize"), then the whole plaintext; truncated to 16 bytes.
 */
export function createConvergenceHasher(secret: Uint8Array, k: number, n: number, segmentSize: number): ConvergenceHasher {
  assertConvergenceSecret(secret);
  for (const [name, v] of [['k', k], ['n', n], ['segmentSize', segmentSize]] as const) {
    if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`"${name}" must be a whole number ≥ 1, got ${v}`);
  }
  const inner = createTaggedHasher(TAG_CONVERGENCE_KEY)
    .update(netstring(secret))
    .update(netstring(utf8ToBytes(`${k},${n},${segmentSize}`)));
  const hasher: ConvergenceHasher = {
    update(plaintext) {
      inner.update(plaintext);
      return hasher;
    },
    digest: () => inner.digest(READ_KEY_BYTES),
  };
  return hasher;
}

export function assertConvergenceSecret(secret: unknown): asserts secret is Uint8Array {
  assertBytes(secret, 'convergenceSecret');
  if (secret.length < MIN_CONVERGENCE_SECRET_BYTES || secret.length > MAX_CONVERGENCE_SECRET_BYTES) {
    throw new RangeError(
      `"convergenceSecret" must be ${MIN_CONVERGENCE_SECRET_BYTES} to ${MAX_CONVERGENCE_SECRET_BYTES} bytes, got ${secret.length}`,
    );
  }
}

export function assertReadKey(key: unknown, name = 'key'): asserts key is Uint8Array {
  assertBytes(key, name, READ_KEY_BYTES);
}

/** Overwrites key material that is no longer needed (noble's clean()). */
export function wipe(...buffers: Uint8Array[]): void {
  for (const b of buffers) b.fill(0);
}

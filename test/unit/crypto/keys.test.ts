/** Convergent read keys: frozen known answers, streaming in any split, parameters and secret separate files. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../../src/core/bytes.js';
import { assertReadKey, createConvergenceHasher, wipe } from '../../../src/core/crypto/keys.js';

const vectors = JSON.parse(readFileSync(new URL('../../vectors/immutable-crypto.json', import.meta.url), 'utf8')) as {
  convergence: { secretHex: string; k: number; n: number; segmentSize: number; plaintextHex: string; keyHex: string }[];
};

describe('createConvergenceHasher', () => {
  it('matches the frozen known answers, fed whole or byte by byte', () => {
    for (const c of vectors.convergence) {
      const secret = hexToBytes(c.secretHex);
      const pt = hexToBytes(c.plaintextHex);
      expect(bytesToHex(createConvergenceHasher(secret, c.k, c.n, c.segmentSize).update(pt).digest())).toBe(c.keyHex);
      const h = createConvergenceHasher(secret, c.k, c.n, c.segmentSize);
      for (let i = 0; i < pt.length; i += 7) h.update(pt.subarray(i, i + 7));
      expect(bytesToHex(h.digest())).toBe(c.keyHex);
    }
  });

  it('gives a different key for a different secret, k, N or segment size', () => {
    const pt = new Uint8Array([1, 2, 3]);
    const s = new Uint8Array(16).fill(9);
    const base = bytesToHex(createConvergenceHasher(s, 3, 10, 999).update(pt).digest());
    const other = new Uint8Array(16).fill(8);
    expect(bytesToHex(createConvergenceHasher(other, 3, 10, 999).update(pt).digest())).not.toBe(base);
    expect(bytesToHex(createConvergenceHasher(s, 2, 10, 999).update(pt).digest())).not.toBe(base);
    expect(bytesToHex(createConvergenceHasher(s, 3, 11, 999).update(pt).digest())).not.toBe(base);
    expect(bytesToHex(createConvergenceHasher(s, 3, 10, 996).update(pt).digest())).not.toBe(base);
  });

  it('refuses short or long secrets and impossible parameters', () => {
    expect(() => createConvergenceHasher(new Uint8Array(15), 3, 10, 99)).toThrow(/16 to 64 bytes/);
    expect(() => createConvergenceHasher(new Uint8Array(65), 3, 10, 99)).toThrow(RangeError);
    expect(() => createConvergenceHasher(new Uint8Array(16), 0, 10, 99)).toThrow(RangeError);
    expect(() => createConvergenceHasher('secret' as unknown as Uint8Array, 3, 10, 99)).toThrow(TypeError);
  });
});

it('assertReadKey and wipe', () => {
  expect(() => assertReadKey(new Uint8Array(16))).not.toThrow();
  expect(() => assertReadKey(new Uint8Array(15))).toThrow(RangeError);
  const a = new Uint8Array([1, 2, 3]);
  wipe(a);
  expect(a).toEqual(new Uint8Array(3));
});

/**
 * Lease secrets: known answers (computed independently with Python's hashlib from Tahoe's
 * construction: client → file → bucket, tagged pair hashes), and separation between servers,
 * files and renew/cancel.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex, utf8ToBytes } from '../../../src/core/bytes.js';
import { deriveLeaseSecrets } from '../../../src/core/grid/lease-secrets.js';

const secret = Uint8Array.from({ length: 32 }, (_, i) => i);
const si = new Uint8Array(16).fill(7);

describe('deriveLeaseSecrets', () => {
  it('matches the known answers', () => {
    const { renewSecret, cancelSecret } = deriveLeaseSecrets(secret, si, utf8ToBytes('node-0'));
    expect(bytesToHex(renewSecret)).toBe('f0acc99275e3bd168790097f7df674a432e1feb5bd593d2bf4e62d9e2830dd6d');
    expect(bytesToHex(cancelSecret)).toBe('0665a80cdeeff7238449ff4c078a66562076e0ac3066b47ec143226ce465e28e');
  });

  it('differs per server, per file and between renew and cancel; accepts subarrays', () => {
    const a = deriveLeaseSecrets(secret, si, utf8ToBytes('node-0'));
    const b = deriveLeaseSecrets(secret, si, utf8ToBytes('node-1'));
    const c = deriveLeaseSecrets(secret, new Uint8Array(16), utf8ToBytes('node-0'));
    const hex = [a, b, c].flatMap((x) => [bytesToHex(x.renewSecret), bytesToHex(x.cancelSecret)]);
    expect(new Set(hex).size).toBe(6);
    const padded = new Uint8Array(40);
    padded.set(secret, 8);
    expect(deriveLeaseSecrets(padded.subarray(8), si, utf8ToBytes('node-0'))).toEqual(a);
  });

  it('refuses a short lease secret and an empty node id', () => {
    expect(() => deriveLeaseSecrets(new Uint8Array(8), si, utf8ToBytes('x'))).toThrow(RangeError);
    expect(() => deriveLeaseSecrets(secret, si, new Uint8Array(0))).toThrow(RangeError);
  });
});

/** The offset-addressed ChaCha20 file cipher: frozen known answers, node:crypto cross-checks, any split. */
import { createCipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../../src/core/bytes.js';
import { CIPHER_KEY_BYTES, cryptAt, deriveCipherKey } from '../../../src/core/crypto/cipher.js';

const vectors = JSON.parse(readFileSync(new URL('../../vectors/immutable-crypto.json', import.meta.url), 'utf8')) as {
  cipherKey: { readKeyHex: string; cipherKeyHex: string };
  cipherCases: { offset: number; plaintextHex: string; crypttextHex: string }[];
  rfc8439: { key: string; offset0KeystreamHex: string; offset64KeystreamHex: string };
};

const RUN = 2 ** 37;

/** OpenSSL's ChaCha20 (IV = 32-bit little-endian counter ‖ 96-bit nonce), one run at a time, by the definition. */
function nodeKeystream(key: Uint8Array, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = offset;
  while (at < offset + length) {
    const run = Math.floor(at / RUN);
    const inRun = at - run * RUN;
    const take = Math.min(offset + length - at, RUN - inRun);
    const iv = Buffer.alloc(16);
    iv.writeUInt32LE(Math.floor(inRun / 64), 0);
    iv.writeUIntLE(run, 4, 6);
    const skip = inRun % 64;
    const ks = createCipheriv('chacha20', key, iv).update(Buffer.alloc(skip + take));
    out.set(ks.subarray(skip), at - offset);
    at += take;
  }
  return out;
}

/** A copy placed at an odd byteOffset inside a bigger buffer (noble's unalign). */
function unaligned(bytes: Uint8Array, by = 3): Uint8Array {
  const big = new Uint8Array(bytes.length + by + 5);
  big.set(bytes, by);
  return big.subarray(by, by + bytes.length);
}

describe('deriveCipherKey', () => {
  it('matches the frozen known answer', () => {
    const key = deriveCipherKey(hexToBytes(vectors.cipherKey.readKeyHex));
    expect(key.length).toBe(CIPHER_KEY_BYTES);
    expect(bytesToHex(key)).toBe(vectors.cipherKey.cipherKeyHex);
    expect(bytesToHex(deriveCipherKey(unaligned(hexToBytes(vectors.cipherKey.readKeyHex))))).toBe(vectors.cipherKey.cipherKeyHex);
  });
  it('refuses read keys that are not 16 bytes', () => {
    expect(() => deriveCipherKey(new Uint8Array(32))).toThrow(RangeError);
    expect(() => deriveCipherKey('key' as unknown as Uint8Array)).toThrow(TypeError);
  });
});

describe('cryptAt', () => {
  const key = hexToBytes(vectors.cipherKey.cipherKeyHex);

  it('is RFC 8439 ChaCha20 at offsets 0 and 64 (appendix A.1 vectors 1 and 2)', () => {
    const zero = hexToBytes(vectors.rfc8439.key);
    expect(bytesToHex(cryptAt(zero, 0, new Uint8Array(64)))).toBe(vectors.rfc8439.offset0KeystreamHex);
    expect(bytesToHex(cryptAt(zero, 64, new Uint8Array(64)))).toBe(vectors.rfc8439.offset64KeystreamHex);
    expect(bytesToHex(cryptAt(zero, 0, new Uint8Array(128)))).toBe(vectors.rfc8439.offset0KeystreamHex + vectors.rfc8439.offset64KeystreamHex);
  });

  it('matches the frozen known answers (unaligned, across the 2^37 nonce boundary, far offsets)', () => {
    for (const c of vectors.cipherCases) {
      const pt = hexToBytes(c.plaintextHex);
      expect(bytesToHex(cryptAt(key, c.offset, pt)), `offset ${c.offset}`).toBe(c.crypttextHex);
      expect(bytesToHex(cryptAt(key, c.offset, hexToBytes(c.crypttextHex)))).toBe(c.plaintextHex);
    }
  });

  it('agrees with node:crypto (OpenSSL) at random offsets and lengths', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.nat({ max: 1 << 22 }), fc.integer({ min: RUN - 300, max: RUN + 300 }), fc.nat({ max: 2 ** 50 })),
        fc.nat({ max: 700 }),
        (offset, length) => {
          const ks = cryptAt(key, offset, new Uint8Array(length));
          expect(bytesToHex(ks)).toBe(bytesToHex(nodeKeystream(key, offset, length)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives the same bytes however the data is split (segments are independent)', () => {
    const data = new Uint8Array(3000).map((_, i) => i * 13);
    const whole = cryptAt(key, 1000, data);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 2999 }), { maxLength: 6 }), (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), 3000];
        const out = new Uint8Array(3000);
        for (let i = 0; i + 1 < points.length; i++) {
          const [a, b] = [points[i]!, points[i + 1]!];
          out.set(cryptAt(key, 1000 + a, unaligned(data.subarray(a, b))), a);
        }
        expect(bytesToHex(out)).toBe(bytesToHex(whole));
      }),
    );
  });

  it('works in place, on unaligned views, and on empty data', () => {
    const data = new Uint8Array(200).map((_, i) => i);
    const expected = cryptAt(key, 5, data);
    const view = unaligned(data);
    expect(cryptAt(key, 5, view, view)).toBe(view);
    expect(view).toEqual(expected);
    expect(cryptAt(key, 77, new Uint8Array(0)).length).toBe(0);
  });

  it('refuses bad keys, offsets and outputs', () => {
    expect(() => cryptAt(new Uint8Array(16), 0, new Uint8Array(1))).toThrow(RangeError);
    expect(() => cryptAt(key, -1, new Uint8Array(1))).toThrow(RangeError);
    expect(() => cryptAt(key, 0.5, new Uint8Array(1))).toThrow(RangeError);
    expect(() => cryptAt(key, Number.MAX_SAFE_INTEGER, new Uint8Array(2))).toThrow(RangeError);
    expect(() => cryptAt(key, 0, new Uint8Array(4), new Uint8Array(3))).toThrow(RangeError);
  });
});

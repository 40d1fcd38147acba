/** Mutable and directory caps: golden strings, the one-way key chain, strict rejection, round trips. */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../../src/core/bytes.js';
import { isDirectoryCap, isImmutableCap, isWriteCap, toAnyVerifyCap, toReadOnlyCap } from '../../../src/core/cap/dir.js';
import { BadCapPrefixError, CapError, CapParamsError, MalformedCapError } from '../../../src/core/cap/errors.js';
import { formatCap, parseCap } from '../../../src/core/cap/parse.js';
import { toSskReadCap, toSskVerifyCap } from '../../../src/core/cap/ssk.js';
import { deriveSskKeys } from '../../../src/core/cap/ssk-keys.js';
import type { Cap, SskWriteCap } from '../../../src/core/cap/types.js';

const vectors = JSON.parse(readFileSync(new URL('../../vectors/mutable-caps.json', import.meta.url), 'utf8')) as {
  source: string;
  ssk: Record<string, string>[];
  snapshots: { note: string; text: string; file: string; verifyCap?: string }[];
  invalid: { text: string; error: string; why: string }[];
};
const ERRORS = { BadCapPrefixError, MalformedCapError, CapParamsError } as Record<string, typeof CapError>;

/** Ed25519 public key of a 32-byte seed by node:crypto (an implementation independent of @noble/curves). */
function nodeEd25519PublicKey(seed: Uint8Array): string {
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seed)]);
  const spki = createPublicKey(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })).export({ format: 'der', type: 'spki' });
  return spki.subarray(spki.length - 32).toString('hex');
}

describe('golden mutable caps', () => {
  it('names its source', () => expect(vectors.source.length).toBeGreaterThan(20));
  for (const g of vectors.ssk) {
    it(g.note!, () => {
      const writeKey = hexToBytes(g.writeKeyHex!);
      const keys = deriveSskKeys(writeKey);
      expect(bytesToHex(keys.verifyingKey)).toBe(g.verifyingKeyHex);
      expect(nodeEd25519PublicKey(writeKey)).toBe(g.verifyingKeyHex);
      expect(bytesToHex(keys.readKey)).toBe(g.readKeyHex);
      expect(bytesToHex(keys.storageIndex)).toBe(g.storageIndexHex);
      expect(bytesToHex(keys.fingerprint)).toBe(g.fingerprintHex);

      const w = parseCap(g.writeCap!) as SskWriteCap;
      expect(w).toEqual({ kind: 'ssk', writeKey });
      expect(formatCap(toSskReadCap(w))).toBe(g.readCap);
      expect(formatCap(toSskVerifyCap(w))).toBe(g.verifyCap);
      expect(formatCap(toSskVerifyCap(toSskReadCap(w)))).toBe(g.verifyCap);
      for (const text of [g.writeCap!, g.readCap!, g.verifyCap!, g.dirWriteCap!, g.dirReadCap!, g.dirVerifyCap!]) {
        expect(formatCap(parseCap(text))).toBe(text);
      }
      const dir = parseCap(g.dirWriteCap!);
      expect(dir).toEqual({ kind: 'dir', file: w });
      expect(formatCap(toReadOnlyCap(dir))).toBe(g.dirReadCap);
      expect(formatCap(toAnyVerifyCap(dir)!)).toBe(g.dirVerifyCap);
      expect(formatCap(toAnyVerifyCap(parseCap(g.dirReadCap!))!)).toBe(g.dirVerifyCap);
    });
  }
  for (const s of vectors.snapshots) {
    it(s.note, () => {
      const cap = parseCap(s.text);
      expect(cap.kind === 'dir-chk' || cap.kind === 'dir-lit').toBe(true);
      expect((cap as { file: Cap }).file).toEqual(parseCap(s.file));
      expect(formatCap(cap)).toBe(s.text);
      if (s.verifyCap !== undefined) expect(formatCap(toAnyVerifyCap(cap)!)).toBe(s.verifyCap);
      else expect(toAnyVerifyCap(cap)).toBeUndefined();
      expect(isImmutableCap(cap) && isDirectoryCap(cap) && !isWriteCap(cap)).toBe(true);
    });
  }
});

describe('strict rejection of malformed mutable caps', () => {
  for (const bad of vectors.invalid) {
    it(`${bad.error}: ${bad.why}`, () => {
      let caught: unknown;
      try {
        parseCap(bad.text);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ERRORS[bad.error]);
      expect((caught as Error).name).toBe(bad.error);
      // A cap is a secret: its fields never appear in the message.
      expect((caught as Error).message).not.toContain('aaaqeayeaudaocajbifqydiob4ibceqtcqkrmfyydenbwha5dypq');
    });
  }
  it('formatCap refuses keys of the wrong length and mismatched wrappers', () => {
    expect(() => formatCap({ kind: 'ssk', writeKey: new Uint8Array(16) })).toThrow(RangeError);
    expect(() => formatCap({ kind: 'ssk-ro', readKey: new Uint8Array(16), fingerprint: new Uint8Array(31) })).toThrow(RangeError);
    expect(() => formatCap({ kind: 'dir', file: { kind: 'ssk-ro' } } as unknown as Cap)).toThrow(TypeError);
  });
  it('derivations refuse the wrong kind of cap', () => {
    expect(() => toSskReadCap({ kind: 'ssk-ro' } as unknown as SskWriteCap)).toThrow(TypeError);
    expect(() => toSskVerifyCap({ kind: 'chk' } as unknown as SskWriteCap)).toThrow(TypeError);
  });
});

describe('properties', () => {
  const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
  it('every write key round-trips through all six mutable forms, from subarrays too', () => {
    fc.assert(
      fc.property(key32, fc.nat(7), (bytes, offset) => {
        const buf = new Uint8Array(offset + 32);
        buf.set(bytes, offset);
        const w: SskWriteCap = { kind: 'ssk', writeKey: buf.subarray(offset) };
        const caps: Cap[] = [w, toSskReadCap(w), toSskVerifyCap(w), { kind: 'dir', file: w }, { kind: 'dir-ro', file: toSskReadCap(w) }];
        for (const cap of caps) {
          const text = formatCap(cap);
          expect(formatCap(parseCap(text))).toBe(text);
        }
      }),
      { numRuns: 40 },
    );
  });
  it('read-only forms never carry the write key, and are fixed points of toReadOnlyCap', () => {
    fc.assert(
      fc.property(key32, (writeKey) => {
        const ro = toReadOnlyCap({ kind: 'ssk', writeKey });
        const text = formatCap(ro);
        expect(text.startsWith('URI:BRIC-SSK1-RO:')).toBe(true);
        expect(text).not.toContain(formatCap({ kind: 'ssk', writeKey }).slice('URI:BRIC-SSK1:'.length));
        expect(toReadOnlyCap(ro)).toBe(ro);
        expect(isWriteCap(ro)).toBe(false);
      }),
      { numRuns: 20 },
    );
  });
  it('distinct write keys give distinct storage indexes and fingerprints', () => {
    const a = deriveSskKeys(new Uint8Array(32));
    const b = deriveSskKeys(new Uint8Array(32).fill(1));
    expect(a.storageIndex).not.toEqual(b.storageIndex);
    expect(a.fingerprint).not.toEqual(b.fingerprint);
  });
});

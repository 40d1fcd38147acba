/** Caps: golden strings, strict rejection with named errors, round trips, verify caps. */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../../src/core/bytes.js';
import { toVerifyCap } from '../../../src/core/cap/chk.js';
import { BadCapPrefixError, CapError, CapParamsError, MalformedCapError } from '../../../src/core/cap/errors.js';
import { formatCap, parseCap } from '../../../src/core/cap/parse.js';
import { deriveStorageIndex } from '../../../src/core/cap/storage-index.js';
import type { Cap, ChkReadCap, ChkVerifyCap, LitCap } from '../../../src/core/cap/types.js';
import { BricError } from '../../../src/core/errors.js';
import { LIT_MAX_BYTES, MAX_SHARES } from '../../../src/core/limits.js';

interface Golden {
  text: string;
  kind: string;
  keyHex?: string;
  storageIndexHex?: string;
  uebHashHex?: string;
  dataHex?: string;
  k?: number;
  n?: number;
  size?: number;
  verifyCap?: string;
  note: string;
}
const vectors = JSON.parse(readFileSync(new URL('../../vectors/caps.json', import.meta.url), 'utf8')) as {
  source: string;
  valid: Golden[];
  invalid: { text: string; error: string; why: string }[];
};

const ERRORS = { BadCapPrefixError, MalformedCapError, CapParamsError } as Record<string, typeof CapError>;

describe('golden caps', () => {
  it('names its source', () => expect(vectors.source.length).toBeGreaterThan(20));
  for (const g of vectors.valid) {
    it(`${g.kind}: ${g.note}`, () => {
      const cap = parseCap(g.text);
      expect(cap.kind).toBe(g.kind);
      if (cap.kind === 'chk') {
        expect(bytesToHex(cap.key)).toBe(g.keyHex);
        expect(bytesToHex(deriveStorageIndex(cap.key))).toBe(g.storageIndexHex);
        expect(formatCap(toVerifyCap(cap))).toBe(g.verifyCap);
      }
      if (cap.kind === 'chk-verifier') expect(bytesToHex(cap.storageIndex)).toBe(g.storageIndexHex);
      if (cap.kind === 'lit') expect(bytesToHex(cap.data)).toBe(g.dataHex);
      else if (cap.kind === 'chk' || cap.kind === 'chk-verifier') {
        expect(bytesToHex(cap.uebHash)).toBe(g.uebHashHex);
        expect([cap.k, cap.n, cap.size]).toEqual([g.k, g.n, g.size]);
      }
      expect(formatCap(cap)).toBe(g.text);
    });
  }
});

describe('strict rejection', () => {
  for (const bad of vectors.invalid) {
    it(`${bad.error}: ${bad.why}`, () => {
      let caught: unknown;
      try {
        parseCap(bad.text);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(ERRORS[bad.error]);
      expect(caught).toBeInstanceOf(CapError);
      expect(caught).toBeInstanceOf(BricError);
      expect((caught as Error).name).toBe(bad.error);
    });
  }
  it('non-strings are MalformedCapError', () => {
    for (const x of [undefined, null, 42, {}, [], new Uint8Array(3), Symbol('x')]) {
      expect(() => parseCap(x as unknown as string)).toThrow(MalformedCapError);
    }
  });
  it('messages name the problem, and never repeat the key', () => {
    const g = vectors.valid[0]!;
    const key = g.text.split(':')[2]!;
    const msg = (text: string): string => {
      try {
        parseCap(text);
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error('expected a failure');
    };
    expect(msg(g.text.replace(key, `${key.slice(0, 5)}1${key.slice(6)}`))).toBe(
      'the read key has "1" at position 19, which is not a base32 character (a–z, 2–7)',
    );
    expect(msg(g.text.replace(':3:10:', ':11:10:'))).toMatch(/k = 11 is more than N = 10/);
    expect(msg(g.text.replace(':3:10:', ':3:300:'))).toMatch(/N = 300 shares is outside 1–256/);
    expect(msg(g.text.replace(':3:10:', ':03:10:'))).toMatch(/k has a leading zero/);
    expect(msg(`${g.text}:x`)).toMatch(/5 fields/);
    expect(msg('URI:BRIC-LIT1:' + 'a'.repeat(100))).toMatch(/at most 55 bytes/);
    expect(msg('URI:CHK:' + g.text.slice(14))).toMatch(/Tahoe-LAFS cap/);
    for (const bad of vectors.invalid) {
      if (bad.text.length > 30) expect(msg(bad.text)).not.toContain(key);
    }
  });
});

const chkArb = fc.record({
  kind: fc.constant('chk' as const),
  key: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  uebHash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  n: fc.integer({ min: 1, max: MAX_SHARES }),
  k: fc.integer({ min: 1, max: MAX_SHARES }),
  size: fc.oneof(fc.nat(), fc.maxSafeNat(), fc.constant(Number.MAX_SAFE_INTEGER), fc.constant(0)),
}).map((c): ChkReadCap => ({ ...c, k: Math.min(c.k, c.n) }));
const litArb = fc
  .uint8Array({ maxLength: LIT_MAX_BYTES })
  .map((data): LitCap => ({ kind: 'lit', data }));
const capArb: fc.Arbitrary<Cap> = fc.oneof(chkArb, chkArb.map(toVerifyCap), litArb);

describe('round trips', () => {
  it('property: parseCap(formatCap(c)) equals c, and formatCap(parseCap(s)) === s', () => {
    fc.assert(
      fc.property(capArb, (cap) => {
        const text = formatCap(cap);
        const back = parseCap(text);
        expect(back).toEqual(cap);
        expect(formatCap(back)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
  it('property: a one-character change is rejected or is another valid cap that formats back to itself', () => {
    const chars = 'abcdefghijklmnopqrstuvwxyz234567ABZ019:- \n=+.';
    fc.assert(
      fc.property(capArb, fc.nat(), fc.constantFrom(...chars), (cap, pos, ch) => {
        const text = formatCap(cap);
        const i = pos % text.length;
        const mutated = text.slice(0, i) + ch + text.slice(i + 1);
        let parsed: Cap | undefined;
        try {
          parsed = parseCap(mutated);
        } catch (e) {
          expect(e).toBeInstanceOf(CapError);
          return;
        }
        expect(formatCap(parsed)).toBe(mutated);
      }),
      { numRuns: 1000 },
    );
  });
  it('parsed byte fields are fresh arrays (no aliasing between two parses)', () => {
    const text = vectors.valid[0]!.text;
    const a = parseCap(text) as ChkReadCap;
    const b = parseCap(text) as ChkReadCap;
    a.key.fill(0);
    expect(b.key).not.toEqual(a.key);
  });
  it('formatCap accepts subarrays at a non-zero offset', () => {
    const buf = new Uint8Array(1 + 16 + 32);
    buf.set(hexToBytes(vectors.valid[0]!.keyHex!), 1);
    buf.set(hexToBytes(vectors.valid[0]!.uebHashHex!), 17);
    const cap: ChkReadCap = { kind: 'chk', key: buf.subarray(1, 17), uebHash: buf.subarray(17), k: 3, n: 10, size: 1000000 };
    expect(formatCap(cap)).toBe(vectors.valid[0]!.text);
  });
});

describe('formatCap validates like parseCap', () => {
  const base = parseCap(vectors.valid[0]!.text) as ChkReadCap;
  it('bad parameters', () => {
    for (const bad of [{ k: 0 }, { k: 11 }, { n: 257, k: 3 }, { size: -1 }, { size: 2 ** 53 }, { k: 1.5 }, { size: Number.NaN }]) {
      expect(() => formatCap({ ...base, ...bad })).toThrow(CapParamsError);
    }
    expect(() => formatCap({ ...base, key: new Uint8Array(15) })).toThrow(RangeError);
    expect(() => formatCap({ kind: 'lit', data: new Uint8Array(LIT_MAX_BYTES + 1) })).toThrow(CapParamsError);
    expect(() => formatCap({ kind: 'nope' } as unknown as Cap)).toThrow(TypeError);
    expect(() => formatCap(null as unknown as Cap)).toThrow(TypeError);
  });
});

describe('verify caps and storage index', () => {
  it('deriveStorageIndex is taggedHash(TAG_STORAGE_INDEX, key, 16) and wants 16 bytes', () => {
    const g = vectors.valid[0]!;
    expect(bytesToHex(deriveStorageIndex(hexToBytes(g.keyHex!)))).toBe(g.storageIndexHex);
    expect(() => deriveStorageIndex(new Uint8Array(32))).toThrow(RangeError);
    expect(() => deriveStorageIndex('k' as unknown as Uint8Array)).toThrow(TypeError);
  });
  it('a verify cap carries no key: neither as a field nor inside its text', () => {
    fc.assert(
      fc.property(chkArb, (cap) => {
        const v: ChkVerifyCap = toVerifyCap(cap);
        expect(Object.keys(v).sort()).toEqual(['k', 'kind', 'n', 'size', 'storageIndex', 'uebHash']);
        const text = formatCap(v);
        expect(text.startsWith('URI:BRIC-CHK1-Verifier:')).toBe(true);
        expect(text).not.toContain(formatCap(cap).split(':')[2]);
        expect(v.storageIndex).toEqual(deriveStorageIndex(cap.key));
      }),
    );
  });
  it('toVerifyCap refuses what is not a read cap', () => {
    expect(() => toVerifyCap({ kind: 'lit', data: new Uint8Array(0) } as unknown as ChkReadCap)).toThrow(TypeError);
  });
});

describe('types', () => {
  it('parseCap returns the Cap union; kind narrows it', () => {
    expectTypeOf(parseCap).returns.toEqualTypeOf<Cap>();
    expectTypeOf<Cap['kind']>().toEqualTypeOf<
      'chk' | 'chk-verifier' | 'lit' | 'ssk' | 'ssk-ro' | 'ssk-verifier' | 'dir' | 'dir-ro' | 'dir-verifier' | 'dir-chk' | 'dir-chk-verifier' | 'dir-lit'
    >();
    expectTypeOf(toVerifyCap).returns.toEqualTypeOf<ChkVerifyCap>();
    expectTypeOf(formatCap).parameter(0).toEqualTypeOf<Cap>();
  });
});

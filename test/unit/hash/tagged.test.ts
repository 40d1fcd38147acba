/** Tagged SHA-256d: Tahoe's known answers, node:crypto cross-checks, frozen bric KATs, hostile inputs. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base32Encode, bytesToHex, concatBytes, hexToBytes } from '../../../src/core/bytes.js';
import * as tags from '../../../src/core/hash/tags.js';
import { createTaggedHasher, netstring, sha256d, taggedHash, taggedPairHash } from '../../../src/core/hash/tagged.js';

interface Kat {
  name?: string;
  kind: 'single' | 'pair';
  tag: string;
  dataHex?: string;
  aHex?: string;
  bHex?: string;
  truncateTo: number;
  base32?: string;
  hex?: string;
}
const vectors = JSON.parse(readFileSync(new URL('../../vectors/tagged-hash.json', import.meta.url), 'utf8')) as {
  source: string;
  tahoe: Kat[];
  bric: Kat[];
};

function runKat(v: Kat): Uint8Array {
  return v.kind === 'single'
    ? taggedHash(v.tag, hexToBytes(v.dataHex!), v.truncateTo)
    : taggedPairHash(v.tag, hexToBytes(v.aHex!), hexToBytes(v.bHex!), v.truncateTo);
}

/** Independent reference over node:crypto. */
function refSha256d(data: Uint8Array): Uint8Array {
  const inner = createHash('sha256').update(data).digest();
  return new Uint8Array(createHash('sha256').update(inner).digest());
}
function refNetstring(data: Uint8Array): Uint8Array {
  return concatBytes(new TextEncoder().encode(`${data.length}:`), data, new Uint8Array([0x2c]));
}

/** The same bytes at a non-zero byteOffset (noble's unalign). */
function unalign(bytes: Uint8Array, by = 3): Uint8Array {
  const buf = new Uint8Array(bytes.length + by);
  buf.set(bytes, by);
  return buf.subarray(by);
}

describe('Tahoe known answers (test_hashutil.py)', () => {
  it('the vectors file names its source', () => {
    expect(vectors.source).toMatch(/test_hashutil\.py/);
    expect(vectors.tahoe.length).toBeGreaterThanOrEqual(15);
  });
  for (const v of vectors.tahoe) {
    it(v.name!, () => {
      expect(base32Encode(runKat(v))).toBe(v.base32);
    });
  }
});

describe('bric tag known answers', () => {
  for (const [i, v] of vectors.bric.entries()) {
    it(`${i}: ${v.kind} ${v.tag} /${v.truncateTo}`, () => {
      expect(bytesToHex(runKat(v))).toBe(v.hex);
    });
  }
  it('every tag in tags.ts is versioned, unique and bric-prefixed', () => {
    const values = Object.values(tags);
    expect(new Set(values).size).toBe(values.length);
    for (const t of values) expect(t).toMatch(/^bric_[a-z0-9_]+_v[0-9]+$/);
  });
});

describe('sha256d and netstring', () => {
  it('sha256d of "" and "abc" against node:crypto', () => {
    for (const s of ['', 'abc', 'hello world']) {
      const d = new TextEncoder().encode(s);
      expect(bytesToHex(sha256d(d))).toBe(bytesToHex(refSha256d(d)));
    }
    // sha256d("") frozen: sha256(e3b0c442…)
    expect(bytesToHex(sha256d(new Uint8Array(0)))).toBe(
      '5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456',
    );
  });
  it('netstring framing', () => {
    expect(new TextDecoder().decode(netstring(new TextEncoder().encode('hello')))).toBe('5:hello,');
    expect(new TextDecoder().decode(netstring(new Uint8Array(0)))).toBe('0:,');
    expect(netstring(new Uint8Array(1000)).subarray(0, 5)).toEqual(new TextEncoder().encode('1000:'));
  });
  it('property: taggedHash / taggedPairHash equal the node:crypto reference, aligned or not', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.values(tags)),
        fc.uint8Array({ maxLength: 300 }),
        fc.uint8Array({ maxLength: 80 }),
        fc.integer({ min: 1, max: 32 }),
        (tag, a, b, t) => {
          const tagNs = refNetstring(new TextEncoder().encode(tag));
          const single = refSha256d(concatBytes(tagNs, a)).subarray(0, t);
          const pair = refSha256d(concatBytes(tagNs, refNetstring(a), refNetstring(b))).subarray(0, t);
          expect(taggedHash(tag, unalign(a), t)).toEqual(single);
          expect(taggedPairHash(tag, unalign(a), unalign(b, 5), t)).toEqual(pair);
          expect(taggedHash(tag, a, t).length).toBe(t);
        },
      ),
    );
  });
});

describe('createTaggedHasher', () => {
  it('streaming in any split equals the one-shot hash; digest is repeatable', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), fc.array(fc.nat(500), { maxLength: 5 }), (data, cuts) => {
        const h = createTaggedHasher(tags.TAG_BLOCK);
        const points = [0, ...cuts.map((c) => c % (data.length + 1)).sort((x, y) => x - y), data.length];
        for (let i = 1; i < points.length; i++) h.update(unalign(data.subarray(points[i - 1], points[i])));
        const one = taggedHash(tags.TAG_BLOCK, data);
        expect(h.digest()).toEqual(one);
        expect(h.digest()).toEqual(one);
        expect(h.digest(16)).toEqual(one.subarray(0, 16));
      }),
    );
  });
  it('update after digest throws; chaining returns the hasher', () => {
    const h = createTaggedHasher(tags.TAG_UEB);
    expect(h.update(new Uint8Array(1))).toBe(h);
    h.digest();
    expect(() => h.update(new Uint8Array(1))).toThrow(/after digest/);
  });
  it('hashers of one tag do not share state', () => {
    const a = createTaggedHasher(tags.TAG_BLOCK).update(new Uint8Array([1]));
    const b = createTaggedHasher(tags.TAG_BLOCK);
    expect(b.digest()).toEqual(taggedHash(tags.TAG_BLOCK, new Uint8Array(0)));
    expect(a.digest()).toEqual(taggedHash(tags.TAG_BLOCK, new Uint8Array([1])));
  });
});

describe('hostile inputs', () => {
  const notBytes: unknown[] = [undefined, null, 'abc', 1, [1, 2], {}, new ArrayBuffer(4), new Uint16Array(2)];
  it('non-bytes data is a TypeError naming the argument', () => {
    for (const x of notBytes) {
      expect(() => taggedHash(tags.TAG_BLOCK, x as Uint8Array)).toThrow(TypeError);
      expect(() => taggedPairHash(tags.TAG_BLOCK, x as Uint8Array, new Uint8Array(0))).toThrow(/"a"/);
      expect(() => taggedPairHash(tags.TAG_BLOCK, new Uint8Array(0), x as Uint8Array)).toThrow(/"b"/);
      expect(() => sha256d(x as Uint8Array)).toThrow(TypeError);
      expect(() => netstring(x as Uint8Array)).toThrow(TypeError);
    }
  });
  it('bad truncation is a RangeError', () => {
    for (const t of [0, -1, 33, 1.5, Number.NaN]) {
      expect(() => taggedHash(tags.TAG_BLOCK, new Uint8Array(0), t)).toThrow(RangeError);
      expect(() => createTaggedHasher(tags.TAG_BLOCK).digest(t)).toThrow(RangeError);
    }
  });
  it('bad tags are refused', () => {
    expect(() => taggedHash('', new Uint8Array(0))).toThrow(TypeError);
    expect(() => taggedHash(7 as unknown as string, new Uint8Array(0))).toThrow(TypeError);
    expect(() => taggedHash('tag\u00e9', new Uint8Array(0))).toThrow(RangeError);
  });
});

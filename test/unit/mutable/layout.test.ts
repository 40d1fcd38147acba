/** Mutable shares: golden bytes, strict parsing, every byte covered by a check, any k of N decode. */
import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes, utf8ToBytes } from '../../../src/core/bytes.js';
import { deriveSskKeys } from '../../../src/core/cap/ssk-keys.js';
import { MAX_MUTABLE_FILE_BYTES } from '../../../src/core/limits.js';
import { BadMutableShareError, MutableFileTooLargeError, MutableShareVersionError } from '../../../src/core/mutable/errors.js';
import { deriveDataKey, deriveWriteEnabler, signHeader } from '../../../src/core/mutable/keys.js';
import {
  CHECKSTRING_BYTES,
  mutableShareSize,
  parseMutableShare,
  parseSharePrefix,
  SHARE_PREFIX_BYTES,
  SIGNED_HEADER_BYTES,
  signedMessage,
} from '../../../src/core/mutable/layout.js';
import { decodeVersion, encodeVersion, verifyShare } from '../../../src/core/mutable/version.js';

const golden = JSON.parse(readFileSync(new URL('../../vectors/mutable-shares.json', import.meta.url), 'utf8')) as {
  source: string;
  writeKeyHex: string;
  saltHex: string;
  seqnum: number;
  k: number;
  n: number;
  contentsUtf8: string;
  signedHeaderHex: string;
  rootHashHex: string;
  dataKeyHex: string;
  shares: string[];
  writeEnablers: { nodeIdUtf8: string; hex: string }[];
};
const keys = deriveSskKeys(hexToBytes(golden.writeKeyHex));
const salt = hexToBytes(golden.saltHex);

function encodeGolden() {
  return encodeVersion(keys, { seqnum: golden.seqnum, salt, k: golden.k, n: golden.n }, utf8ToBytes(golden.contentsUtf8));
}

/** Re-signs a header with the golden key after a change (a writer making a bad share on purpose). */
function resign(share: Uint8Array, change: (header: Uint8Array) => void): Uint8Array {
  const out = share.slice();
  change(out);
  const sig = encodeVersionSignature(out.subarray(0, SIGNED_HEADER_BYTES));
  out.set(sig, 108);
  return out;
}
const encodeVersionSignature = (header: Uint8Array): Uint8Array => signHeader(header, keys.writeKey);

describe('golden mutable shares', () => {
  it('names its source', () => expect(golden.source.length).toBeGreaterThan(20));
  it('encodes to the frozen bytes', () => {
    const v = encodeGolden();
    expect(bytesToHex(v.headerBytes)).toBe(golden.signedHeaderHex);
    expect(bytesToHex(v.header.rootHash)).toBe(golden.rootHashHex);
    expect(v.shares.map(bytesToHex)).toEqual(golden.shares);
    expect(bytesToHex(deriveDataKey(keys.readKey, salt))).toBe(golden.dataKeyHex);
  });
  it('signatures verify with node:crypto (an Ed25519 independent of @noble/curves)', () => {
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(keys.verifyingKey)]);
    const publicKey = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    for (const [i, hex] of golden.shares.entries()) {
      const share = parseMutableShare(hexToBytes(hex), i);
      expect(verify(null, signedMessage(share.headerBytes), publicKey, share.signature)).toBe(true);
    }
    // The signed message is the tag's netstring, then the header.
    expect(Buffer.from(signedMessage(new Uint8Array(0))).toString()).toBe('21:bric_ssk_signature_v1,');
  });
  it('parses into the fields the offset table names', () => {
    const share = parseMutableShare(hexToBytes(golden.shares[2]!), 2);
    expect(share.header).toMatchObject({ seqnum: 3, k: 2, n: 3, segmentSize: 28, dataLength: 28 });
    expect(bytesToHex(share.header.salt)).toBe(golden.saltHex);
    expect([...share.chain.keys()]).toEqual([6, 1]);
    expect(share.block.length).toBe(14);
    expect(mutableShareSize(share.header)).toBe(SHARE_PREFIX_BYTES + 2 * 34 + 32 + 14);
    verifyShare(share, keys.fingerprint);
  });
  it('write enablers are bound to the node id', () => {
    for (const w of golden.writeEnablers) expect(bytesToHex(deriveWriteEnabler(keys.writeKey, utf8ToBytes(w.nodeIdUtf8)))).toBe(w.hex);
    expect(golden.writeEnablers[0]!.hex).not.toBe(golden.writeEnablers[1]!.hex);
  });
});

describe('decoding', () => {
  it('any k of N verified shares give the contents back, for many k, N and sizes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 8 }), fc.uint8Array({ maxLength: 300 }), fc.integer(), (k, extra, contents, seed) => {
        const n = k + extra;
        const v = encodeVersion(keys, { seqnum: 1, salt, k, n }, contents);
        const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => ((a * 7919 + seed) % n) - ((b * 7919 + seed) % n));
        const blocks = new Map<number, Uint8Array>();
        for (const i of order.slice(0, k)) blocks.set(i, parseMutableShare(v.shares[i]!, i).block);
        verifyShare(parseMutableShare(v.shares[order[0]!]!, order[0]!), keys.fingerprint);
        expect(decodeVersion(v.header, keys.readKey, blocks)).toEqual(contents);
      }),
      { numRuns: 30 },
    );
  });
  it('the ciphertext does not contain the plaintext, and a new salt changes every block', () => {
    const contents = utf8ToBytes('the same contents, twice, twice, twice');
    const a = encodeVersion(keys, { seqnum: 1, salt, k: 1, n: 2 }, contents);
    const b = encodeVersion(keys, { seqnum: 1, salt: salt.map((x) => x ^ 1), k: 1, n: 2 }, contents);
    expect(Buffer.from(a.shares[0]!).includes(Buffer.from(contents))).toBe(false);
    expect(parseMutableShare(a.shares[0]!, 0).block).not.toEqual(parseMutableShare(b.shares[0]!, 0).block);
  });
  it('refuses contents over the bound with a named error', () => {
    expect(() => encodeVersion(keys, { seqnum: 1, salt, k: 1, n: 1 }, new Uint8Array(MAX_MUTABLE_FILE_BYTES + 1))).toThrow(MutableFileTooLargeError);
  });
});

describe('strict parsing and verification', () => {
  const share0 = hexToBytes(golden.shares[0]!);
  const reject = (bytes: Uint8Array, shareNum = 0): BadMutableShareError => {
    let caught: unknown;
    try {
      verifyShare(parseMutableShare(bytes, shareNum), keys.fingerprint);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(BadMutableShareError);
    return caught as BadMutableShareError;
  };

  it('a bit changed in any byte of a share is caught', () => {
    for (let at = 0; at < share0.length; at++) {
      const bad = share0.slice();
      bad[at]! ^= 1 << at % 8;
      reject(bad);
    }
  });
  it('truncated and extended shares are refused, naming the sizes', () => {
    for (const len of [0, 1, CHECKSTRING_BYTES, SIGNED_HEADER_BYTES, SHARE_PREFIX_BYTES - 1, SHARE_PREFIX_BYTES, share0.length - 1]) {
      reject(share0.subarray(0, len));
    }
    expect(reject(new Uint8Array([...share0, 0])).message).toMatch(/implies/);
  });
  it('a share filed under another number is refused', () => {
    expect(reject(share0, 1).message).toMatch(/says it is share 0/);
  });
  it('an unknown layout version is a MutableShareVersionError', () => {
    const bad = share0.slice();
    bad[5] = 2;
    expect(() => parseMutableShare(bad, 0)).toThrow(MutableShareVersionError);
  });
  it('out-of-range header fields are refused even when properly signed', () => {
    const cases: [string, (h: Uint8Array) => void][] = [
      ['seqnum 0', (h) => h.fill(0, 6, 14)],
      ['k above N', (h) => (h[63] = 4)],
      ['k of 0', (h) => (h[63] = 0)],
      ['segment size not the rounded length', (h) => (h[69] = 29)],
      ['data length over the bound', (h) => h.set([0xff, 0xff, 0xff, 0xff], 70)],
    ];
    for (const [what, change] of cases) expect(() => parseMutableShare(resign(share0, change), 0), what).toThrow(BadMutableShareError);
  });
  it('a share signed by another key is refused even though its signature is valid', () => {
    const other = deriveSskKeys(new Uint8Array(32).fill(9));
    const forged = encodeVersion(other, { seqnum: 99, salt, k: 2, n: 3 }, utf8ToBytes('forged'));
    const share = parseMutableShare(forged.shares[0]!, 0);
    expect(() => verifyShare(share, keys.fingerprint)).toThrow(/not the one the cap names/);
  });
  it('the prefix alone parses (the servermap reads only it)', () => {
    const prefix = parseSharePrefix(share0.subarray(0, SHARE_PREFIX_BYTES), 0);
    expect(prefix.header.seqnum).toBe(3);
    expect(() => parseSharePrefix(share0.subarray(0, SHARE_PREFIX_BYTES - 1), 0)).toThrow(BadMutableShareError);
  });
  it('reads from subarrays at any offset', () => {
    const buf = new Uint8Array(share0.length + 3);
    buf.set(share0, 3);
    verifyShare(parseMutableShare(buf.subarray(3), 0), keys.fingerprint);
  });
});

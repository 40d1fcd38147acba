/**
 * Golden shares: bric's encoder must write exactly the bytes an independent Python reference
 * encoder (zfec + hashlib + OpenSSL ChaCha20) wrote for the same inputs, and decode them back.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../../src/core/bytes.js';
import { decodeImmutable } from '../../../src/core/immutable/decode.js';
import { encodeImmutable, prepareImmutable, type Keying } from '../../../src/core/immutable/encode.js';
import { computeShareSize } from '../../../src/core/immutable/layout.js';
import { createInThreadRunner } from '../../../src/core/immutable/runner.js';
import { bytesFileSource } from '../../../src/core/immutable/source.js';
import { golden } from './_golden.js';
import { collect, memorySource, MemoryShares } from './_helpers.js';

const signal = new AbortController().signal;

describe.each(golden.cases)('$name', (c) => {
  const plaintext = hexToBytes(c.plaintextHex);
  const params = { k: c.k, n: c.n, segmentSize: c.segmentSize };
  const keying: Keying =
    c.randomKeyHex !== undefined ? { randomKey: hexToBytes(c.randomKeyHex) } : { convergenceSecret: hexToBytes(c.convergenceSecretHex!) };

  it('encodes to exactly the reference bytes', async () => {
    const source = bytesFileSource(plaintext);
    const prepared = await prepareImmutable(source, params, keying, { signal });
    expect(prepared.params.segmentSize).toBe(c.effectiveSegmentSize);
    expect(bytesToHex(prepared.key)).toBe(c.keyHex);
    expect(bytesToHex(prepared.storageIndex)).toBe(c.storageIndexHex);
    expect(prepared.shareSize).toBe(c.sharesHex[0]!.length / 2);
    expect(computeShareSize(params, plaintext.length)).toBe(prepared.shareSize);
    const shares = new MemoryShares(c.n, prepared.shareSize);
    const cap = await encodeImmutable(prepared, source, createInThreadRunner(), shares, { signal, pipelineDepth: 2 });
    expect(shares.complete()).toBe(true);
    expect(shares.shares.map(bytesToHex)).toEqual(c.sharesHex);
    expect(bytesToHex(cap.uebHash)).toBe(c.uebHashHex);
    expect(cap).toMatchObject({ kind: 'chk', k: c.k, n: c.n, size: plaintext.length });
  });

  it('decodes the reference shares from the last k', async () => {
    const cap = { kind: 'chk' as const, key: hexToBytes(c.keyHex), uebHash: hexToBytes(c.uebHashHex), k: c.k, n: c.n, size: plaintext.length };
    const entries = c.sharesHex.map((h, s) => [s, hexToBytes(h)] as [number, Uint8Array]).slice(c.n - c.k);
    const out = await collect(decodeImmutable(cap, memorySource(entries), createInThreadRunner(), { signal }));
    expect(bytesToHex(out)).toBe(c.plaintextHex);
  });
});

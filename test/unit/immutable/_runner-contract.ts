/**
 * The SegmentRunner contract, run against every implementation (in-thread; the worker pool over
 * MessageChannels in Node, and over real Web Workers in Chromium): same bytes as the core
 * functions, aborts honoured, whole files through the encoder and decoder.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex, equalBytes } from '../../../src/core/bytes.js';
import { decodeImmutable } from '../../../src/core/immutable/decode.js';
import { encodeImmutable, prepareImmutable } from '../../../src/core/immutable/encode.js';
import type { SegmentRunner } from '../../../src/core/immutable/runner.js';
import { decodeSegment, encodeSegment, hashBlocks } from '../../../src/core/immutable/segment.js';
import { bytesFileSource } from '../../../src/core/immutable/source.js';
import { collect, memorySource, MemoryShares, randomBytes } from './_helpers.js';

const signal = new AbortController().signal;
const key = (): Uint8Array => new Uint8Array(32).map((_, i) => i + 1);

export function segmentRunnerContract(name: string, makeRunner: () => SegmentRunner): void {
  describe(`SegmentRunner contract: ${name}`, () => {
    it('encodes, decodes and hashes to the same bytes as the core functions', async () => {
      const runner = makeRunner();
      try {
        const plain = randomBytes(3001);
        const job = () => ({ k: 3, n: 7, segmentIndex: 4, offset: 4 * 3003, length: 3001, cipherKey: key(), data: (() => { const d = new Uint8Array(3003); d.set(plain); return d; })() });
        const expected = await encodeSegment(job());
        const got = await runner.encodeSegment(job(), { signal });
        expect(got.segmentIndex).toBe(4);
        expect(got.blocks.map(bytesToHex)).toEqual(expected.blocks.map(bytesToHex));
        expect(got.blockHashes.map(bytesToHex)).toEqual(expected.blockHashes.map(bytesToHex));
        expect(bytesToHex(got.crypttextHash)).toBe(bytesToHex(expected.crypttextHash));
        const blocks = () => [6, 2, 4].map((s) => expected.blocks[s]!.slice());
        const djob = () => ({ k: 3, n: 7, segmentIndex: 4, length: 3001, shareNums: [6, 2, 4], blocks: blocks(), decrypt: { cipherKey: key(), offset: 4 * 3003 } });
        const dec = await runner.decodeSegment(djob(), { signal });
        expect(bytesToHex(dec.data)).toBe(bytesToHex(plain));
        expect(dec.blockHashes.map(bytesToHex)).toEqual((await decodeSegment(djob())).blockHashes.map(bytesToHex));
        expect((await runner.hashBlocks({ blocks: blocks() }, { signal })).map(bytesToHex)).toEqual((await hashBlocks({ blocks: blocks() })).map(bytesToHex));
      } finally {
        runner.close();
      }
    });

    it('rejects with the reason of an aborted signal', async () => {
      const runner = makeRunner();
      try {
        const reason = new Error('stopped by the person');
        await expect(runner.hashBlocks({ blocks: [new Uint8Array(4)] }, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
      } finally {
        runner.close();
      }
    });

    it('carries whole files through the encoder and decoder', async () => {
      const runner = makeRunner();
      try {
        const data = randomBytes(50_000);
        const source = bytesFileSource(data);
        const prepared = await prepareImmutable(source, { k: 3, n: 6, segmentSize: 4096 }, { randomKey: randomBytes(16) }, { signal });
        const shares = new MemoryShares(6, prepared.shareSize);
        const cap = await encodeImmutable(prepared, source, runner, shares, { signal, pipelineDepth: 5 });
        expect(shares.complete()).toBe(true);
        const out = await collect(decodeImmutable(cap, memorySource([5, 3, 1].map((s) => [s, shares.shares[s]!])), runner, { signal, pipelineDepth: 5 }));
        expect(equalBytes(out, data)).toBe(true);
      } finally {
        runner.close();
      }
    });
  });
}
